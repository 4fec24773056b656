// GEMM on every backend: closed-form values, beta = 0 never reading C, degenerate shapes, random
// shapes against a float64 oracle, and native against the reference within the k-scaled bound.
import { beforeAll, describe, expect, it } from 'vitest';
import { nativeBackend, referenceBackend, setSimdLevel } from '../../../lib/backend';
import type { Backend } from '../../../lib/backend';
import { nativePaths } from '../native-paths';
import { backendsUnderTest, selectSimd } from '../backends';
import { absolute, accumulationTolerance } from '../../../lib/backend/compare';
import { expectClose } from '../expect-close';
import { gemm64, makeRandom, randomArray, storeAs } from '../random-inputs';

const f32 = (values: number[]) => Float32Array.from(values);

// Random GEMM shapes: empty, 1, odd, non-multiples of 8, and a few large ones.
const GEMM_SHAPES: [number, number, number][] = [
  [0, 0, 0], [0, 5, 3], [4, 0, 3], [3, 4, 0], [1, 1, 1], [1, 7, 1], [7, 1, 9], [2, 3, 5],
  [5, 9, 17], [8, 8, 8], [9, 15, 33], [16, 24, 7], [31, 33, 65], [64, 10, 128], [67, 129, 300],
  [128, 256, 200],
];

describe.each(backendsUnderTest())('gemm on $label', (entry) => {
  beforeAll(() => selectSimd(entry));
  const backend = entry.backend;

  describe('gemm', () => {
    // A = [[1, 2, 3], [4, 5, 6]], B = [[7, 8], [9, 10], [11, 12]]: AB = [[58, 64], [139, 154]].
    const A = f32([1, 2, 3, 4, 5, 6]);
    const B = f32([7, 8, 9, 10, 11, 12]);
    it.each([
      [false, false], [true, false], [false, true], [true, true],
    ])('computes alpha·op(A)·op(B) + beta·C with transA=%s transB=%s', (transA, transB) => {
      const a = storeAs(A, 2, 3, transA);
      const b = storeAs(B, 3, 2, transB);
      const c = f32([1, 2, 3, 4]);
      backend().gemm(transA, transB, 2, 2, 3, 2, a, b, 0.5, c);
      expect(Array.from(c)).toEqual([116.5, 129, 279.5, 310]);
    });

    it('never reads C when beta is 0 (NaN in C stays out)', () => {
      const c = f32([NaN, NaN, Infinity, -Infinity]);
      backend().gemm(false, false, 2, 2, 3, 1, A, B, 0, c);
      expect(Array.from(c)).toEqual([58, 64, 139, 154]);
    });

    it('leaves beta·C for k = 0 and for alpha = 0, without reading A or B', () => {
      const c = f32([1, -2, 3, -4]);
      backend().gemm(false, false, 2, 2, 0, 1, new Float32Array(0), new Float32Array(0), 3, c);
      expect(Array.from(c)).toEqual([3, -6, 9, -12]);
      const nanA = new Float32Array(6).fill(NaN);
      backend().gemm(false, false, 2, 2, 3, 0, nanA, B, -1, c);
      expect(Array.from(c)).toEqual([-3, 6, -9, 12]);
      backend().gemm(false, false, 2, 2, 3, 0, nanA, B, 0, c);
      expect(Array.from(c)).toEqual([0, 0, 0, 0]);
    });

    it('accepts empty outputs', () => {
      const c = new Float32Array(0);
      backend().gemm(false, false, 0, 3, 2, 1, new Float32Array(0), new Float32Array(6), 0, c);
      backend().gemm(false, true, 3, 0, 2, 1, new Float32Array(6), new Float32Array(0), 1, c);
      expect(c.length).toBe(0);
    });

    it.each(GEMM_SHAPES)('matches float64 within the k-scaled bound for m=%i n=%i k=%i, all transposes', (m, n, k) => {
      const random = makeRandom(m * 10007 + n * 101 + k);
      for (const [transA, transB] of [[false, false], [true, false], [false, true], [true, true]] as const) {
        const a = randomArray(m * k, random);
        const b = randomArray(k * n, random);
        const c = randomArray(m * n, random);
        const alpha = 1.5;
        const beta = transA ? 0 : -0.25;
        const { value, bound } = gemm64(transA, transB, m, n, k, alpha, a, b, beta, c);
        backend().gemm(transA, transB, m, n, k, alpha, a, b, beta, c);
        expectClose(c, value, accumulationTolerance(bound, k), `gemm ${m}x${n}x${k} transA=${transA} transB=${transB}`);
      }
    });
  });
});

describe.each(nativePaths())('gemm: native (%s) against the reference', (simd) => {
  let native: Backend;
  const reference = referenceBackend;
  beforeAll(() => {
    setSimdLevel(simd);
    native = nativeBackend();
  });

  it.each([
    [0, 0, 0], [1, 1, 1], [1, 300, 1], [300, 1, 2], [3, 5, 7], [17, 9, 33], [40, 41, 42], [96, 80, 784],
  ])('gemm agrees within the k-scaled bound for m=%i n=%i k=%i, every transpose, alpha and beta', (m, n, k) => {
    const random = makeRandom(m * 7 + n * 13 + k);
    for (const [transA, transB, alpha, beta] of [
      [false, false, 1, 0], [true, false, -0.5, 1], [false, true, 2, -1.5], [true, true, 1, 0.25],
    ] as const) {
      const a = randomArray(m * k, random);
      const b = randomArray(k * n, random);
      const c = randomArray(m * n, random);
      const expected = c.slice();
      reference.gemm(transA, transB, m, n, k, alpha, a, b, beta, expected);
      const bound = new Float32Array(m * n);
      reference.gemm(transA, transB, m, n, k, Math.abs(alpha), absolute(a), absolute(b), 0, bound);
      for (let i = 0; i < bound.length; i++) bound[i]! += Math.abs(beta * c[i]!);
      native.gemm(transA, transB, m, n, k, alpha, a, b, beta, c);
      expectClose(c, expected, accumulationTolerance(bound, k), `gemm ${m}x${n}x${k} ${transA} ${transB}`);
    }
  });
});
