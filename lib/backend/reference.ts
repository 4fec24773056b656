/**
 * The reference backend: plain loops, obviously correct, the oracle every native kernel is
 * checked against. Accumulates in double (JavaScript numbers) and rounds once to float32.
 */
import type { Backend } from './backend';
import { forEachWord, normalAt, unitUniform } from './random';
import {
  checkCount, checkDisjoint, checkLength, checkSameOrDisjoint, checkStream,
  f32, finiteDouble, finiteFloat, flag, index, product, u32,
} from './validate';

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

function checkSum(fn: string, args: IArguments, perRow: boolean): [Float32Array, number, number, Float32Array] {
  checkCount(fn, args.length, 4);
  const x = f32(fn, 'x', args[0]);
  const rows = index(fn, 'rows', args[1]);
  const cols = index(fn, 'cols', args[2]);
  const out = f32(fn, 'out', args[3]);
  checkLength(fn, 'x', x, product(fn, rows, cols, 'rows*cols'), 'rows*cols');
  checkLength(fn, 'out', out, perRow ? rows : cols, perRow ? 'rows' : 'cols');
  checkDisjoint(fn, 'out', out, 'x', x);
  return [x, rows, cols, out];
}

function checkFill(
  fn: string, args: IArguments, names: [string, string],
): [Float32Array, number, number, number, number] {
  checkCount(fn, args.length, 5);
  const out = f32(fn, 'out', args[0]);
  const seed = index(fn, 'seed', args[1]);
  const offset = index(fn, 'offset', args[2]);
  const p = finiteDouble(fn, names[0], args[3]);
  const q = finiteDouble(fn, names[1], args[4]);
  checkStream(fn, out.length, offset);
  return [out, seed, offset, p, q];
}

export const referenceBackend: Backend = {
  name: 'reference',

  gemm(transA, transB, m, n, k, alpha, a, b, beta, c) {
    const fn = 'gemm';
    checkCount(fn, arguments.length, 10);
    flag(fn, 'transA', transA);
    flag(fn, 'transB', transB);
    index(fn, 'm', m);
    index(fn, 'n', n);
    index(fn, 'k', k);
    finiteFloat(fn, 'alpha', alpha);
    f32(fn, 'a', a);
    f32(fn, 'b', b);
    finiteFloat(fn, 'beta', beta);
    f32(fn, 'c', c);
    checkLength(fn, 'a', a, product(fn, m, k, 'm*k'), 'm*k');
    checkLength(fn, 'b', b, product(fn, k, n, 'k*n'), 'k*n');
    checkLength(fn, 'c', c, product(fn, m, n, 'm*n'), 'm*n');
    checkDisjoint(fn, 'c', c, 'a', a);
    checkDisjoint(fn, 'c', c, 'b', b);
    const alpha32 = Math.fround(alpha);
    const beta32 = Math.fround(beta);
    const useProduct = alpha32 !== 0 && k > 0;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let value = 0;
        if (useProduct) {
          let sum = 0;
          for (let p = 0; p < k; p++) {
            const aip = transA ? a[p * m + i]! : a[i * k + p]!;
            const bpj = transB ? b[j * k + p]! : b[p * n + j]!;
            sum += aip * bpj;
          }
          value = alpha32 * sum;
        }
        if (beta32 !== 0) value += beta32 * c[i * n + j]!; // beta = 0 never reads C
        c[i * n + j] = value;
      }
    }
  },

  add(a, b, out) {
    checkBinary('add', ['a', 'b', 'out'], arguments);
    for (let i = 0; i < a.length; i++) out[i] = a[i]! + b[i]!;
  },

  mul(a, b, out) {
    checkBinary('mul', ['a', 'b', 'out'], arguments);
    for (let i = 0; i < a.length; i++) out[i] = a[i]! * b[i]!;
  },

  relu(x, out) {
    const fn = 'relu';
    checkCount(fn, arguments.length, 2);
    f32(fn, 'x', x);
    f32(fn, 'out', out);
    checkLength(fn, 'out', out, x.length, 'x.length');
    checkSameOrDisjoint(fn, 'out', out, 'x', x);
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      out[i] = v > 0 || Number.isNaN(v) ? v : 0; // NaN passes through for the NaN guards
    }
  },

  reluBackward(x, dy, dx) {
    checkBinary('reluBackward', ['x', 'dy', 'dx'], arguments);
    for (let i = 0; i < x.length; i++) dx[i] = x[i]! > 0 ? dy[i]! : 0; // subgradient 0 at 0
  },

  rowSum(x, rows, cols, out) {
    checkSum('rowSum', arguments, true);
    for (let i = 0; i < rows; i++) {
      let sum = 0;
      for (let j = 0; j < cols; j++) sum += x[i * cols + j]!;
      out[i] = sum;
    }
  },

  colSum(x, rows, cols, out) {
    checkSum('colSum', arguments, false);
    const sums = new Float64Array(cols);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) sums[j] += x[i * cols + j]!;
    }
    out.set(sums);
  },

  randomBits(out, seed, offset) {
    const fn = 'randomBits';
    checkCount(fn, arguments.length, 3);
    u32(fn, 'out', out);
    index(fn, 'seed', seed);
    index(fn, 'offset', offset);
    checkStream(fn, out.length, offset);
    forEachWord(out.length, seed, offset, (i, block, lane) => {
      out[i] = block[lane]!;
    });
  },

  fillUniform(out, seed, offset, low, high) {
    checkFill('fillUniform', arguments, ['low', 'high']);
    if (!(low <= high)) {
      throw new RangeError(`fillUniform: Expected low <= high but received low = ${low} and high = ${high}`);
    }
    const span = high - low;
    forEachWord(out.length, seed, offset, (i, block, lane) => {
      out[i] = low + span * unitUniform(block[lane]!);
    });
  },

  fillNormal(out, seed, offset, mean, std) {
    checkFill('fillNormal', arguments, ['mean', 'std']);
    if (!(std >= 0)) throw new RangeError(`fillNormal: Expected a non-negative std but received ${std}`);
    forEachWord(out.length, seed, offset, (i, block, lane) => {
      out[i] = mean + std * normalAt(block, lane);
    });
  },
};
