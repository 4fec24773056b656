/**
 * Elementwise kernels. Outputs may be exactly an input of their own length (in place), never a
 * partial overlap, and never a row, slope or parameter array. NaN inputs propagate to every
 * forward result. Arithmetic, the relu family and the backward kernels written as float32
 * arithmetic are correctly rounded in the order stated, so all backends agree bit for bit; the
 * transcendental kernels agree within TRANSCENDENTAL_RELATIVE_ERROR (their tolerances below).
 */
import type { Tolerance } from '../compare';
import { float, index, input, kernel, output, type Rerun } from '../declare';
import * as reference from '../reference/elementwise';

/**
 * The relative error bound of the vector exp, log, tanh and sigmoid (the full float32 sweep of
 * bench/elementwise-accuracy.js stays below it); results below FLT_MIN count in units of FLT_MIN.
 */
export const TRANSCENDENTAL_RELATIVE_ERROR = 2e-7;
const FLT_MIN = 2 ** -126;
/** A float32 rounding: 2^−24 relative. */
const ROUNDING = 2 ** -24;

/**
 * The bound times the reference's own result, bound·max(|ref|, FLT_MIN): the kernel reruns on
 * the reference with the call's inputs and a fresh output (always the last argument here). The
 * bounds compose TRANSCENDENTAL_RELATIVE_ERROR with the roundings that follow, plus one rounding
 * for the reference's own result (it lies up to half an ulp from the truth).
 */
function relative(bound: number) {
  return (before: unknown[], _output: string, rerun: Rerun): Tolerance => {
    const args = before.slice();
    const out = new Float32Array((args[args.length - 1] as Float32Array).length);
    args[args.length - 1] = out;
    rerun(...args);
    return Float64Array.from(out, (v) => bound * Math.max(Math.abs(v), FLT_MIN));
  };
}

/** out = f(first, second) over arrays of one length; out may be either input. */
const binary = (first: string, second: string, out: string) =>
  [input(first), input(second, `${first}.length`), output(out, `${first}.length`, { inPlace: [first, second] })] as const;
/** out[i, j] = f(x[i, j], row[j]); out may be x, never row. */
const row = () =>
  [input('x', 'rows*cols'), input('row', 'cols'), index('rows'), index('cols'), output('out', 'rows*cols', { inPlace: ['x'] })] as const;
/** out = f(x). */
const unary = () => [input('x'), output('out', 'x.length', { inPlace: ['x'] })] as const;
/** out = f(x, s) with s a finite float32 number. */
const withScalar = (name: string) => [input('x'), float(name), output('out', 'x.length', { inPlace: ['x'] })] as const;
/** dx = f(x, dy, s). */
const backwardWithScalar = (name: string) =>
  [input('x'), input('dy', 'x.length'), float(name), output('dx', 'x.length', { inPlace: ['x', 'dy'] })] as const;

export const ELEMENTWISE = {
  /** out[i] = a[i] + b[i]. out may be a or b. */
  add: kernel({ args: binary('a', 'b', 'out'), reference: reference.add }),
  /** out[i] = a[i] − b[i]. out may be a or b. */
  sub: kernel({ args: binary('a', 'b', 'out'), reference: reference.sub }),
  /** out[i] = a[i] · b[i]. out may be a or b. */
  mul: kernel({ args: binary('a', 'b', 'out'), reference: reference.mul }),
  /** out[i] = a[i] / b[i] (IEEE: x/0 is ±Inf, 0/0 NaN). out may be a or b. */
  div: kernel({ args: binary('a', 'b', 'out'), reference: reference.div }),

  /**
   * out[i, j] = x[i, j] + row[j] for a rows×cols x and a row of length cols: the bias case.
   * Its gradient for row is colSum(dy). out may be x.
   */
  addRow: kernel({ args: row(), reference: reference.addRow }),
  /** out[i, j] = x[i, j] − row[j]. out may be x. */
  subRow: kernel({ args: row(), reference: reference.subRow }),
  /** out[i, j] = x[i, j] · row[j]. out may be x. */
  mulRow: kernel({ args: row(), reference: reference.mulRow }),
  /** out[i, j] = x[i, j] / row[j]. out may be x. */
  divRow: kernel({ args: row(), reference: reference.divRow }),

  /** out[i] = x[i] + s, s a finite number rounded to float32. out may be x. */
  addScalar: kernel({ args: withScalar('s'), reference: reference.addScalar }),
  /** out[i] = x[i] − s. out may be x. */
  subScalar: kernel({ args: withScalar('s'), reference: reference.subScalar }),
  /** out[i] = x[i] · s. out may be x. */
  mulScalar: kernel({ args: withScalar('s'), reference: reference.mulScalar }),
  /** out[i] = x[i] / s, a true division (not x · (1/s)). out may be x. */
  divScalar: kernel({ args: withScalar('s'), reference: reference.divScalar }),

  /** out[i] = e^x[i]: +Inf exactly where float64 e^x rounds past FLT_MAX, 0 where it rounds to 0. */
  exp: kernel({ args: unary(), reference: reference.exp, tolerance: relative(TRANSCENDENTAL_RELATIVE_ERROR + ROUNDING) }),
  /** dx[i] = dy[i] · y[i], from the forward's output y = exp(x). */
  expBackward: kernel({ args: binary('y', 'dy', 'dx'), reference: reference.expBackward }),
  /** out[i] = ln x[i]: −Inf at ±0, NaN below 0, +Inf at +Inf. */
  log: kernel({ args: unary(), reference: reference.log, tolerance: relative(TRANSCENDENTAL_RELATIVE_ERROR + ROUNDING) }),
  /** dx[i] = dy[i] / x[i] (±Inf at x = 0, as the derivative's limit). */
  logBackward: kernel({ args: binary('x', 'dy', 'dx'), reference: reference.logBackward }),
  /** out[i] = √x[i], correctly rounded: −0 at −0, NaN below 0. */
  sqrt: kernel({ args: unary(), reference: reference.sqrt }),
  /** dx[i] = dy[i] / (y[i] + y[i]), from y = sqrt(x) (+Inf at y = 0, as PyTorch). */
  sqrtBackward: kernel({ args: binary('y', 'dy', 'dx'), reference: reference.sqrtBackward }),
  /** out[i] = tanh x[i], odd: ±0 at ±0, ±1 at ±Inf. */
  tanh: kernel({ args: unary(), reference: reference.tanh, tolerance: relative(TRANSCENDENTAL_RELATIVE_ERROR + ROUNDING) }),
  /** dx[i] = dy[i] · (1 − y[i]·y[i]), from y = tanh(x). */
  tanhBackward: kernel({ args: binary('y', 'dy', 'dx'), reference: reference.tanhBackward }),
  /** out[i] = 1 / (1 + e^−x[i]), stable for every finite x (e^x/(1 + e^x) below 0). */
  sigmoid: kernel({ args: unary(), reference: reference.sigmoid, tolerance: relative(TRANSCENDENTAL_RELATIVE_ERROR + ROUNDING) }),
  /** dx[i] = dy[i] · (y[i] · (1 − y[i])), from y = sigmoid(x). */
  sigmoidBackward: kernel({ args: binary('y', 'dy', 'dx'), reference: reference.sigmoidBackward }),

  /** out[i] = max(x[i], 0); NaN passes through, −0 becomes +0. out may be x. */
  relu: kernel({ args: unary(), reference: reference.relu }),
  /** dx[i] = x[i] > 0 ? dy[i] : 0; the subgradient at 0 is 0, as in PyTorch (and 0 at NaN x). */
  reluBackward: kernel({ args: binary('x', 'dy', 'dx'), reference: reference.reluBackward }),
  /** out[i] = x[i] > 0 ? x[i] : slope · x[i]. */
  leakyRelu: kernel({ args: withScalar('slope'), reference: reference.leakyRelu }),
  /** dx[i] = x[i] > 0 ? dy[i] : slope · dy[i]; the subgradient at 0 is slope, as in PyTorch. */
  leakyReluBackward: kernel({ args: backwardWithScalar('slope'), reference: reference.leakyReluBackward }),
  /** out[r, c] = x[r, c] > 0 ? x[r, c] : slope[c] · x[r, c] over a rows×channels x. */
  prelu: kernel({
    args: [
      input('x', 'rows*channels'), input('slope', 'channels'), index('rows'), index('channels'),
      output('out', 'rows*channels', { inPlace: ['x'] }),
    ],
    reference: reference.prelu,
  }),
  /**
   * dx[r, c] = x > 0 ? dy : slope[c] · dy (slope at 0, as PyTorch), and the slope's gradient
   * dslope[c] = Σ_r (x[r, c] > 0 ? 0 : dy[r, c] · x[r, c]), summed in double in row order and
   * rounded once (x = 0 adds 0·dy). dx may be x or dy; dslope shares memory with nothing.
   */
  preluBackward: kernel({
    args: [
      input('x', 'rows*channels'), input('slope', 'channels'), input('dy', 'rows*channels'), index('rows'), index('channels'),
      output('dx', 'rows*channels', { inPlace: ['x', 'dy'] }), output('dslope', 'channels'),
    ],
    reference: reference.preluBackward,
  }),
  /**
   * out[i] = x[i] > 0 ? x[i] : alpha · (e^x[i] − 1) (expm1, accurate near 0); elu(−Inf) = −alpha.
   * e^x − 1 amplifies exp's error by e^x/|e^x − 1| ≤ 2.42 for |x| ≥ ln2/2 (below it, the
   * polynomial has no cancellation).
   */
  elu: kernel({ args: withScalar('alpha'), reference: reference.elu, tolerance: relative(2.42 * TRANSCENDENTAL_RELATIVE_ERROR + 4 * ROUNDING) }),
  /** dx[i] = x[i] > 0 ? dy[i] : dy[i] · (alpha · e^x[i]); at 0 the left side (alpha), as PyTorch. */
  eluBackward: kernel({
    args: backwardWithScalar('alpha'), reference: reference.eluBackward, tolerance: relative(TRANSCENDENTAL_RELATIVE_ERROR + 4 * ROUNDING),
  }),
  /**
   * PyTorch's Softplus: with z = x · beta (float32 product), out = x where z > threshold, else
   * log(1 + e^z) / beta, computed stably (max(z, 0) + log1p(e^−|z|)): no overflow, no NaN from
   * finite input. beta > 0 once rounded to float32 (PyTorch's defaults: beta 1, threshold 20).
   */
  softplus: kernel({
    args: [
      input('x'), float('beta', { min: 0, minOpen: true, expected: 'a positive float32 number' }), float('threshold', { example: 20 }),
      output('out', 'x.length', { inPlace: ['x'] }),
    ],
    reference: reference.softplus,
    tolerance: relative(2 * TRANSCENDENTAL_RELATIVE_ERROR + 4 * ROUNDING),
  }),
  /** dx[i] = z > threshold ? dy[i] : dy[i] · sigmoid(z), z = x[i] · beta, as PyTorch. */
  softplusBackward: kernel({
    args: [
      input('x'), input('dy', 'x.length'), float('beta', { min: 0, minOpen: true, expected: 'a positive float32 number' }),
      float('threshold', { example: 20 }), output('dx', 'x.length', { inPlace: ['x', 'dy'] }),
    ],
    reference: reference.softplusBackward,
    tolerance: relative(TRANSCENDENTAL_RELATIVE_ERROR + 3 * ROUNDING),
  }),
  /**
   * out[i] = x · Φ(x) = x · (1 + erf(x/√2)) / 2, the exact form (PyTorch's default), evaluated in
   * double and rounded once (both sides, so they may differ by one float32 ulp); gelu(−Inf) is
   * NaN (−Inf · 0), as in PyTorch.
   */
  gelu: kernel({ args: unary(), reference: reference.gelu, tolerance: relative(4 * ROUNDING) }),
  /** dx[i] = dy[i] · g, g = Φ(x) + x·φ(x) rounded to float32 first. */
  geluBackward: kernel({ args: binary('x', 'dy', 'dx'), reference: reference.geluBackward, tolerance: relative(4 * ROUNDING) }),
  /**
   * PyTorch's gelu(approximate='tanh'): x · (1 + tanh u)/2 with u = √(2/π)·(x + 0.044715·x³),
   * evaluated as x·σ(2u) (no cancellation for x ≪ 0) in double and rounded once.
   */
  geluTanh: kernel({ args: unary(), reference: reference.geluTanh, tolerance: relative(4 * ROUNDING) }),
  /** dx[i] = dy[i] · g, g = σ(2u) + x·σ(2u)(1 − σ(2u))·2u′ rounded to float32 first. */
  geluTanhBackward: kernel({ args: binary('x', 'dy', 'dx'), reference: reference.geluTanhBackward, tolerance: relative(4 * ROUNDING) }),
};
