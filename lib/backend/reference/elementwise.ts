/**
 * Reference elementwise kernels: each result computed in double and rounded once to float32,
 * except where the contract defines a kernel as a sequence of float32 operations (the backward
 * kernels written as arithmetic), which are rounded step by step to float32 (not in the float64 backend).
 */
import type { ElementwiseKernels } from '../contract/elementwise';
import {
  checkCount, checkDisjoint, checkLength, checkSameOrDisjoint, describe, f32, finiteFloat, index, product, scalar,
} from '../validate';
import { erfc } from './erfc';

/** Rounds to float32 as the native kernels do; the identity in the float64 backend (gradient checks). */
const fr = scalar;

/** fn(first, second, out) over arrays of one length; out may be either input. */
function checkBinary(
  fn: string, names: [string, string, string], args: IArguments,
): [Float32Array, Float32Array, Float32Array] {
  checkCount(fn, args.length, 3);
  const [first, second, output] = names;
  const a = f32(fn, first, args[0]);
  const b = f32(fn, second, args[1]);
  const out = f32(fn, output, args[2]);
  checkLength(fn, second, b, a.length, `${first}.length`);
  checkLength(fn, output, out, a.length, `${first}.length`);
  checkSameOrDisjoint(fn, output, out, first, a);
  checkSameOrDisjoint(fn, output, out, second, b);
  return [a, b, out];
}

/** fn(x, out). */
function checkUnary(fn: string, args: IArguments): [Float32Array, Float32Array] {
  checkCount(fn, args.length, 2);
  const x = f32(fn, 'x', args[0]);
  const out = f32(fn, 'out', args[1]);
  checkLength(fn, 'out', out, x.length, 'x.length');
  checkSameOrDisjoint(fn, 'out', out, 'x', x);
  return [x, out];
}

/** fn(x, s, out) with s a finite float32 number; returns s rounded to float32. */
function checkWithScalar(fn: string, param: string, args: IArguments): [Float32Array, number, Float32Array] {
  checkCount(fn, args.length, 3);
  const x = f32(fn, 'x', args[0]);
  const s = fr(finiteFloat(fn, param, args[1]));
  const out = f32(fn, 'out', args[2]);
  checkLength(fn, 'out', out, x.length, 'x.length');
  checkSameOrDisjoint(fn, 'out', out, 'x', x);
  return [x, s, out];
}

/** fn(x, dy, s, dx). */
function checkBackwardWithScalar(
  fn: string, param: string, args: IArguments,
): [Float32Array, Float32Array, number, Float32Array] {
  checkCount(fn, args.length, 4);
  const x = f32(fn, 'x', args[0]);
  const dy = f32(fn, 'dy', args[1]);
  const s = fr(finiteFloat(fn, param, args[2]));
  const dx = f32(fn, 'dx', args[3]);
  checkLength(fn, 'dy', dy, x.length, 'x.length');
  checkLength(fn, 'dx', dx, x.length, 'x.length');
  checkSameOrDisjoint(fn, 'dx', dx, 'x', x);
  checkSameOrDisjoint(fn, 'dx', dx, 'dy', dy);
  return [x, dy, s, dx];
}

/** fn(x, row, rows, cols, out): out may be x, never row. */
function checkRow(fn: string, args: IArguments): void {
  checkCount(fn, args.length, 5);
  const x = f32(fn, 'x', args[0]);
  const row = f32(fn, 'row', args[1]);
  const rows = index(fn, 'rows', args[2]);
  const cols = index(fn, 'cols', args[3]);
  const out = f32(fn, 'out', args[4]);
  const size = product(fn, rows, cols, 'rows*cols');
  checkLength(fn, 'x', x, size, 'rows*cols');
  checkLength(fn, 'row', row, cols, 'cols');
  checkLength(fn, 'out', out, size, 'rows*cols');
  checkSameOrDisjoint(fn, 'out', out, 'x', x);
  checkDisjoint(fn, 'out', out, 'row', row);
}

/** beta > 0 once rounded to float32: softplus divides by it. */
function positiveBeta(fn: string, value: unknown): number {
  const beta = fr(finiteFloat(fn, 'beta', value));
  if (!(beta > 0)) {
    throw new RangeError(`${fn}: Expected a positive float32 number for beta but received ${describe(value)}`);
  }
  return beta;
}

function rowBroadcast(
  x: Float32Array, row: Float32Array, cols: number, out: Float32Array, op: (a: number, b: number) => number,
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

const add = (a: number, b: number) => a + b;
const sub = (a: number, b: number) => a - b;
const mul = (a: number, b: number) => a * b;
const div = (a: number, b: number) => a / b;

export const referenceElementwise: ElementwiseKernels = {
  add(a, b, out) {
    checkBinary('add', ['a', 'b', 'out'], arguments);
    for (let i = 0; i < a.length; i++) out[i] = a[i]! + b[i]!;
  },
  sub(a, b, out) {
    checkBinary('sub', ['a', 'b', 'out'], arguments);
    for (let i = 0; i < a.length; i++) out[i] = a[i]! - b[i]!;
  },
  mul(a, b, out) {
    checkBinary('mul', ['a', 'b', 'out'], arguments);
    for (let i = 0; i < a.length; i++) out[i] = a[i]! * b[i]!;
  },
  div(a, b, out) {
    checkBinary('div', ['a', 'b', 'out'], arguments);
    for (let i = 0; i < a.length; i++) out[i] = a[i]! / b[i]!;
  },

  addRow(x, row, _rows, cols, out) {
    checkRow('addRow', arguments);
    rowBroadcast(x, row, cols, out, add);
  },
  subRow(x, row, _rows, cols, out) {
    checkRow('subRow', arguments);
    rowBroadcast(x, row, cols, out, sub);
  },
  mulRow(x, row, _rows, cols, out) {
    checkRow('mulRow', arguments);
    rowBroadcast(x, row, cols, out, mul);
  },
  divRow(x, row, _rows, cols, out) {
    checkRow('divRow', arguments);
    rowBroadcast(x, row, cols, out, div);
  },

  addScalar() {
    const [x, s, out] = checkWithScalar('addScalar', 's', arguments);
    for (let i = 0; i < x.length; i++) out[i] = x[i]! + s;
  },
  subScalar() {
    const [x, s, out] = checkWithScalar('subScalar', 's', arguments);
    for (let i = 0; i < x.length; i++) out[i] = x[i]! - s;
  },
  mulScalar() {
    const [x, s, out] = checkWithScalar('mulScalar', 's', arguments);
    for (let i = 0; i < x.length; i++) out[i] = x[i]! * s;
  },
  divScalar() {
    const [x, s, out] = checkWithScalar('divScalar', 's', arguments);
    for (let i = 0; i < x.length; i++) out[i] = x[i]! / s;
  },

  exp(x, out) {
    checkUnary('exp', arguments);
    for (let i = 0; i < x.length; i++) out[i] = Math.exp(x[i]!);
  },
  expBackward(y, dy, dx) {
    checkBinary('expBackward', ['y', 'dy', 'dx'], arguments);
    for (let i = 0; i < y.length; i++) dx[i] = dy[i]! * y[i]!;
  },
  log(x, out) {
    checkUnary('log', arguments);
    for (let i = 0; i < x.length; i++) out[i] = Math.log(x[i]!);
  },
  logBackward(x, dy, dx) {
    checkBinary('logBackward', ['x', 'dy', 'dx'], arguments);
    for (let i = 0; i < x.length; i++) dx[i] = dy[i]! / x[i]!;
  },
  sqrt(x, out) {
    checkUnary('sqrt', arguments);
    for (let i = 0; i < x.length; i++) out[i] = Math.sqrt(x[i]!); // double sqrt rounds correctly to float32
  },
  sqrtBackward(y, dy, dx) {
    checkBinary('sqrtBackward', ['y', 'dy', 'dx'], arguments);
    for (let i = 0; i < y.length; i++) dx[i] = dy[i]! / fr(y[i]! + y[i]!);
  },
  tanh(x, out) {
    checkUnary('tanh', arguments);
    for (let i = 0; i < x.length; i++) out[i] = Math.tanh(x[i]!);
  },
  tanhBackward(y, dy, dx) {
    checkBinary('tanhBackward', ['y', 'dy', 'dx'], arguments);
    for (let i = 0; i < y.length; i++) dx[i] = dy[i]! * fr(1 - fr(y[i]! * y[i]!));
  },
  sigmoid(x, out) {
    checkUnary('sigmoid', arguments);
    for (let i = 0; i < x.length; i++) out[i] = sigmoid64(x[i]!);
  },
  sigmoidBackward(y, dy, dx) {
    checkBinary('sigmoidBackward', ['y', 'dy', 'dx'], arguments);
    for (let i = 0; i < y.length; i++) dx[i] = dy[i]! * fr(y[i]! * fr(1 - y[i]!));
  },

  relu(x, out) {
    checkUnary('relu', arguments);
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      out[i] = v > 0 || Number.isNaN(v) ? v : 0; // NaN passes through for the NaN guards
    }
  },
  reluBackward(x, dy, dx) {
    checkBinary('reluBackward', ['x', 'dy', 'dx'], arguments);
    for (let i = 0; i < x.length; i++) dx[i] = x[i]! > 0 ? dy[i]! : 0; // subgradient 0 at 0
  },
  leakyRelu() {
    const [x, slope, out] = checkWithScalar('leakyRelu', 'slope', arguments);
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      out[i] = v > 0 ? v : v * slope;
    }
  },
  leakyReluBackward() {
    const [x, dy, slope, dx] = checkBackwardWithScalar('leakyReluBackward', 'slope', arguments);
    for (let i = 0; i < x.length; i++) dx[i] = x[i]! > 0 ? dy[i]! : dy[i]! * slope; // slope at 0
  },
  prelu(x, slope, rows, channels, out) {
    const fn = 'prelu';
    checkCount(fn, arguments.length, 5);
    f32(fn, 'x', x);
    f32(fn, 'slope', slope);
    index(fn, 'rows', rows);
    index(fn, 'channels', channels);
    f32(fn, 'out', out);
    const size = product(fn, rows, channels, 'rows*channels');
    checkLength(fn, 'x', x, size, 'rows*channels');
    checkLength(fn, 'slope', slope, channels, 'channels');
    checkLength(fn, 'out', out, size, 'rows*channels');
    checkSameOrDisjoint(fn, 'out', out, 'x', x);
    checkDisjoint(fn, 'out', out, 'slope', slope);
    for (let i = 0; i < size; i++) {
      const v = x[i]!;
      out[i] = v > 0 ? v : v * slope[i % channels]!;
    }
  },
  preluBackward(x, slope, dy, rows, channels, dx, dslope) {
    const fn = 'preluBackward';
    checkCount(fn, arguments.length, 7);
    f32(fn, 'x', x);
    f32(fn, 'slope', slope);
    f32(fn, 'dy', dy);
    index(fn, 'rows', rows);
    index(fn, 'channels', channels);
    f32(fn, 'dx', dx);
    f32(fn, 'dslope', dslope);
    const size = product(fn, rows, channels, 'rows*channels');
    checkLength(fn, 'x', x, size, 'rows*channels');
    checkLength(fn, 'slope', slope, channels, 'channels');
    checkLength(fn, 'dy', dy, size, 'rows*channels');
    checkLength(fn, 'dx', dx, size, 'rows*channels');
    checkLength(fn, 'dslope', dslope, channels, 'channels');
    checkSameOrDisjoint(fn, 'dx', dx, 'x', x);
    checkSameOrDisjoint(fn, 'dx', dx, 'dy', dy);
    checkDisjoint(fn, 'dx', dx, 'slope', slope);
    checkDisjoint(fn, 'dslope', dslope, 'x', x);
    checkDisjoint(fn, 'dslope', dslope, 'slope', slope);
    checkDisjoint(fn, 'dslope', dslope, 'dy', dy);
    checkDisjoint(fn, 'dslope', dslope, 'dx', dx);
    const sums = new Float64Array(channels);
    // Over the elements in row order (rows may be 2^53 − 1 when channels is 0).
    for (let i = 0, c = 0; i < size; i++, c = c + 1 === channels ? 0 : c + 1) {
      const v = x[i]!;
      const g = dy[i]!;
      if (!(v > 0)) sums[c]! += g * v; // exact in double; NaN x propagates
      dx[i] = v > 0 ? g : g * slope[c]!; // slope at 0, as PyTorch
    }
    dslope.set(sums);
  },
  elu() {
    const [x, alpha, out] = checkWithScalar('elu', 'alpha', arguments);
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      out[i] = v > 0 ? v : alpha * Math.expm1(v);
    }
  },
  eluBackward() {
    const [x, dy, alpha, dx] = checkBackwardWithScalar('eluBackward', 'alpha', arguments);
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      dx[i] = v > 0 ? dy[i]! : dy[i]! * alpha * Math.exp(v); // the left side at 0: alpha
    }
  },
  softplus(x, beta, threshold, out) {
    const fn = 'softplus';
    checkCount(fn, arguments.length, 4);
    f32(fn, 'x', x);
    const b = positiveBeta(fn, beta);
    const t = fr(finiteFloat(fn, 'threshold', threshold));
    f32(fn, 'out', out);
    checkLength(fn, 'out', out, x.length, 'x.length');
    checkSameOrDisjoint(fn, 'out', out, 'x', x);
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      const z = fr(v * b); // the float32 product decides the branch, as in the native kernel
      out[i] = z > t ? v : softplus64(z) / b;
    }
  },
  softplusBackward(x, dy, beta, threshold, dx) {
    const fn = 'softplusBackward';
    checkCount(fn, arguments.length, 5);
    f32(fn, 'x', x);
    f32(fn, 'dy', dy);
    const b = positiveBeta(fn, beta);
    const t = fr(finiteFloat(fn, 'threshold', threshold));
    f32(fn, 'dx', dx);
    checkLength(fn, 'dy', dy, x.length, 'x.length');
    checkLength(fn, 'dx', dx, x.length, 'x.length');
    checkSameOrDisjoint(fn, 'dx', dx, 'x', x);
    checkSameOrDisjoint(fn, 'dx', dx, 'dy', dy);
    for (let i = 0; i < x.length; i++) {
      const z = fr(x[i]! * b);
      dx[i] = z > t ? dy[i]! : dy[i]! * sigmoid64(z);
    }
  },
  gelu(x, out) {
    checkUnary('gelu', arguments);
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      out[i] = 0.5 * v * erfc(-v * Math.SQRT1_2);
    }
  },
  geluBackward(x, dy, dx) {
    checkBinary('geluBackward', ['x', 'dy', 'dx'], arguments);
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      const cdf = 0.5 * erfc(-v * Math.SQRT1_2);
      const pdf = Math.exp(-0.5 * v * v) / Math.sqrt(2 * Math.PI);
      dx[i] = dy[i]! * fr(cdf + v * pdf);
    }
  },
  geluTanh(x, out) {
    checkUnary('geluTanh', arguments);
    for (let i = 0; i < x.length; i++) out[i] = x[i]! * sigmoid64(twiceGeluU(x[i]!));
  },
  geluTanhBackward(x, dy, dx) {
    checkBinary('geluTanhBackward', ['x', 'dy', 'dx'], arguments);
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      const s = sigmoid64(twiceGeluU(v));
      const du = SQRT_2_OVER_PI * (1 + 3 * GELU_CUBIC * v * v);
      dx[i] = dy[i]! * fr(s + v * (s * (1 - s)) * 2 * du);
    }
  },
};
