// gemmBf16 and gemmBf16BiasActivation on every backend: closed forms (exact products, the
// rounding of the operands, subnormals read as zero and flushed results, the order of the pairs
// of steps), the bfloat16 table against the float32 one, and native against the reference bit
// for bit on every path (AVX-512 BF16, its emulation on AVX-512, AVX2 and portable), on 1 and 2
// threads, on odd shapes and shapes that cross the k blocks; the reference against a float64
// product of the rounded operands.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  getNumThreads, kernelsOf, nativeBackend, nativeInfo, nativeKernels, referenceBackend, referenceKernels, setBf16Instructions,
  setNumThreads, setSimdLevel, toBfloat16,
} from '../../../lib/backend';
import type { Activation, Backend, SimdLevel } from '../../../lib/backend';
import { bfloat16ToFloat, floatToBfloat16 } from '../../../lib/backend/bfloat16';
import { backendsUnderTest, selectSimd } from '../backends';
import { bits, nativePaths } from '../native-paths';
import { makeRandom, randomArray, storeAs } from '../random-inputs';

const f32 = (values: number[]) => Float32Array.from(values);
const TRANSPOSES = [[false, false], [true, false], [false, true], [true, true]] as const;

/** The same bits, NaN matching any NaN; the first difference in the message. */
function expectBits(actual: Float32Array, expected: Float32Array, what: string): void {
  const a = bits(actual);
  const e = bits(expected);
  expect(a.length, `${what}: length`).toBe(e.length);
  let count = 0;
  let first = -1;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === e[i] || (Number.isNaN(actual[i]) && Number.isNaN(expected[i]))) continue;
    if (count++ === 0) first = i;
  }
  if (count > 0) expect.fail(`${what}: ${count} of ${a.length} elements differ; first [${first}] ${actual[first]} (reference ${expected[first]})`);
}

/** The value the GEMM multiplies: rounded to bfloat16, a subnormal as zero. */
function operand(x: number): number {
  const h = floatToBfloat16(x);
  return bfloat16ToFloat((h & 0x7f80) === 0 ? h & 0x8000 : h);
}

describe.each(backendsUnderTest())('gemmBf16 on $label', (entry) => {
  beforeAll(() => selectSimd(entry));
  const backend = entry.backend;
  // A = [[1, 2, 3], [4, 5, 6]], B = [[7, 8], [9, 10], [11, 12]]: bfloat16 holds them, AB = [[58, 64], [139, 154]].
  const A = f32([1, 2, 3, 4, 5, 6]);
  const B = f32([7, 8, 9, 10, 11, 12]);

  it.each(TRANSPOSES)('computes alpha·op(A)·op(B) + beta·C with transA=%s transB=%s', (transA, transB) => {
    const c = f32([1, 2, 3, 4]);
    backend().gemmBf16(transA, transB, 2, 2, 3, 2, storeAs(A, 2, 3, transA), storeAs(B, 3, 2, transB), 0.5, c);
    expect(Array.from(c)).toEqual([116.5, 129, 279.5, 310]);
    const d = new Float32Array(4);
    backend().gemmBf16BiasActivation(transA, transB, 2, 2, 3, storeAs(A, 2, 3, transA), storeAs(B, 3, 2, transB), f32([-100, -64.5]), 'relu', 0, d);
    expect(Array.from(d)).toEqual([0, 0, 39, 89.5]);
  });

  it('rounds float32 operands to bfloat16, to nearest even', () => {
    const c = new Float32Array(4);
    // 1 + 2^-8 is halfway between 1 and 1 + 2^-7: to the even 1. 1 + 3·2^-8: to 1 + 2^-6. Just past halfway: up.
    backend().gemmBf16(false, false, 4, 1, 1, 1, f32([1 + 2 ** -8, 1 + 3 * 2 ** -8, 1 + 2 ** -8 + 2 ** -20, -(1 + 2 ** -8)]), f32([1]), 0, c);
    expect(Array.from(c)).toEqual([1, 1 + 2 ** -6, 1 + 2 ** -7, -1]);
  });

  it('reads a subnormal operand as zero and flushes a subnormal result, keeping the sign', () => {
    const c = new Float32Array(4);
    // 2^-130 is subnormal in bfloat16 too: read as 0. 2^-70·2^-70 = 2^-140 is a subnormal result: 0 of its sign.
    backend().gemmBf16(false, false, 4, 1, 1, 1, f32([2 ** -130, -(2 ** -70), 2 ** -70, 2 ** -63]), f32([2 ** 100]), 0, c);
    expect(Array.from(c)).toEqual([0, -(2 ** 30), 2 ** 30, 2 ** 37]);
    const d = new Float32Array(2);
    backend().gemmBf16(false, false, 2, 1, 1, 1, f32([2 ** -70, -(2 ** -70)]), f32([2 ** -70]), 0, d);
    expect(Object.is(d[0], 0) && Object.is(d[1], -0)).toBe(true);
  });

  it('takes the steps in pairs, the odd one first: 1, 0, 2^-24, -1 sum to 2^-24', () => {
    // (s1 + s0) + s3 = 0, then + s2 = 2^-24; step by step, 1 + 2^-24 would round to 1 and give 0.
    const c = new Float32Array(1);
    backend().gemmBf16(false, false, 1, 1, 4, 1, f32([1, 0, 2 ** -24, -1]), f32([1, 1, 1, 1]), 0, c);
    expect(c[0]).toBe(2 ** -24);
  });

  it('never reads C when beta is 0, leaves beta·C for k = 0 and alpha = 0, gives act(bias) for k = 0', () => {
    const c = f32([NaN, NaN, Infinity, -Infinity]);
    backend().gemmBf16(false, false, 2, 2, 3, 1, A, B, 0, c);
    expect(Array.from(c)).toEqual([58, 64, 139, 154]);
    const d = f32([1, 2, 3, 4]);
    backend().gemmBf16(false, false, 2, 2, 0, 1, new Float32Array(0), new Float32Array(0), 3, d);
    expect(Array.from(d)).toEqual([3, 6, 9, 12]);
    backend().gemmBf16(false, false, 2, 2, 3, 0, A, B, 0, d);
    expect(Array.from(d)).toEqual([0, 0, 0, 0]);
    const e = new Float32Array(4).fill(NaN);
    backend().gemmBf16BiasActivation(false, false, 2, 2, 0, new Float32Array(0), new Float32Array(0), f32([-0, -2]), 'none', 0, e);
    expect(Array.from(e)).toEqual([0, -2, 0, -2]);
    expect(Object.is(e[0], 0)).toBe(true); // 0 + (-0) is +0
  });

  it('propagates NaN and Inf from an operand to the row it touches', () => {
    const c = new Float32Array(4);
    backend().gemmBf16(false, false, 2, 2, 3, 1, f32([1, NaN, 3, 4, 5, 6]), B, 0, c);
    expect(Number.isNaN(c[0]) && Number.isNaN(c[1])).toBe(true);
    expect(Array.from(c.subarray(2))).toEqual([139, 154]);
    backend().gemmBf16(false, false, 2, 2, 3, 1, f32([1, 2, 3, Infinity, 5, 6]), B, 0, c);
    expect(Array.from(c)).toEqual([58, 64, Infinity, Infinity]);
  });
});

describe('gemmBf16 in its dtypes', () => {
  it('gives the float32 table\'s bits from bfloat16 operands, on the reference and native backends', () => {
    const random = makeRandom(5);
    const [m, n, k] = [9, 21, 50];
    const a = randomArray(m * k, random);
    const b = randomArray(k * n, random);
    const bias = randomArray(n, random);
    const tables = [referenceKernels('bfloat16'), ...(nativePaths().length > 0 ? [nativeKernels('bfloat16')] : [])];
    const expected = new Float32Array(m * n);
    referenceBackend.gemmBf16(false, true, m, n, k, -0.5, a, b, 0, expected);
    const expectedBias = new Float32Array(m * n);
    referenceBackend.gemmBf16BiasActivation(true, false, m, n, k, storeAs(a, m, k, true), b, bias, 'leakyRelu', 0.1, expectedBias);
    for (const table of tables) {
      const c = new Float32Array(m * n);
      table.gemmBf16(false, true, m, n, k, -0.5, toBfloat16(a), toBfloat16(b), 0, c);
      expectBits(c, expected, 'gemmBf16 from bfloat16 bits');
      const d = new Float32Array(m * n);
      table.gemmBf16BiasActivation(true, false, m, n, k, toBfloat16(storeAs(a, m, k, true)), toBfloat16(b), bias, 'leakyRelu', 0.1, d);
      expectBits(d, expectedBias, 'gemmBf16BiasActivation from bfloat16 bits');
    }
  });

  it('reads a subnormal bfloat16 operand as zero', () => {
    for (const table of [referenceKernels('bfloat16'), ...(nativePaths().length > 0 ? [nativeKernels('bfloat16')] : [])]) {
      const c = new Float32Array(2);
      table.gemmBf16(false, false, 2, 1, 1, 1, Uint16Array.of(0x0001, 0x8040), Uint16Array.of(0x7f00), 0, c); // 2^-133, -2^-127 times 2^127
      // Not 2^-6 and -1: each product is a zero, and a zero product added to the starting +0 is +0.
      expect(Object.is(c[0], 0) && Object.is(c[1], 0), `${c[0]}, ${c[1]}`).toBe(true);
    }
  });

  it('refuses float64, and float64 or bfloat16 outputs', () => {
    expect(() => kernelsOf('float64').gemmBf16(false, false, 1, 1, 1, 1, new Float64Array(1), new Float64Array(1), 0, new Float32Array(1)))
      .toThrow('gemmBf16: Expected a dtype it declares (float32 or bfloat16) but received float64');
    expect(() => referenceKernels('bfloat16').gemmBf16(false, false, 1, 1, 1, 1, new Uint16Array(1), new Uint16Array(1), 0, new Uint16Array(1) as never))
      .toThrow(/gemmBf16: Expected a Float32Array .*for c but received a Uint16Array/);
  });
});

interface Path {
  simd: SimdLevel;
  bf16: boolean;
}

/** Every native path: each SIMD level, and on avx512 with and without the BF16 instructions. */
function bf16Paths(): Path[] {
  const detected = nativeInfo().detectedBf16 === true;
  return nativePaths().flatMap((simd): Path[] => (simd === 'avx512' && detected ? [{ simd, bf16: true }, { simd, bf16: false }] : [{ simd, bf16: false }]));
}
const label = (p: Path) => `${p.simd}${p.bf16 ? '+bf16' : p.simd === 'portable' ? '' : ' emulated'}`;

// Odd shapes, tile edges (MR 4, 6, 12; NR 8, 16, 32), k blocks (KC 384: 385 and 800 cut into
// 2 and 3 balanced blocks), odd k (a padded step), narrow C (C^T when transA).
const SHAPES: [number, number, number][] = [
  [1, 1, 1], [1, 1, 2], [2, 3, 5], [7, 17, 3], [13, 31, 64], [12, 32, 2], [25, 47, 385], [37, 33, 150],
  [5, 3, 801], [128, 10, 129], [10, 128, 128], [131, 9, 33], [49, 129, 1], [3, 70, 770],
];

describe.each(bf16Paths().map((p) => [label(p), p] as const))('gemmBf16: native (%s) against the reference, bit for bit', (_label, path) => {
  let native: Backend;
  let threads: number;
  beforeAll(() => {
    threads = getNumThreads();
    setSimdLevel(path.simd);
    setBf16Instructions(path.bf16);
    native = nativeBackend();
  });
  afterAll(() => {
    setNumThreads(threads);
    setSimdLevel(nativeInfo().detectedSimd!);
    setBf16Instructions(nativeInfo().detectedBf16 === true);
  });

  it.each(SHAPES)('gemmBf16 for m=%i n=%i k=%i, every transpose, alpha and beta, on 1 and 2 threads', (m, n, k) => {
    const random = makeRandom(m * 7 + n * 13 + k);
    for (const [transA, transB, alpha, beta] of [
      [false, false, 1, 0], [true, false, -0.75, 0.5], [false, true, 2, -1], [true, true, 1, 1],
    ] as const) {
      const a = randomArray(m * k, random);
      const b = randomArray(k * n, random);
      const c = randomArray(m * n, random);
      const expected = c.slice();
      referenceBackend.gemmBf16(transA, transB, m, n, k, alpha, a, b, beta, expected);
      for (const t of [1, 2]) {
        setNumThreads(t);
        const got = c.slice();
        native.gemmBf16(transA, transB, m, n, k, alpha, a, b, beta, got);
        expectBits(got, expected, `gemmBf16 ${m}x${n}x${k} ${transA ? 'T' : 'N'}${transB ? 'T' : 'N'} on ${t} threads`);
      }
    }
  });

  it.each(SHAPES)('gemmBf16BiasActivation for m=%i n=%i k=%i, every transpose and activation, on 1 and 2 threads', (m, n, k) => {
    const random = makeRandom(m * 5 + n * 11 + k);
    for (const [transA, transB, activation] of [
      [false, true, 'relu'], [true, false, 'none'], [false, false, 'leakyRelu'], [true, true, 'relu'],
    ] as const satisfies readonly (readonly [boolean, boolean, Activation])[]) {
      const a = randomArray(m * k, random);
      const b = randomArray(k * n, random);
      const bias = randomArray(n, random);
      const expected = new Float32Array(m * n);
      referenceBackend.gemmBf16BiasActivation(transA, transB, m, n, k, a, b, bias, activation, 0.1, expected);
      for (const t of [1, 2]) {
        setNumThreads(t);
        const got = new Float32Array(m * n).fill(NaN); // written, never read
        native.gemmBf16BiasActivation(transA, transB, m, n, k, a, b, bias, activation, 0.1, got);
        expectBits(got, expected, `gemmBf16BiasActivation ${m}x${n}x${k} ${activation} on ${t} threads`);
      }
    }
  });

  it('agrees where sums fall below FLT_MIN (operands near 2^-64: the flush decides the bits) and on large products', () => {
    for (const [m, n, k, scale] of [[23, 41, 77, 2 ** -63], [40, 19, 390, 2 ** -63], [64, 600, 300, 1], [300, 64, 1000, 1]] as const) {
      const random = makeRandom(m + n + k);
      const a = randomArray(m * k, random).map((v) => v * scale);
      const b = randomArray(k * n, random).map((v) => v * scale);
      const expected = new Float32Array(m * n);
      referenceBackend.gemmBf16(false, false, m, n, k, 1, a, b, 0, expected);
      for (const t of [1, 2]) {
        setNumThreads(t);
        const got = new Float32Array(m * n);
        native.gemmBf16(false, false, m, n, k, 1, a, b, 0, got);
        expectBits(got, expected, `gemmBf16 ${m}x${n}x${k} scale ${scale} on ${t} threads`);
      }
    }
  });
});

describe('gemmBf16: the reference against a float64 product of the rounded operands', () => {
  it.each(SHAPES)('m=%i n=%i k=%i: within (k + 4)·2^-24 of Σ|a·b| (each step rounds once)', (m, n, k) => {
    const random = makeRandom(m * 3 + n + k);
    const a = randomArray(m * k, random);
    const b = randomArray(k * n, random);
    const c = new Float32Array(m * n);
    referenceBackend.gemmBf16(false, true, m, n, k, 1, a, b, 0, c);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        let scale = 0;
        for (let p = 0; p < k; p++) {
          const product = operand(a[i * k + p]!) * operand(b[j * k + p]!);
          sum += product;
          scale += Math.abs(product);
        }
        const bound = (k + 4) * 2 ** -24 * scale + 2 * (k + 1) * 2 ** -126;
        expect(Math.abs(c[i * n + j]! - sum) <= bound, `[${i}, ${j}]: ${c[i * n + j]} against ${sum}, bound ${bound}`).toBe(true);
      }
    }
  });
});
