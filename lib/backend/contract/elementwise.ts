import type { Backend } from '../backend';
import type { Tolerance } from '../compare';
import type { Args, KernelCheck } from './check';

/**
 * Elementwise kernels. Outputs may be exactly an input of their own length (in place), never a
 * partial overlap, and never a row, slope or parameter array. NaN inputs propagate to every
 * forward result. Arithmetic, the relu family and the backward kernels written as float32
 * arithmetic are correctly rounded in the order stated, so all backends agree bit for bit; the
 * transcendental kernels agree within TRANSCENDENTAL_RELATIVE_ERROR (see ELEMENTWISE_CHECKS).
 */
export interface ElementwiseKernels {
  /** out[i] = a[i] + b[i]. out may be a or b. */
  add(a: Float32Array, b: Float32Array, out: Float32Array): void;
  /** out[i] = a[i] − b[i]. out may be a or b. */
  sub(a: Float32Array, b: Float32Array, out: Float32Array): void;
  /** out[i] = a[i] · b[i]. out may be a or b. */
  mul(a: Float32Array, b: Float32Array, out: Float32Array): void;
  /** out[i] = a[i] / b[i] (IEEE: x/0 is ±Inf, 0/0 NaN). out may be a or b. */
  div(a: Float32Array, b: Float32Array, out: Float32Array): void;

  /**
   * out[i, j] = x[i, j] + row[j] for a rows×cols x and a row of length cols: the bias case.
   * Its gradient for row is colSum(dy). out may be x.
   */
  addRow(x: Float32Array, row: Float32Array, rows: number, cols: number, out: Float32Array): void;
  /** out[i, j] = x[i, j] − row[j]. out may be x. */
  subRow(x: Float32Array, row: Float32Array, rows: number, cols: number, out: Float32Array): void;
  /** out[i, j] = x[i, j] · row[j]. out may be x. */
  mulRow(x: Float32Array, row: Float32Array, rows: number, cols: number, out: Float32Array): void;
  /** out[i, j] = x[i, j] / row[j]. out may be x. */
  divRow(x: Float32Array, row: Float32Array, rows: number, cols: number, out: Float32Array): void;

  /** out[i] = x[i] + s, s a finite number rounded to float32. out may be x. */
  addScalar(x: Float32Array, s: number, out: Float32Array): void;
  /** out[i] = x[i] − s. out may be x. */
  subScalar(x: Float32Array, s: number, out: Float32Array): void;
  /** out[i] = x[i] · s. out may be x. */
  mulScalar(x: Float32Array, s: number, out: Float32Array): void;
  /** out[i] = x[i] / s, a true division (not x · (1/s)). out may be x. */
  divScalar(x: Float32Array, s: number, out: Float32Array): void;

  /** out[i] = e^x[i]: +Inf exactly where float64 e^x rounds past FLT_MAX, 0 where it rounds to 0. */
  exp(x: Float32Array, out: Float32Array): void;
  /** dx[i] = dy[i] · y[i], from the forward's output y = exp(x). */
  expBackward(y: Float32Array, dy: Float32Array, dx: Float32Array): void;
  /** out[i] = ln x[i]: −Inf at ±0, NaN below 0, +Inf at +Inf. */
  log(x: Float32Array, out: Float32Array): void;
  /** dx[i] = dy[i] / x[i] (±Inf at x = 0, as the derivative's limit). */
  logBackward(x: Float32Array, dy: Float32Array, dx: Float32Array): void;
  /** out[i] = √x[i], correctly rounded: −0 at −0, NaN below 0. */
  sqrt(x: Float32Array, out: Float32Array): void;
  /** dx[i] = dy[i] / (y[i] + y[i]), from y = sqrt(x) (+Inf at y = 0, as PyTorch). */
  sqrtBackward(y: Float32Array, dy: Float32Array, dx: Float32Array): void;
  /** out[i] = tanh x[i], odd: ±0 at ±0, ±1 at ±Inf. */
  tanh(x: Float32Array, out: Float32Array): void;
  /** dx[i] = dy[i] · (1 − y[i]·y[i]), from y = tanh(x). */
  tanhBackward(y: Float32Array, dy: Float32Array, dx: Float32Array): void;
  /** out[i] = 1 / (1 + e^−x[i]), stable for every finite x (e^x/(1 + e^x) below 0). */
  sigmoid(x: Float32Array, out: Float32Array): void;
  /** dx[i] = dy[i] · (y[i] · (1 − y[i])), from y = sigmoid(x). */
  sigmoidBackward(y: Float32Array, dy: Float32Array, dx: Float32Array): void;

  /** out[i] = max(x[i], 0); NaN passes through, −0 becomes +0. out may be x. */
  relu(x: Float32Array, out: Float32Array): void;
  /** dx[i] = x[i] > 0 ? dy[i] : 0; the subgradient at 0 is 0, as in PyTorch (and 0 at NaN x). */
  reluBackward(x: Float32Array, dy: Float32Array, dx: Float32Array): void;
  /** out[i] = x[i] > 0 ? x[i] : slope · x[i]. */
  leakyRelu(x: Float32Array, slope: number, out: Float32Array): void;
  /** dx[i] = x[i] > 0 ? dy[i] : slope · dy[i]; the subgradient at 0 is slope, as in PyTorch. */
  leakyReluBackward(x: Float32Array, dy: Float32Array, slope: number, dx: Float32Array): void;
  /** out[r, c] = x[r, c] > 0 ? x[r, c] : slope[c] · x[r, c] over a rows×channels x. */
  prelu(x: Float32Array, slope: Float32Array, rows: number, channels: number, out: Float32Array): void;
  /**
   * dx[r, c] = x > 0 ? dy : slope[c] · dy (slope at 0, as PyTorch), and the slope's gradient
   * dslope[c] = Σ_r (x[r, c] > 0 ? 0 : dy[r, c] · x[r, c]), summed in double in row order and
   * rounded once (x = 0 adds 0·dy). dx may be x or dy; dslope shares memory with nothing.
   */
  preluBackward(
    x: Float32Array, slope: Float32Array, dy: Float32Array, rows: number, channels: number,
    dx: Float32Array, dslope: Float32Array,
  ): void;
  /** out[i] = x[i] > 0 ? x[i] : alpha · (e^x[i] − 1) (expm1, accurate near 0); elu(−Inf) = −alpha. */
  elu(x: Float32Array, alpha: number, out: Float32Array): void;
  /** dx[i] = x[i] > 0 ? dy[i] : dy[i] · (alpha · e^x[i]); at 0 the left side (alpha), as PyTorch. */
  eluBackward(x: Float32Array, dy: Float32Array, alpha: number, dx: Float32Array): void;
  /**
   * PyTorch's Softplus: with z = x · beta (float32 product), out = x where z > threshold, else
   * log(1 + e^z) / beta, computed stably (max(z, 0) + log1p(e^−|z|)): no overflow, no NaN from
   * finite input. beta > 0 (PyTorch's defaults: beta 1, threshold 20).
   */
  softplus(x: Float32Array, beta: number, threshold: number, out: Float32Array): void;
  /** dx[i] = z > threshold ? dy[i] : dy[i] · sigmoid(z), z = x[i] · beta, as PyTorch. */
  softplusBackward(x: Float32Array, dy: Float32Array, beta: number, threshold: number, dx: Float32Array): void;
  /**
   * out[i] = x · Φ(x) = x · (1 + erf(x/√2)) / 2, the exact form (PyTorch's default), evaluated in
   * double and rounded once; gelu(−Inf) is NaN (−Inf · 0), as in PyTorch.
   */
  gelu(x: Float32Array, out: Float32Array): void;
  /** dx[i] = dy[i] · g, g = Φ(x) + x·φ(x) rounded to float32 first. */
  geluBackward(x: Float32Array, dy: Float32Array, dx: Float32Array): void;
  /**
   * PyTorch's gelu(approximate='tanh'): x · (1 + tanh u)/2 with u = √(2/π)·(x + 0.044715·x³),
   * evaluated as x·σ(2u) (no cancellation for x ≪ 0) in double and rounded once.
   */
  geluTanh(x: Float32Array, out: Float32Array): void;
  /** dx[i] = dy[i] · g, g = σ(2u) + x·σ(2u)(1 − σ(2u))·2u′ rounded to float32 first. */
  geluTanhBackward(x: Float32Array, dy: Float32Array, dx: Float32Array): void;
}

/**
 * The relative error bound of the vector exp, log, tanh and sigmoid (the full float32 sweep of
 * bench/elementwise-accuracy.js stays below it); results below FLT_MIN count in units of FLT_MIN.
 */
export const TRANSCENDENTAL_RELATIVE_ERROR = 2e-7;
const FLT_MIN = 2 ** -126;

type Kernel = (...args: unknown[]) => void;

/**
 * The bound times the reference's own result, bound·max(|ref|, FLT_MIN): the kernel runs on the
 * reference with the call's inputs and a fresh output at `output`.
 */
function relative(name: keyof ElementwiseKernels, bound: number, output: number) {
  return (before: Args, reference: Backend): Tolerance => {
    const args = before.slice();
    const out = new Float32Array((args[output] as Float32Array).length);
    args[output] = out;
    (reference[name] as Kernel)(...args);
    return Float64Array.from(out, (v) => bound * Math.max(Math.abs(v), FLT_MIN));
  };
}

const exact = (output: number, name: string): KernelCheck => ({ outputs: [[output, name]] });
const bounded = (name: keyof ElementwiseKernels, output: number, outName: string, bound: number): KernelCheck => ({
  outputs: [[output, outName]],
  tolerance: relative(name, bound, output),
});

/** A float32 rounding: 2^−24 relative. */
const ROUNDING = 2 ** -24;

/**
 * What each kernel writes and its error bound. Arithmetic and the relu family are exact. The
 * transcendental bounds compose TRANSCENDENTAL_RELATIVE_ERROR with the roundings that follow,
 * plus one rounding for the reference's own result (it lies up to half an ulp from the truth):
 * elu's e^x − 1 amplifies exp's error by e^x/|e^x − 1| ≤ 2.42 for |x| ≥ ln2/2 (below it, the
 * polynomial has no cancellation); gelu is evaluated in double on both sides and rounded once,
 * so the two may differ by one float32 ulp.
 */
export const ELEMENTWISE_CHECKS: Record<keyof ElementwiseKernels, KernelCheck> = {
  add: exact(2, 'out'),
  sub: exact(2, 'out'),
  mul: exact(2, 'out'),
  div: exact(2, 'out'),
  addRow: exact(4, 'out'),
  subRow: exact(4, 'out'),
  mulRow: exact(4, 'out'),
  divRow: exact(4, 'out'),
  addScalar: exact(2, 'out'),
  subScalar: exact(2, 'out'),
  mulScalar: exact(2, 'out'),
  divScalar: exact(2, 'out'),
  exp: bounded('exp', 1, 'out', TRANSCENDENTAL_RELATIVE_ERROR + ROUNDING),
  expBackward: exact(2, 'dx'),
  log: bounded('log', 1, 'out', TRANSCENDENTAL_RELATIVE_ERROR + ROUNDING),
  logBackward: exact(2, 'dx'),
  sqrt: exact(1, 'out'),
  sqrtBackward: exact(2, 'dx'),
  tanh: bounded('tanh', 1, 'out', TRANSCENDENTAL_RELATIVE_ERROR + ROUNDING),
  tanhBackward: exact(2, 'dx'),
  sigmoid: bounded('sigmoid', 1, 'out', TRANSCENDENTAL_RELATIVE_ERROR + ROUNDING),
  sigmoidBackward: exact(2, 'dx'),
  relu: exact(1, 'out'),
  reluBackward: exact(2, 'dx'),
  leakyRelu: exact(2, 'out'),
  leakyReluBackward: exact(3, 'dx'),
  prelu: exact(4, 'out'),
  preluBackward: { outputs: [[5, 'dx'], [6, 'dslope']] },
  elu: bounded('elu', 2, 'out', 2.42 * TRANSCENDENTAL_RELATIVE_ERROR + 4 * ROUNDING),
  eluBackward: bounded('eluBackward', 3, 'dx', TRANSCENDENTAL_RELATIVE_ERROR + 4 * ROUNDING),
  softplus: bounded('softplus', 3, 'out', 2 * TRANSCENDENTAL_RELATIVE_ERROR + 4 * ROUNDING),
  softplusBackward: bounded('softplusBackward', 4, 'dx', TRANSCENDENTAL_RELATIVE_ERROR + 3 * ROUNDING),
  gelu: bounded('gelu', 1, 'out', 4 * ROUNDING),
  geluBackward: bounded('geluBackward', 2, 'dx', 4 * ROUNDING),
  geluTanh: bounded('geluTanh', 1, 'out', 4 * ROUNDING),
  geluTanhBackward: bounded('geluTanhBackward', 2, 'dx', 4 * ROUNDING),
};
