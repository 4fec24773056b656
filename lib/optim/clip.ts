/**
 * Gradient clipping, as torch.nn.utils.clip_grad_norm_ and clip_grad_value_: in place, over the
 * gradients of the given parameters (those without one are skipped). float32 gradients alone
 * go to the selected backend's clipGradNorm / clipGradValue kernels. float64 gradients (alone or
 * mixed with float32 ones) are handled here in double, because the float64 reference kernels
 * round the coefficient and the clip value to float32; the norm of the float32 part still comes
 * from the gradNorm kernel.
 */
import { Tensor } from '../autograd/tensor';
import { getBackend } from '../backend/select';
import { describe } from '../backend/validate';

export interface ClipGradNormOptions {
  /** Throw when the total norm is NaN or ±Inf, before touching any gradient (default false). */
  errorIfNonfinite?: boolean;
}

/** The float32 and float64 gradients of the parameters, checked, and the parameters having one. */
function gradients(fn: string, params: Tensor | readonly Tensor[]): { f32: Float32Array[]; f64: Float64Array[]; withGrad: Tensor[] } {
  const list = params instanceof Tensor ? [params] : params;
  if (!Array.isArray(list)) throw new TypeError(`${fn}: Expected a Tensor or an Array of Tensors but received ${describe(params)}`);
  const out = { f32: [] as Float32Array[], f64: [] as Float64Array[], withGrad: [] as Tensor[] };
  const seen = new Set<Tensor>();
  list.forEach((p, i) => {
    if (!(p instanceof Tensor)) throw new TypeError(`${fn}: Expected a Tensor at parameters[${i}] but received ${describe(p)}`);
    if (seen.has(p) || !p.grad) return; // a parameter listed twice is clipped once
    seen.add(p);
    out.withGrad.push(p);
    if (p.grad.data instanceof Float64Array) out.f64.push(p.grad.data);
    else out.f32.push(p.grad.data);
  });
  return out;
}

function nonNegative(fn: string, name: string, value: unknown): number {
  if (typeof value !== 'number') throw new TypeError(`${fn}: Expected a finite number >= 0 for ${name} but received ${describe(value)}`);
  if (!(Number.isFinite(value) && value >= 0)) throw new RangeError(`${fn}: Expected a finite number >= 0 for ${name} but received ${value}`);
  return value;
}

function norm64(grads: Float64Array[]): number {
  let sum = 0;
  for (const g of grads) for (let i = 0; i < g.length; i++) sum += g[i]! * g[i]!;
  return Math.sqrt(sum);
}

/**
 * The L2 norm of all the gradients taken together, √(Σ g²), and, when it exceeds maxNorm, every
 * gradient scaled by maxNorm/(norm + 1e-6) (PyTorch's coefficient). Returns the norm before
 * clipping. A NaN or infinite norm is returned (and the gradients become NaN, or are multiplied
 * by 0), unless errorIfNonfinite asks for an error.
 */
export function clipGradNorm(params: Tensor | readonly Tensor[], maxNorm: number, options: ClipGradNormOptions = {}): number {
  const fn = 'clipGradNorm';
  nonNegative(fn, 'maxNorm', maxNorm);
  const { f32, f64, withGrad } = gradients(fn, params);
  // A finite coefficient keeps zero rows zero, so row-sparse records stay true; a non-finite
  // norm turns every element NaN (or 0·∞), so the records are dropped.
  const total = clipNorm(fn, f32, f64, maxNorm, options);
  if (!Number.isFinite(total)) for (const p of withGrad) p.setGradRows(null);
  return total;
}

function clipNorm(fn: string, f32: Float32Array[], f64: Float64Array[], maxNorm: number, options: ClipGradNormOptions): number {
  const backend = getBackend();
  if (options.errorIfNonfinite || f64.length > 0) {
    const total = Math.hypot(f32.length > 0 ? backend.gradNorm(f32) : 0, norm64(f64));
    if (options.errorIfNonfinite && !Number.isFinite(total)) {
      throw new RangeError(`${fn}: Expected gradients with a finite total norm but the norm is ${total} (errorIfNonfinite is set)`);
    }
    if (f64.length > 0) {
      const coef = maxNorm / (total + 1e-6);
      if (!(coef >= 1)) {
        const coef32 = Math.fround(coef);
        for (const g of f32) for (let i = 0; i < g.length; i++) g[i] = g[i]! * coef32;
        for (const g of f64) for (let i = 0; i < g.length; i++) g[i] = g[i]! * coef;
      }
      return total;
    }
  }
  return backend.clipGradNorm(f32, maxNorm);
}

/** Every gradient element clamped to [−clipValue, clipValue] (NaN stays NaN). */
export function clipGradValue(params: Tensor | readonly Tensor[], clipValue: number): void {
  const fn = 'clipGradValue';
  const c = nonNegative(fn, 'clipValue', clipValue);
  const { f32, f64 } = gradients(fn, params);
  if (f32.length > 0) getBackend().clipGradValue(f32, c);
  for (const g of f64) {
    for (let i = 0; i < g.length; i++) {
      const x = g[i]!;
      if (x > c) g[i] = c;
      else if (x < -c) g[i] = -c;
    }
  }
}
