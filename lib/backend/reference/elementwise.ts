/**
 * Reference elementwise kernels: each result computed in double and rounded once to float32,
 * except where the declaration defines a kernel as a sequence of float32 operations (the
 * backward kernels written as arithmetic), which are rounded step by step (this.round; nothing
 * is rounded in float64).
 */
import type { Floats, ReferenceContext } from '../declare';
import { erfc } from './erfc';

function rowBroadcast(
  x: Floats, row: Floats, cols: number, out: Floats, op: (a: number, b: number) => number,
): void {
  // Over the elements, not rows × cols: rows may be 2^53 − 1 when cols is 0.
  for (let i = 0, c = 0; i < x.length; i++, c = c + 1 === cols ? 0 : c + 1) out[i] = op(x[i]!, row[c]!);
}

/** 1/(1 + e^−x), in double, without overflow for any x. */
function sigmoid64(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** log(1 + e^z), in double, without overflow. */
function softplus64(z: number): number {
  return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const GELU_CUBIC = 0.044715;
/** 2u for the tanh gelu: 2·√(2/π)·(x + 0.044715·x³). */
const twiceGeluU = (x: number) => 2 * SQRT_2_OVER_PI * (x + GELU_CUBIC * x * x * x);

const plus = (a: number, b: number) => a + b;
const minus = (a: number, b: number) => a - b;
const times = (a: number, b: number) => a * b;
const over = (a: number, b: number) => a / b;

export function add(this: ReferenceContext, a: Floats, b: Floats, out: Floats): void {
  for (let i = 0; i < a.length; i++) out[i] = a[i]! + b[i]!;
}
export function sub(this: ReferenceContext, a: Floats, b: Floats, out: Floats): void {
  for (let i = 0; i < a.length; i++) out[i] = a[i]! - b[i]!;
}
export function mul(this: ReferenceContext, a: Floats, b: Floats, out: Floats): void {
  for (let i = 0; i < a.length; i++) out[i] = a[i]! * b[i]!;
}
export function div(this: ReferenceContext, a: Floats, b: Floats, out: Floats): void {
  for (let i = 0; i < a.length; i++) out[i] = a[i]! / b[i]!;
}

export function addRow(this: ReferenceContext, x: Floats, row: Floats, _rows: number, cols: number, out: Floats): void {
  rowBroadcast(x, row, cols, out, plus);
}
export function subRow(this: ReferenceContext, x: Floats, row: Floats, _rows: number, cols: number, out: Floats): void {
  rowBroadcast(x, row, cols, out, minus);
}
export function mulRow(this: ReferenceContext, x: Floats, row: Floats, _rows: number, cols: number, out: Floats): void {
  rowBroadcast(x, row, cols, out, times);
}
export function divRow(this: ReferenceContext, x: Floats, row: Floats, _rows: number, cols: number, out: Floats): void {
  rowBroadcast(x, row, cols, out, over);
}

export function addScalar(this: ReferenceContext, x: Floats, s: number, out: Floats): void {
  for (let i = 0; i < x.length; i++) out[i] = x[i]! + s;
}
export function subScalar(this: ReferenceContext, x: Floats, s: number, out: Floats): void {
  for (let i = 0; i < x.length; i++) out[i] = x[i]! - s;
}
export function mulScalar(this: ReferenceContext, x: Floats, s: number, out: Floats): void {
  for (let i = 0; i < x.length; i++) out[i] = x[i]! * s;
}
export function divScalar(this: ReferenceContext, x: Floats, s: number, out: Floats): void {
  for (let i = 0; i < x.length; i++) out[i] = x[i]! / s;
}

export function exp(this: ReferenceContext, x: Floats, out: Floats): void {
  for (let i = 0; i < x.length; i++) out[i] = Math.exp(x[i]!);
}
export function expBackward(this: ReferenceContext, y: Floats, dy: Floats, dx: Floats): void {
  for (let i = 0; i < y.length; i++) dx[i] = dy[i]! * y[i]!;
}
export function log(this: ReferenceContext, x: Floats, out: Floats): void {
  for (let i = 0; i < x.length; i++) out[i] = Math.log(x[i]!);
}
export function logBackward(this: ReferenceContext, x: Floats, dy: Floats, dx: Floats): void {
  for (let i = 0; i < x.length; i++) dx[i] = dy[i]! / x[i]!;
}
export function sqrt(this: ReferenceContext, x: Floats, out: Floats): void {
  for (let i = 0; i < x.length; i++) out[i] = Math.sqrt(x[i]!); // double sqrt rounds correctly to float32
}
export function sqrtBackward(this: ReferenceContext, y: Floats, dy: Floats, dx: Floats): void {
  for (let i = 0; i < y.length; i++) dx[i] = dy[i]! / this.round(y[i]! + y[i]!);
}
export function tanh(this: ReferenceContext, x: Floats, out: Floats): void {
  for (let i = 0; i < x.length; i++) out[i] = Math.tanh(x[i]!);
}
export function tanhBackward(this: ReferenceContext, y: Floats, dy: Floats, dx: Floats): void {
  for (let i = 0; i < y.length; i++) dx[i] = dy[i]! * this.round(1 - this.round(y[i]! * y[i]!));
}
export function sigmoid(this: ReferenceContext, x: Floats, out: Floats): void {
  for (let i = 0; i < x.length; i++) out[i] = sigmoid64(x[i]!);
}
export function sigmoidBackward(this: ReferenceContext, y: Floats, dy: Floats, dx: Floats): void {
  for (let i = 0; i < y.length; i++) dx[i] = dy[i]! * this.round(y[i]! * this.round(1 - y[i]!));
}

export function relu(this: ReferenceContext, x: Floats, out: Floats): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    out[i] = v > 0 || Number.isNaN(v) ? v : 0; // NaN passes through for the NaN guards
  }
}
export function reluBackward(this: ReferenceContext, x: Floats, dy: Floats, dx: Floats): void {
  for (let i = 0; i < x.length; i++) dx[i] = x[i]! > 0 ? dy[i]! : 0; // subgradient 0 at 0
}
export function leakyRelu(this: ReferenceContext, x: Floats, slope: number, out: Floats): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    out[i] = v > 0 ? v : v * slope;
  }
}
export function leakyReluBackward(this: ReferenceContext, x: Floats, dy: Floats, slope: number, dx: Floats): void {
  for (let i = 0; i < x.length; i++) dx[i] = x[i]! > 0 ? dy[i]! : dy[i]! * slope; // slope at 0
}
export function prelu(this: ReferenceContext, x: Floats, slope: Floats, _rows: number, channels: number, out: Floats): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    out[i] = v > 0 ? v : v * slope[i % channels]!;
  }
}
export function preluBackward(
  this: ReferenceContext, x: Floats, slope: Floats, dy: Floats, _rows: number, channels: number, dx: Floats, dslope: Floats,
): void {
  const sums = new Float64Array(channels);
  // Over the elements in row order (rows may be 2^53 − 1 when channels is 0).
  for (let i = 0, c = 0; i < x.length; i++, c = c + 1 === channels ? 0 : c + 1) {
    const v = x[i]!;
    const g = dy[i]!;
    if (!(v > 0)) sums[c]! += g * v; // exact in double; NaN x propagates
    dx[i] = v > 0 ? g : g * slope[c]!; // slope at 0, as PyTorch
  }
  dslope.set(sums);
}
export function elu(this: ReferenceContext, x: Floats, alpha: number, out: Floats): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    out[i] = v > 0 ? v : alpha * Math.expm1(v);
  }
}
export function eluBackward(this: ReferenceContext, x: Floats, dy: Floats, alpha: number, dx: Floats): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    dx[i] = v > 0 ? dy[i]! : dy[i]! * alpha * Math.exp(v); // the left side at 0: alpha
  }
}
export function softplus(this: ReferenceContext, x: Floats, beta: number, threshold: number, out: Floats): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    const z = this.round(v * beta); // the float32 product decides the branch, as in the native kernel
    out[i] = z > threshold ? v : softplus64(z) / beta;
  }
}
export function softplusBackward(this: ReferenceContext, x: Floats, dy: Floats, beta: number, threshold: number, dx: Floats): void {
  for (let i = 0; i < x.length; i++) {
    const z = this.round(x[i]! * beta);
    dx[i] = z > threshold ? dy[i]! : dy[i]! * sigmoid64(z);
  }
}
export function gelu(this: ReferenceContext, x: Floats, out: Floats): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    out[i] = 0.5 * v * erfc(-v * Math.SQRT1_2);
  }
}
export function geluBackward(this: ReferenceContext, x: Floats, dy: Floats, dx: Floats): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    const cdf = 0.5 * erfc(-v * Math.SQRT1_2);
    const pdf = Math.exp(-0.5 * v * v) / Math.sqrt(2 * Math.PI);
    dx[i] = dy[i]! * this.round(cdf + v * pdf);
  }
}
export function geluTanh(this: ReferenceContext, x: Floats, out: Floats): void {
  for (let i = 0; i < x.length; i++) out[i] = x[i]! * sigmoid64(twiceGeluU(x[i]!));
}
export function geluTanhBackward(this: ReferenceContext, x: Floats, dy: Floats, dx: Floats): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    const s = sigmoid64(twiceGeluU(v));
    const du = SQRT_2_OVER_PI * (1 + 3 * GELU_CUBIC * v * v);
    dx[i] = dy[i]! * this.round(s + v * (s * (1 - s)) * 2 * du);
  }
}
