/**
 * Gradient checks: the analytic gradient of autograd against centered differences.
 * - gradcheck: every element of every input that requires a gradient, in float64 on the
 *   reference kernels (PyTorch's gradcheck defaults: eps 1e-6, atol 1e-5, rtol 1e-3);
 * - directionalGradcheck: one random direction through all inputs at once, in float32 on the
 *   selected backend (native paths), with float32-sized tolerances.
 * A non-scalar output is projected on a fixed random vector r (L = Σ r·out), which checks the
 * vector–Jacobian product that backward computes.
 */
import { philox4x32 } from '../backend/random';
import { noGrad } from './grad-mode';
import type { FloatArray } from './tensor';
import { Tensor, allocate } from './tensor';

export interface GradcheckOptions {
  eps?: number;
  atol?: number;
  rtol?: number;
  /** Seed of the projection vector and directions (not the library's generator). */
  seed?: number;
}

export interface GradcheckResult {
  ok: boolean;
  /** How many derivatives were compared. */
  checked: number;
  maxAbsError: number;
  maxRelError: number;
  /** The derivative farthest outside its tolerance (or closest to it when all pass). */
  worst: { input: number; index: number; analytic: number; numerical: number } | null;
  message: string;
}

/** Values in [-1, 1) from Philox, independent of the library's generator. */
function uniforms(length: number, seed: number, stream: number): Float64Array {
  const out = new Float64Array(length);
  const block = new Uint32Array(4);
  for (let i = 0; i < length; i += 4) {
    philox4x32([i / 4, stream, 0, 0], [seed, 0x7e57], block);
    for (let j = 0; j < 4 && i + j < length; j++) out[i + j] = block[j]! / 2 ** 31 - 1;
  }
  return out;
}

function project(out: Tensor, r: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < out.size; i++) sum += r[i]! * out.data[i]!;
  return sum;
}

function describe(kind: string, result: Omit<GradcheckResult, 'message'>): string {
  const w = result.worst;
  const where = w ? `; worst: input ${w.input}, element ${w.index}: analytic ${w.analytic}, numerical ${w.numerical}` : '';
  return `${kind} ${result.ok ? 'passed' : 'FAILED'} on ${result.checked} derivatives (max absolute error ${result.maxAbsError}, max relative error ${result.maxRelError}${where})`;
}

function checkInputs(fn: string, inputs: readonly Tensor[]): void {
  if (!inputs.some((t) => t.requiresGrad)) {
    throw new TypeError(`${fn}: Expected at least one input with requiresGrad to check`);
  }
}

export function gradcheck(
  fn: (...inputs: Tensor[]) => Tensor, inputs: readonly Tensor[], options: GradcheckOptions = {},
): GradcheckResult {
  checkInputs('gradcheck', inputs);
  const { eps = 1e-6, atol = 1e-5, rtol = 1e-3, seed = 0 } = options;
  const copies = inputs.map((t) => new Tensor(Float64Array.from(t.data), t.shape, { requiresGrad: t.requiresGrad }));
  const out = fn(...copies);
  if (out.dtype !== 'float64') throw new TypeError('gradcheck: Expected fn to compute in float64 (make its constants with dtype "float64")');
  const r = uniforms(out.size, seed, 0);
  out.backward(new Tensor(Float64Array.from(r), out.shape));

  const result = { ok: true, checked: 0, maxAbsError: 0, maxRelError: 0, worst: null as GradcheckResult['worst'] };
  let worstRatio = -1;
  copies.forEach((input, which) => {
    if (!input.requiresGrad) return;
    const analytic = input.grad?.data ?? new Float64Array(input.size);
    for (let i = 0; i < input.size; i++) {
      const saved = input.data[i]!;
      input.data[i] = saved + eps;
      const plus = project(noGrad(() => fn(...copies)), r);
      input.data[i] = saved - eps;
      const minus = project(noGrad(() => fn(...copies)), r);
      input.data[i] = saved;
      const numerical = (plus - minus) / (2 * eps);
      const a = analytic[i]!;
      const abs = Math.abs(a - numerical);
      const ratio = abs / (atol + rtol * Math.abs(numerical));
      result.checked++;
      result.maxAbsError = Math.max(result.maxAbsError, abs);
      result.maxRelError = Math.max(result.maxRelError, abs / Math.max(Math.abs(a), Math.abs(numerical), Number.MIN_VALUE));
      if (!(ratio <= 1)) result.ok = false; // NaN fails too
      if (ratio > worstRatio || Number.isNaN(ratio)) {
        worstRatio = Number.isNaN(ratio) ? Infinity : ratio;
        result.worst = { input: which, index: i, analytic: a, numerical };
      }
    }
  });
  return { ...result, message: describe('gradcheck', result) };
}

export function directionalGradcheck(
  fn: (...inputs: Tensor[]) => Tensor, inputs: readonly Tensor[], options: GradcheckOptions = {},
): GradcheckResult {
  checkInputs('directionalGradcheck', inputs);
  const { eps = 1e-3, atol = 1e-4, rtol = 1e-2, seed = 0 } = options;
  const copies = inputs.map((t) => new Tensor(t.data.slice(), t.shape, { requiresGrad: t.requiresGrad }));
  const directions = copies.map((t, i) => (t.requiresGrad ? uniforms(t.size, seed, i + 1) : null));
  const out = fn(...copies);
  const r = uniforms(out.size, seed, 0);
  const seedGrad = allocate(out.shape, out.dtype);
  seedGrad.set(r);
  out.backward(new Tensor(seedGrad, out.shape));

  let analytic = 0;
  copies.forEach((t, i) => {
    const v = directions[i];
    if (!v || !t.grad) return;
    for (let j = 0; j < t.size; j++) analytic += t.grad.data[j]! * v[j]!;
  });
  const shifted = (sign: number) => {
    const moved = copies.map((t, i) => {
      const v = directions[i];
      if (!v) return t;
      const data: FloatArray = t.data.slice();
      for (let j = 0; j < data.length; j++) data[j] = t.data[j]! + sign * eps * v[j]!;
      return new Tensor(data, t.shape);
    });
    return project(noGrad(() => fn(...moved)), r);
  };
  const numerical = (shifted(1) - shifted(-1)) / (2 * eps);
  const abs = Math.abs(analytic - numerical);
  const ok = abs <= atol + rtol * Math.max(Math.abs(analytic), Math.abs(numerical));
  const result = {
    ok, checked: 1, maxAbsError: abs,
    maxRelError: abs / Math.max(Math.abs(analytic), Math.abs(numerical), Number.MIN_VALUE),
    worst: { input: -1, index: -1, analytic, numerical },
  };
  return { ...result, message: describe('directional gradcheck', result) };
}
