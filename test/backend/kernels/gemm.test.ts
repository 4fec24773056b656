// GEMM on every backend: closed-form values, beta = 0 never reading C, degenerate shapes, random
// shapes against a float64 oracle, and native against the reference within the k-scaled bound.
import { beforeAll, describe, expect, it } from 'vitest';
import { getNumThreads, nativeBackend, referenceBackend, setNumThreads, setSimdLevel } from '../../../lib/backend';
import type { Activation, Backend } from '../../../lib/backend';
import { bits, nativePaths } from '../native-paths';
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

// Shapes that cross the native kernels' blocks: KC = 384 (k split into balanced blocks), MC = 240
// rows (480 on avx512), NC = 3072 columns, and the tile edges of the micro-kernels (MR 4, 6 or
// 12, NR 8, 16 or 32); n ≤ 16 takes the AVX2 path that reads A in place.
const BLOCK_SHAPES: [number, number, number][] = [
  [6, 16, 384], [7, 17, 385], [12, 33, 770], [13, 31, 600], [241, 9, 20], [245, 35, 400],
  [5, 3073, 3], [3, 3090, 390], [13, 10, 770], [250, 16, 30], [12, 32, 384], [481, 65, 400],
  [485, 97, 20],
];

// The avx512 level's paths (native/kernels/gemm.cc, gemm_avx512.cc) with ragged edges: m not a
// multiple of MR = 12, n not of NR = 32 (or 16, the one-vector kernel), k not of KC = 384. Small
// products with B not transposed read A and B in place; transA with a narrow C computes C^T.
const AVX512_PATH_SHAPES: [number, number, number, string][] = [
  [25, 47, 385, 'in place; C^T when transA; NT packed with a one-vector edge tile'],
  [40, 40, 800, 'in place with an edge row panel packed, three k blocks; NT, TT packed'],
  [37, 33, 150, 'in place, a one-column edge tile; C^T when transA'],
  [23, 30, 90, 'in place; NT, TT one tile wide: A in place, B packed'],
  [128, 10, 128, 'NN, NT one tile wide with one vector per row; C^T in place when transA'],
  [64, 6, 900, 'C^T in place over three k blocks when transA'],
  [600, 10, 200, 'C^T from packed panels past MC when transA'],
  [320, 22, 800, 'C^T from packed panels, two row tiles of C^T, when transA'],
  [300, 13, 800, 'one tile wide with one vector per row, three k blocks'],
  [256, 3, 100, 'C^T of 3 rows: the 4-row kernel, when transA'],
  [272, 2, 30, 'C^T of 2 rows, its last tile 16 wide: one vector per row, when transA'],
  [131, 1, 77, 'one column'],
  [1, 131, 77, 'one row'],
];

const TRANSPOSES = [[false, false], [true, false], [false, true], [true, true]] as const;

/** act(v) in float64 for the oracle: NaN passes, relu(±0) = 0. */
function activate64(v: number, activation: Activation, slope: number): number {
  if (activation === 'none' || v > 0 || Number.isNaN(v)) return v;
  return activation === 'relu' ? 0 : slope * v;
}

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

    it.each(BLOCK_SHAPES)('matches float64 across the block boundaries for m=%i n=%i k=%i, all transposes', (m, n, k) => {
      const random = makeRandom(m * 7919 + n * 31 + k);
      for (const [transA, transB] of TRANSPOSES) {
        const a = randomArray(m * k, random);
        const b = randomArray(k * n, random);
        const c = randomArray(m * n, random);
        const beta = transB ? 0.5 : 0;
        const { value, bound } = gemm64(transA, transB, m, n, k, -0.75, a, b, beta, c);
        backend().gemm(transA, transB, m, n, k, -0.75, a, b, beta, c);
        expectClose(c, value, accumulationTolerance(bound, k), `gemm ${m}x${n}x${k} transA=${transA} transB=${transB}`);
      }
    });

    it('never reads C when beta is 0, over several k blocks and row blocks', () => {
      const [m, n, k] = [250, 20, 600];
      const random = makeRandom(42);
      const a = randomArray(m * k, random);
      const b = randomArray(k * n, random);
      const c = new Float32Array(m * n).fill(NaN);
      const { value, bound } = gemm64(false, false, m, n, k, 1, a, b, 0, c);
      backend().gemm(false, false, m, n, k, 1, a, b, 0, c);
      expectClose(c, value, accumulationTolerance(bound, k), 'gemm with NaN in C and beta = 0');
    });

    it('propagates NaN and Inf from A and B to the rows and columns they touch', () => {
      const [m, n, k] = [7, 18, 400];
      const a = new Float32Array(m * k).fill(1);
      const b = new Float32Array(k * n).fill(1);
      a[3 * k + k - 1] = NaN; // row 3 of A, in the last k block
      b[5 * n + 17] = Infinity; // column 17 of B
      const c = new Float32Array(m * n);
      backend().gemm(false, false, m, n, k, 1, a, b, 0, c);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          const expected = i === 3 ? NaN : j === 17 ? Infinity : k;
          expect(c[i * n + j], `c[${i}][${j}]`).toBe(expected);
        }
      }
    });
  });

  describe('gemmBiasActivation', () => {
    // AB = [[58, 64], [139, 154]] as above; bias = [-100, -64]: sums [[-42, 0], [39, 90]].
    const A = f32([1, 2, 3, 4, 5, 6]);
    const B = f32([7, 8, 9, 10, 11, 12]);
    const bias = f32([-100, -64]);
    it.each([
      ['none', [-42, 0, 39, 90]], ['relu', [0, 0, 39, 90]], ['leakyRelu', [-10.5, 0, 39, 90]],
    ] as const)('computes %s(op(A)·op(B) + bias) in the four transpose cases', (activation, expected) => {
      for (const [transA, transB] of TRANSPOSES) {
        const c = f32([NaN, NaN, NaN, NaN]); // written, never read
        backend().gemmBiasActivation(transA, transB, 2, 2, 3, storeAs(A, 2, 3, transA), storeAs(B, 3, 2, transB), bias, activation, 0.25, c);
        expect(Array.from(c)).toEqual(expected.map(Math.fround));
      }
    });

    it('maps relu and leakyRelu at 0 and -0 to +0 (relu) and keeps NaN', () => {
      const c = new Float32Array(6);
      // k = 1: products [0, -0, NaN] (0·x, -0·x, NaN·x) plus bias [0, -0, 1], rows x = 1 and 2.
      backend().gemmBiasActivation(false, false, 2, 3, 1, f32([1, 2]), f32([0, -0, NaN]), f32([0, -0, 1]), 'relu', 0, c);
      expect(Array.from(c).slice(0, 2).every((v) => Object.is(v, 0))).toBe(true);
      expect(Object.is(c[3], 0) && Object.is(c[4], 0)).toBe(true);
      expect(Number.isNaN(c[2]!) && Number.isNaN(c[5]!)).toBe(true);
      backend().gemmBiasActivation(false, false, 2, 3, 1, f32([1, 2]), f32([-1, 0, NaN]), f32([0, 0, 0]), 'leakyRelu', 0.5, c);
      expect(Array.from(c)).toEqual([-0.5, 0, NaN, -1, 0, NaN]);
    });

    it('propagates NaN from A, B and bias to the rows and columns they touch', () => {
      const [m, n, k] = [9, 20, 400];
      const a = new Float32Array(m * k).fill(0.5);
      const b = new Float32Array(k * n).fill(-1);
      const nanBias = new Float32Array(n).fill(1);
      a[2 * k + 100] = NaN; // row 2
      b[(k - 1) * n + 4] = NaN; // column 4, in the last k block
      nanBias[17] = NaN; // column 17
      for (const activation of ['none', 'relu', 'leakyRelu'] as const) {
        const c = new Float32Array(m * n);
        backend().gemmBiasActivation(false, false, m, n, k, a, b, nanBias, activation, 0.25, c);
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < n; j++) {
            const expected = i === 2 || j === 4 || j === 17 ? NaN : activate64(1 - 0.5 * k, activation, 0.25);
            expect(c[i * n + j], `${activation} c[${i}][${j}]`).toBe(expected);
          }
        }
      }
    });

    it('gives act(bias) in every row when k = 0', () => {
      const c = new Float32Array(6).fill(NaN);
      backend().gemmBiasActivation(false, true, 2, 3, 0, new Float32Array(0), new Float32Array(0), f32([-2, 0, 3]), 'leakyRelu', 0.5, c);
      expect(Array.from(c)).toEqual([-1, 0, 3, -1, 0, 3]);
    });

    it.each([[1, 1, 1], [7, 17, 385], [13, 31, 800], [245, 35, 270], [3, 3090, 20]])(
      'matches float64 for m=%i n=%i k=%i, all transposes and activations', (m, n, k) => {
        const random = makeRandom(m * 131 + n * 17 + k);
        TRANSPOSES.forEach(([transA, transB], t) => {
          const activation = (['none', 'relu', 'leakyRelu', 'leakyRelu'] as const)[t]!;
          const a = randomArray(m * k, random);
          const b = randomArray(k * n, random);
          const bias = randomArray(n, random);
          const slope = 0.125;
          const { value, bound } = gemm64(transA, transB, m, n, k, 1, a, b, 0, new Float32Array(m * n));
          for (let i = 0; i < m; i++) {
            for (let j = 0; j < n; j++) {
              value[i * n + j] = activate64(value[i * n + j]! + bias[j]!, activation, slope);
              bound[i * n + j]! += Math.abs(bias[j]!);
            }
          }
          const c = new Float32Array(m * n);
          backend().gemmBiasActivation(transA, transB, m, n, k, a, b, bias, activation, slope, c);
          expectClose(c, value, accumulationTolerance(bound, k + 1), `gemmBiasActivation ${m}x${n}x${k} ${activation}`);
        });
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

  it.each([
    [0, 3, 2], [2, 0, 2], [1, 1, 1], [3, 5, 0], [17, 9, 33], [40, 41, 42], [96, 80, 784],
  ])('gemmBiasActivation agrees within the k-scaled bound for m=%i n=%i k=%i', (m, n, k) => {
    const random = makeRandom(m * 5 + n * 11 + k);
    for (const [transA, transB, activation] of [
      [false, false, 'relu'], [true, false, 'none'], [false, true, 'leakyRelu'], [true, true, 'relu'],
    ] as const) {
      const a = randomArray(m * k, random);
      const b = randomArray(k * n, random);
      const bias = randomArray(n, random);
      const expected = new Float32Array(m * n);
      reference.gemmBiasActivation(transA, transB, m, n, k, a, b, bias, activation, 0.2, expected);
      const bound = new Float32Array(m * n);
      reference.gemm(transA, transB, m, n, k, 1, absolute(a), absolute(b), 0, bound);
      for (let i = 0; i < bound.length; i++) bound[i]! += Math.abs(bias[i % n]!);
      const c = new Float32Array(m * n);
      native.gemmBiasActivation(transA, transB, m, n, k, a, b, bias, activation, 0.2, c);
      expectClose(c, expected, accumulationTolerance(bound, k + 1), `gemmBiasActivation ${m}x${n}x${k} ${activation}`);
    }
  });
});

describe.each(nativePaths())('gemm: native (%s) along every path of the avx512 level against the reference', (simd) => {
  let native: Backend;
  const reference = referenceBackend;
  beforeAll(() => {
    setSimdLevel(simd);
    native = nativeBackend();
  });

  it.each(AVX512_PATH_SHAPES)('gemm agrees for m=%i n=%i k=%i (%s), every transpose', (m, n, k) => {
    const random = makeRandom(m * 31 + n * 7 + k);
    for (const [transA, transB, alpha, beta] of [
      [false, false, 1, 0], [true, false, 0.5, -1], [false, true, -2, 1], [true, true, 1, 0.25],
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

  it.each(AVX512_PATH_SHAPES)('gemmBiasActivation agrees for m=%i n=%i k=%i (%s), every transpose', (m, n, k) => {
    const random = makeRandom(m * 37 + n * 11 + k);
    for (const [transA, transB, activation] of [
      [false, false, 'relu'], [true, false, 'leakyRelu'], [false, true, 'none'], [true, true, 'relu'],
    ] as const) {
      const a = randomArray(m * k, random);
      const b = randomArray(k * n, random);
      const bias = randomArray(n, random);
      const expected = new Float32Array(m * n);
      reference.gemmBiasActivation(transA, transB, m, n, k, a, b, bias, activation, 0.3, expected);
      const bound = new Float32Array(m * n);
      reference.gemm(transA, transB, m, n, k, 1, absolute(a), absolute(b), 0, bound);
      for (let i = 0; i < bound.length; i++) bound[i]! += Math.abs(bias[i % n]!);
      const c = new Float32Array(m * n).fill(NaN); // written, never read
      native.gemmBiasActivation(transA, transB, m, n, k, a, b, bias, activation, 0.3, c);
      expectClose(c, expected, accumulationTolerance(bound, k + 1), `gemmBiasActivation ${m}x${n}x${k} ${activation}`);
    }
  });

  it('never reads C when beta is 0 on the narrow C^T path and the in-place path', () => {
    for (const [transA, m, n, k] of [[true, 70, 9, 300], [false, 30, 40, 50]] as const) {
      const random = makeRandom(m + n + k);
      const a = randomArray(m * k, random);
      const b = randomArray(k * n, random);
      const c = new Float32Array(m * n).fill(NaN);
      const { value, bound } = gemm64(transA, false, m, n, k, 1, a, b, 0, c);
      native.gemm(transA, false, m, n, k, 1, a, b, 0, c);
      expectClose(c, value, accumulationTolerance(bound, k), `gemm ${m}x${n}x${k} transA=${transA} with NaN in C`);
    }
  });
});

describe.each(nativePaths())('gemm: native (%s) gives the same bits on any number of threads', (simd) => {
  let native: Backend;
  let before: number;
  beforeAll(() => {
    setSimdLevel(simd);
    native = nativeBackend();
    before = getNumThreads();
    return () => setNumThreads(before);
  });

  it.each([[250, 300, 260], [97, 3100, 30], [600, 40, 400], [3000, 10, 300], [20, 30, 15000], [5000, 12, 200], [3, 1000, 785], [7, 2001, 300], [1, 5000, 600]])('for m=%i n=%i k=%i with 1, 2, 3 and 4 threads', (m, n, k) => {
    const random = makeRandom(m + n + k);
    const a = randomArray(m * k, random);
    const b = randomArray(k * n, random);
    const bias = randomArray(n, random);
    const c0 = randomArray(m * n, random);
    const results: Uint32Array[] = [];
    for (const threads of [1, 2, 3, 4]) {
      setNumThreads(threads);
      const c = c0.slice();
      native.gemm(false, true, m, n, k, 0.5, a, b, -1, c);
      const d = new Float32Array(m * n);
      native.gemmBiasActivation(true, false, m, n, k, a, b, bias, 'leakyRelu', 0.1, d);
      results.push(new Uint32Array([...bits(c), ...bits(d)]));
    }
    for (const r of results.slice(1)) expect(r.every((v, i) => v === results[0]![i])).toBe(true);
  });
});

// Small m (batch-1 inference, x·Wᵀ with W stored [out, in]): with B stored transposed and k
// long enough (k ≥ 8·m on avx512, 16·m on avx2, any k on the portable level) the GEMV kernel
// (native/kernels/gemm_gemv.h: dot products along k, up to 8 rows, neither operand packed; k =
// 255 and 785 take it on every level and leave every tail of 16, 8 and 4 lanes);
// with B not transposed, one row tile reads B in place (microKernelDirect on avx2 and avx512).
// n and k odd, around and past the vector widths; every transpose; beta 0 (C full of NaN: never
// read), 1 and another; the epilogue with each activation.
const SMALL_M = [1, 2, 3, 5, 7];
const SMALL_M_SIDES = [1, 3, 17, 785];
const SMALL_M_DEPTHS = [1, 3, 17, 255, 785];

describe.each(nativePaths())('gemm: native (%s) at small m (GEMV and B in place) against the reference', (simd) => {
  let native: Backend;
  const reference = referenceBackend;
  beforeAll(() => {
    setSimdLevel(simd);
    native = nativeBackend();
  });

  it.each(SMALL_M)('gemm agrees within the declared bound for m=%i, n in 1, 3, 17, 785, k in 1, 3, 17, 255, 785, every transpose, beta 0, 1, -0.75', (m) => {
    for (const n of SMALL_M_SIDES) {
      for (const k of SMALL_M_DEPTHS) {
        const random = makeRandom(m * 1009 + n * 13 + k);
        TRANSPOSES.forEach(([transA, transB], t) => {
          const a = randomArray(m * k, random);
          const b = randomArray(k * n, random);
          for (const beta of [0, 1, -0.75]) {
            const alpha = [1, -0.5, 2, 0.25][t]!;
            const c = beta === 0 ? new Float32Array(m * n).fill(NaN) : randomArray(m * n, random);
            const expected = c.slice();
            reference.gemm(transA, transB, m, n, k, alpha, a, b, beta, expected);
            const bound = new Float32Array(m * n);
            reference.gemm(transA, transB, m, n, k, Math.abs(alpha), absolute(a), absolute(b), 0, bound);
            if (beta !== 0) for (let i = 0; i < bound.length; i++) bound[i]! += Math.abs(beta * c[i]!);
            native.gemm(transA, transB, m, n, k, alpha, a, b, beta, c);
            expectClose(c, expected, accumulationTolerance(bound, k), `gemm ${m}x${n}x${k} transA=${transA} transB=${transB} beta=${beta}`);
          }
        });
      }
    }
  });

  it.each(SMALL_M)('gemmBiasActivation agrees within the declared bound for m=%i, n in 1, 3, 17, 785, k in 1, 3, 17, 255, 785, every transpose and activation', (m) => {
    for (const n of SMALL_M_SIDES) {
      for (const k of SMALL_M_DEPTHS) {
        const random = makeRandom(m * 2003 + n * 7 + k);
        for (const [transA, transB] of TRANSPOSES) {
          const a = randomArray(m * k, random);
          const b = randomArray(k * n, random);
          const bias = randomArray(n, random);
          for (const [activation, slope] of [['none', 0], ['relu', 0], ['leakyRelu', 0.1], ['leakyRelu', -3]] as const) {
            const expected = new Float32Array(m * n);
            reference.gemmBiasActivation(transA, transB, m, n, k, a, b, bias, activation, slope, expected);
            const bound = new Float32Array(m * n);
            reference.gemm(transA, transB, m, n, k, 1, absolute(a), absolute(b), 0, bound);
            const scale = activation === 'leakyRelu' ? Math.max(1, Math.abs(slope)) : 1;
            for (let i = 0; i < bound.length; i++) bound[i] = scale * (bound[i]! + Math.abs(bias[i % n]!));
            const c = new Float32Array(m * n).fill(NaN); // written, never read
            native.gemmBiasActivation(transA, transB, m, n, k, a, b, bias, activation, slope, c);
            expectClose(c, expected, accumulationTolerance(bound, k + 1), `gemmBiasActivation ${m}x${n}x${k} transA=${transA} transB=${transB} ${activation} ${slope}`);
          }
        }
      }
    }
  });

  it.each([[1, 40, 1000], [8, 33, 300], [9, 33, 300], [4, 3000, 130], [4, 3000, 127], [2, 50, 33]])('gemm agrees for m=%i n=%i k=%i (the row-count edges of the GEMV, and k around where it starts)', (m, n, k) => {
    const random = makeRandom(m * 17 + n + k);
    for (const [transA, transB] of TRANSPOSES) {
      const a = randomArray(m * k, random);
      const b = randomArray(k * n, random);
      const c = randomArray(m * n, random);
      const expected = c.slice();
      reference.gemm(transA, transB, m, n, k, 1.25, a, b, 0.5, expected);
      const bound = new Float32Array(m * n);
      reference.gemm(transA, transB, m, n, k, 1.25, absolute(a), absolute(b), 0, bound);
      for (let i = 0; i < bound.length; i++) bound[i]! += Math.abs(0.5 * c[i]!);
      native.gemm(transA, transB, m, n, k, 1.25, a, b, 0.5, c);
      expectClose(c, expected, accumulationTolerance(bound, k), `gemm ${m}x${n}x${k} transA=${transA} transB=${transB}`);
    }
  });

  it.each([[false, true], [true, true]] as const)('gives each row the same bits as that row alone at m = 2..8 (transA=%s, transB=%s)', (transA, transB) => {
    // The GEMV sums every element alike whatever the groups of rows and columns around it (the
    // row groups of 4, 3, 2 or 1 take column groups of different widths; n = 37 leaves a ragged
    // block of 5 columns), and gemmBiasActivation's epilogue is the same write-back.
    const [n, k] = [37, 785];
    const random = makeRandom(n + k);
    const b = randomArray(k * n, random);
    const bias = randomArray(n, random);
    for (let m = 2; m <= 8; m++) {
      const x = randomArray(m * k, random); // op(A) row-major
      const a = storeAs(x, m, k, transA);
      const c = new Float32Array(m * n);
      native.gemm(transA, transB, m, n, k, 0.5, a, b, 0, c);
      const d = new Float32Array(m * n);
      native.gemmBiasActivation(transA, transB, m, n, k, a, b, bias, 'leakyRelu', 0.25, d);
      for (let i = 0; i < m; i++) {
        const row = x.slice(i * k, (i + 1) * k);
        const alone = new Float32Array(n);
        native.gemm(transA, transB, 1, n, k, 0.5, row, b, 0, alone);
        expect(Array.from(bits(c.subarray(i * n, (i + 1) * n))), `gemm row ${i} of ${m}`).toEqual(Array.from(bits(alone)));
        native.gemmBiasActivation(transA, transB, 1, n, k, row, b, bias, 'leakyRelu', 0.25, alone);
        expect(Array.from(bits(d.subarray(i * n, (i + 1) * n))), `gemmBiasActivation row ${i} of ${m}`).toEqual(Array.from(bits(alone)));
      }
    }
  });

  it.each(TRANSPOSES)('propagates NaN and Inf from A and B to the rows and columns they touch at m=3 (transA=%s, transB=%s)', (transA, transB) => {
    const [m, n, k] = [3, 19, 101];
    const a = new Float32Array(m * k).fill(1);
    const b = new Float32Array(k * n).fill(1);
    a[transA ? (k - 1) * m + 1 : 1 * k + k - 1] = NaN; // A(1, k - 1): the masked tail of the GEMV
    b[transB ? 17 * k + 5 : 5 * n + 17] = Infinity; // B(5, 17)
    const c = new Float32Array(m * n);
    native.gemm(transA, transB, m, n, k, 1, a, b, 0, c);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        const expected = i === 1 ? NaN : j === 17 ? Infinity : k;
        expect(c[i * n + j], `c[${i}][${j}]`).toBe(expected);
      }
    }
  });
});
