// Reductions on every backend: closed-form sums, means, maxima (ties, NaN, ±0) and per-feature
// statistics, empty dimensions, float64 oracles with the accumulation bound, and native against
// the reference.
import { beforeAll, describe, expect, it } from 'vitest';
import { nativeBackend, referenceBackend, setSimdLevel } from '../../../lib/backend';
import { declaredTolerance } from '../compare-backends';
import type { Backend } from '../../../lib/backend';
import { nativePaths } from '../native-paths';
import { backendsUnderTest, selectSimd } from '../backends';
import { absolute, accumulationTolerance } from '../../../lib/backend/compare';
import { expectClose, expectSame } from '../expect-close';
import { makeRandom, randomArray } from '../random-inputs';

const f32 = (values: number[]) => Float32Array.from(values);

describe.each(backendsUnderTest())('reduce on $label', (entry) => {
  beforeAll(() => selectSimd(entry));
  const backend = entry.backend;

  describe('rowSum and colSum', () => {
    it('sums each row and each column of a 2×3 matrix', () => {
      const x = f32([1, 2, 3, 4, 5, 6]);
      const rows = new Float32Array(2);
      const cols = new Float32Array(3);
      backend().rowSum(x, 2, 3, rows);
      backend().colSum(x, 2, 3, cols);
      expect(Array.from(rows)).toEqual([6, 15]);
      expect(Array.from(cols)).toEqual([5, 7, 9]);
    });

    it('gives zeros over an empty dimension', () => {
      const rows = f32([7, 7]);
      backend().rowSum(new Float32Array(0), 2, 0, rows);
      expect(Array.from(rows)).toEqual([0, 0]);
      const cols = f32([7, 7, 7]);
      backend().colSum(new Float32Array(0), 0, 3, cols);
      expect(Array.from(cols)).toEqual([0, 0, 0]);
    });

    it('keeps the small terms a float32 running sum would lose', () => {
      const x = new Float32Array(1 + 4096).fill(1);
      x[0] = 2 ** 24; // 2^24 + 1 + 1 + … in float32 would stay at 2^24
      const out = new Float32Array(1);
      backend().rowSum(x, 1, x.length, out);
      expect(out[0]).toBe(2 ** 24 + 4096);
    });

    it.each([[1, 1], [3, 700], [700, 3], [33, 257], [1000, 300]])('matches float64 sums of a random %i×%i matrix', (r, c) => {
      const random = makeRandom(r * 31 + c);
      const x = randomArray(r * c, random);
      const rowSums = new Float64Array(r);
      const colSums = new Float64Array(c);
      const rowAbs = new Float64Array(r);
      const colAbs = new Float64Array(c);
      for (let i = 0; i < r; i++) {
        for (let j = 0; j < c; j++) {
          const v = x[i * c + j]!;
          rowSums[i] += v;
          colSums[j] += v;
          rowAbs[i] += Math.abs(v);
          colAbs[j] += Math.abs(v);
        }
      }
      const rows = new Float32Array(r);
      const cols = new Float32Array(c);
      backend().rowSum(x, r, c, rows);
      backend().colSum(x, r, c, cols);
      expectClose(rows, rowSums, accumulationTolerance(rowAbs, c), 'rowSum');
      expectClose(cols, colSums, accumulationTolerance(colAbs, r), 'colSum');
    });
  });
});

describe.each(nativePaths())('reduce: native (%s) against the reference', (simd) => {
  let native: Backend;
  const reference = referenceBackend;
  beforeAll(() => {
    setSimdLevel(simd);
    native = nativeBackend();
  });

  it.each([[0, 5], [5, 0], [1, 1], [9, 17], [257, 3], [3, 1000], [513, 129]])('rowSum and colSum agree on %i×%i', (r, c) => {
    const x = randomArray(r * c, makeRandom(r + c * 1000));
    for (const kernel of ['rowSum', 'colSum'] as const) {
      const length = kernel === 'rowSum' ? r : c;
      const expected = new Float32Array(length);
      const actual = new Float32Array(length);
      reference[kernel](x, r, c, expected);
      native[kernel](x, r, c, actual);
      const bound = new Float32Array(length);
      reference[kernel](absolute(x), r, c, bound);
      expectClose(actual, expected, accumulationTolerance(bound, kernel === 'rowSum' ? c : r), `${kernel} ${r}x${c}`);
    }
  });
});

describe.each(backendsUnderTest())('means, maxima and per-feature statistics on $label', (entry) => {
  beforeAll(() => selectSimd(entry));
  const backend = entry.backend;

  it('averages each row and each column of a 2×3 matrix', () => {
    const x = f32([1, 2, 3, 4, 5, 9]);
    const rows = new Float32Array(2);
    const cols = new Float32Array(3);
    backend().rowMean(x, 2, 3, rows);
    backend().colMean(x, 2, 3, cols);
    expect(Array.from(rows)).toEqual([2, 6]);
    expect(Array.from(cols)).toEqual([2.5, 3.5, 6]);
  });

  it('gives NaN for the mean of an empty dimension (0/0, as PyTorch)', () => {
    const rows = f32([7, 7]);
    backend().rowMean(new Float32Array(0), 2, 0, rows);
    expect(Array.from(rows)).toEqual([NaN, NaN]);
    const cols = f32([7]);
    backend().colMean(new Float32Array(0), 0, 1, cols);
    expect(cols[0]).toBeNaN();
  });

  it('finds each row\'s maximum and the first index of it', () => {
    const x = f32([1, 3, 3, 2, -Infinity, -Infinity, -Infinity, -Infinity, 0, -5, 7, 7]);
    const max = new Float32Array(3);
    const arg = new Int32Array(3);
    backend().rowMax(x, 3, 4, max);
    backend().rowArgmax(x, 3, 4, arg);
    expect(Array.from(max)).toEqual([3, -Infinity, 7]);
    expect(Array.from(arg)).toEqual([1, 0, 2]);
  });

  it('treats NaN as the maximum, as PyTorch: the first NaN wins', () => {
    const x = f32([1, NaN, 5, NaN, Infinity, 2, 3, 4]);
    const max = new Float32Array(2);
    const arg = new Int32Array(2);
    backend().rowMax(x, 2, 4, max);
    backend().rowArgmax(x, 2, 4, arg);
    expect(max[0]).toBeNaN();
    expect(arg[0]).toBe(1);
    expect(max[1]).toBe(Infinity);
    expect(arg[1]).toBe(0);
  });

  it('keeps the first of equal zeros: max(−0, +0) is −0', () => {
    const max = new Float32Array(1);
    backend().rowMax(f32([-0, 0]), 1, 2, max);
    expect(Object.is(max[0], -0)).toBe(true);
  });

  it('refuses the maximum of an empty row, and accepts no rows at all', () => {
    expect(() => backend().rowMax(new Float32Array(0), 2, 0, new Float32Array(2))).toThrow(
      new RangeError('rowMax: Expected cols > 0 for the maximum of each of 2 rows but received 0'),
    );
    expect(() => backend().rowArgmax(new Float32Array(0), 2, 0, new Int32Array(2))).toThrow(RangeError);
    backend().rowArgmax(new Float32Array(0), 0, 0, new Int32Array(0));
  });

  it('gives the mean and biased variance of each column', () => {
    const x = f32([1, 10, 3, 10, 5, 10, 7, 10]); // 4×2
    const mean = new Float32Array(2);
    const variance = new Float32Array(2);
    backend().colMeanVar(x, 4, 2, mean, variance);
    expect(Array.from(mean)).toEqual([4, 10]);
    expect(Array.from(variance)).toEqual([5, 0]); // (9 + 1 + 1 + 9) / 4
  });

  it('keeps the variance of data offset by 1e4 (no E[x²] − E[x]² cancellation)', () => {
    const rows = 1000;
    const cols = 3;
    const random = makeRandom(7);
    const x = new Float32Array(rows * cols);
    for (let i = 0; i < x.length; i++) x[i] = 1e4 + (random() * 2 - 1);
    const mean64 = new Float64Array(cols);
    const var64 = new Float64Array(cols);
    const abs64 = new Float64Array(cols);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) mean64[j] += x[i * cols + j]! / rows;
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        var64[j] += (x[i * cols + j]! - mean64[j]!) ** 2 / rows;
        abs64[j] += Math.abs(x[i * cols + j]!) / rows;
      }
    }
    const mean = new Float32Array(cols);
    const variance = new Float32Array(cols);
    backend().colMeanVar(x, rows, cols, mean, variance);
    const meanTolerance = accumulationTolerance(abs64, rows);
    expectClose(mean, mean64, meanTolerance, 'mean');
    const varianceTolerance = accumulationTolerance(var64, rows).map((t, j) => t + meanTolerance[j]! ** 2);
    expectClose(variance, var64, varianceTolerance, 'variance');
    // Uniform on [−1, 1]: variance 1/3; a one-pass float formula would be off by whole units.
    for (const v of variance) expect(Math.abs(v - 1 / 3)).toBeLessThan(0.05);
  });

  it('gives NaN statistics for no rows', () => {
    const mean = new Float32Array(2);
    const variance = new Float32Array(2);
    backend().colMeanVar(new Float32Array(0), 0, 2, mean, variance);
    expect([...mean, ...variance].every(Number.isNaN)).toBe(true);
  });

  it.each([[1, 1], [7, 10], [128, 1000], [1000, 3]])('matches float64 means of a random %i×%i matrix', (r, c) => {
    const x = randomArray(r * c, makeRandom(r * 7 + c));
    const rowMeans = new Float64Array(r);
    const colMeans = new Float64Array(c);
    const rowAbs = new Float64Array(r);
    const colAbs = new Float64Array(c);
    for (let i = 0; i < r; i++) {
      for (let j = 0; j < c; j++) {
        const v = x[i * c + j]!;
        rowMeans[i] += v / c;
        colMeans[j] += v / r;
        rowAbs[i] += Math.abs(v) / c;
        colAbs[j] += Math.abs(v) / r;
      }
    }
    const rows = new Float32Array(r);
    const cols = new Float32Array(c);
    backend().rowMean(x, r, c, rows);
    backend().colMean(x, r, c, cols);
    expectClose(rows, rowMeans, accumulationTolerance(rowAbs, c), 'rowMean');
    expectClose(cols, colMeans, accumulationTolerance(colAbs, r), 'colMean');
  });
});

describe.each(nativePaths())('means, maxima and statistics: native (%s) against the reference', (simd) => {
  let native: Backend;
  const reference = referenceBackend;
  beforeAll(() => {
    setSimdLevel(simd);
    native = nativeBackend();
  });

  it.each([[0, 5], [5, 0], [1, 1], [9, 17], [257, 3], [3, 1000], [513, 129]])('agree on %i×%i', (r, c) => {
    const x = randomArray(r * c, makeRandom(r + c * 1000));
    for (const kernel of ['rowMean', 'colMean'] as const) {
      const length = kernel === 'rowMean' ? r : c;
      const expected = new Float32Array(length);
      const actual = new Float32Array(length);
      reference[kernel](x, r, c, expected);
      native[kernel](x, r, c, actual);
      const tolerance = declaredTolerance(kernel, [x, r, c, expected], 'out');
      expectClose(actual, expected, tolerance, `${kernel} ${r}x${c}`);
    }
    if (c > 0 || r === 0) {
      for (let i = 0; i < x.length; i += 11) x[i] = x[(i * 7) % x.length]!; // ties
      if (x.length > 3) x[3] = NaN;
      const expectedMax = new Float32Array(r);
      const actualMax = new Float32Array(r);
      reference.rowMax(x, r, c, expectedMax);
      native.rowMax(x, r, c, actualMax);
      expectSame(actualMax, expectedMax, 'rowMax');
      const expectedArg = new Int32Array(r);
      const actualArg = new Int32Array(r);
      reference.rowArgmax(x, r, c, expectedArg);
      native.rowArgmax(x, r, c, actualArg);
      expect(Array.from(actualArg)).toEqual(Array.from(expectedArg));
    }
    const y = randomArray(r * c, makeRandom(r * 3 + c)).map((v) => 1e4 + v);
    const outputs = [0, 1, 2, 3].map(() => new Float32Array(c));
    reference.colMeanVar(y, r, c, outputs[0]!, outputs[1]!);
    native.colMeanVar(y, r, c, outputs[2]!, outputs[3]!);
    const before = [y, r, c, new Float32Array(c), new Float32Array(c)];
    expectClose(outputs[2]!, outputs[0]!, declaredTolerance('colMeanVar', before, 'mean'), 'colMeanVar mean');
    expectClose(outputs[3]!, outputs[1]!, declaredTolerance('colMeanVar', before, 'variance'), 'colMeanVar variance');
  });
});
