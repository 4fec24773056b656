// Reductions on every backend: closed-form sums, empty dimensions, float64 oracles with the
// accumulation bound, and native against the reference.
import { beforeAll, describe, expect, it } from 'vitest';
import { nativeBackend, referenceBackend, setSimdLevel } from '../../../lib/backend';
import type { Backend } from '../../../lib/backend';
import { nativePaths } from '../native-paths';
import { backendsUnderTest, selectSimd } from '../backends';
import { absolute, accumulationTolerance } from '../../../lib/backend/compare';
import { expectClose } from '../expect-close';
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
