// One suite of kernel cases, run against every backend: closed-form values, special values,
// degenerate shapes, and random inputs of many shapes against float64 oracles computed here.
import { beforeAll, describe, expect, it } from 'vitest';
import { accumulationTolerance } from '../../lib/backend/compare';
import { backendsUnderTest, selectSimd } from './backends';
import { expectClose, expectSame } from './expect-close';
import { gemm64, makeRandom, randomArray, storeAs } from './random-inputs';

const f32 = (values: number[]) => Float32Array.from(values);

// Random GEMM shapes: empty, 1, odd, non-multiples of 8, and a few large ones.
const GEMM_SHAPES: [number, number, number][] = [
  [0, 0, 0], [0, 5, 3], [4, 0, 3], [3, 4, 0], [1, 1, 1], [1, 7, 1], [7, 1, 9], [2, 3, 5],
  [5, 9, 17], [8, 8, 8], [9, 15, 33], [16, 24, 7], [31, 33, 65], [64, 10, 128], [67, 129, 300],
  [128, 256, 200],
];

describe.each(backendsUnderTest())('kernels on $label', (entry) => {
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

  describe('add and mul', () => {
    it('computes exact float32 sums and products, special values included', () => {
      const a = f32([1.5, -2, 3e38, NaN, Infinity, 0.1, -0]);
      const b = f32([2.25, 2, 3e38, 1, -Infinity, 0.2, 0]);
      const sum = new Float32Array(7);
      const prod = new Float32Array(7);
      backend().add(a, b, sum);
      backend().mul(a, b, prod);
      expectSame(sum, [3.75, 0, Infinity, NaN, NaN, Math.fround(Math.fround(0.1) + Math.fround(0.2)), 0], 'add');
      expectSame(prod, [3.375, -4, Infinity, NaN, -Infinity, Math.fround(Math.fround(0.1) * Math.fround(0.2)), -0], 'mul');
    });

    it.each([0, 1, 7, 8, 9, 33, 1000, 4099])('matches Math.fround on %i random elements, in place too', (n) => {
      const random = makeRandom(n + 3);
      const a = randomArray(n, random);
      const b = randomArray(n, random);
      const expectedSum = a.map((v, i) => Math.fround(v + b[i]!));
      const expectedProd = a.map((v, i) => Math.fround(v * b[i]!));
      const out = new Float32Array(n);
      backend().add(a, b, out);
      expectSame(out, expectedSum, 'add');
      backend().mul(a, b, out);
      expectSame(out, expectedProd, 'mul');
      const inPlace = a.slice();
      backend().add(inPlace, b, inPlace);
      expectSame(inPlace, expectedSum, 'add in place');
      inPlace.set(a);
      backend().mul(b, inPlace, inPlace);
      expectSame(inPlace, expectedProd, 'mul in place (out is the second argument)');
    });
  });

  describe('relu', () => {
    it('clamps below at 0, passes NaN through and turns -0 into +0', () => {
      const x = f32([-1, 0, -0, 2.5, NaN, Infinity, -Infinity, 1e-45, -1e-45]);
      const out = new Float32Array(x.length);
      backend().relu(x, out);
      expectSame(out, [0, 0, 0, 2.5, NaN, Infinity, 0, Math.fround(1e-45), 0], 'relu');
      expect(Object.is(out[2], 0)).toBe(true);
      expect(Object.is(out[8], 0)).toBe(true);
    });

    it('has gradient dy where x > 0 and 0 elsewhere, 0 at x = 0', () => {
      const x = f32([-1, 0, 2, NaN, 3, -0, Infinity]);
      const dy = f32([5, 6, 7, 8, NaN, 9, 10]);
      const dx = new Float32Array(7);
      backend().reluBackward(x, dy, dx);
      expectSame(dx, [0, 0, 7, 0, NaN, 0, 10], 'reluBackward');
    });

    it.each([1, 8, 15, 257])('matches the definition on %i random elements, in place', (n) => {
      const random = makeRandom(n);
      const x = randomArray(n, random);
      const dy = randomArray(n, random);
      const out = x.slice();
      backend().relu(out, out);
      expectSame(out, x.map((v) => (v > 0 ? v : 0)), 'relu in place');
      const dx = dy.slice();
      backend().reluBackward(x, dx, dx);
      expectSame(dx, x.map((v, i) => (v > 0 ? dy[i]! : 0)), 'reluBackward in place');
    });
  });

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

  describe('random streams', () => {
    // Random123's known-answer vector: Philox-4x32-10 of counter 0 under key 0.
    const KAT_ZERO = [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8];

    it('reproduces the Philox-4x32-10 known answer for seed 0', () => {
      const out = new Uint32Array(4);
      backend().randomBits(out, 0, 0);
      expect(Array.from(out)).toEqual(KAT_ZERO);
    });

    it('reads any window of the stream: offset p gives the words from p on', () => {
      const whole = new Uint32Array(23);
      backend().randomBits(whole, 12345, 0);
      for (const [offset, length] of [[1, 4], [3, 9], [4, 4], [7, 16], [22, 1], [5, 0]]) {
        const part = new Uint32Array(length!);
        backend().randomBits(part, 12345, offset!);
        expect(Array.from(part), `offset ${offset}`).toEqual(Array.from(whole.subarray(offset!, offset! + length!)));
      }
    });

    it('depends on every bit of the seed and the offset, up to 2^53 - 1', () => {
      const streams = [[0, 0], [1, 0], [2 ** 32, 0], [2 ** 53 - 1, 0], [0, 2 ** 32 * 4], [7, 2 ** 53 - 9]].map(([seed, offset]) => {
        const out = new Uint32Array(8);
        backend().randomBits(out, seed!, offset!);
        return Array.from(out).join(',');
      });
      expect(new Set(streams).size).toBe(streams.length);
    });

    it('maps words to uniforms (word >>> 8)·2^-24 scaled to [low, high)', () => {
      const out = new Float32Array(4);
      backend().fillUniform(out, 0, 0, 0, 1);
      expect(Array.from(out)).toEqual(KAT_ZERO.map((w) => (w >>> 8) / 2 ** 24));
      backend().fillUniform(out, 0, 0, -2, 6);
      expect(Array.from(out)).toEqual(KAT_ZERO.map((w) => Math.fround(-2 + 8 * ((w >>> 8) / 2 ** 24))));
    });

    it('draws uniforms with the right moments and range', () => {
      const out = new Float32Array(200_000);
      backend().fillUniform(out, 42, 0, -1, 3);
      let sum = 0;
      let sq = 0;
      let min = Infinity;
      let max = -Infinity;
      for (const v of out) {
        sum += v;
        sq += v * v;
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
      const mean = sum / out.length;
      expect(mean).toBeCloseTo(1, 1.5); // 4/sqrt(12·2e5) ≈ 0.0026 standard error
      expect(sq / out.length - mean * mean).toBeCloseTo(16 / 12, 1.5);
      expect(min).toBeGreaterThanOrEqual(-1);
      expect(max).toBeLessThan(3);
    });

    it('makes normals by Box-Muller from the words (matches Math.log and Math.cos to 1e-6)', () => {
      const out = new Float32Array(4);
      backend().fillNormal(out, 0, 0, 0, 1);
      const [w0, w1, w2, w3] = KAT_ZERO as [number, number, number, number];
      const pair = (x: number, y: number) => {
        const r = Math.sqrt(-2 * Math.log((x + 1) / 2 ** 32));
        const angle = 2 * Math.PI * (y / 2 ** 32);
        return [r * Math.cos(angle), r * Math.sin(angle)];
      };
      expectClose(out, [...pair(w0, w1), ...pair(w2, w3)], 1e-6, 'normals from the known answer');
      backend().fillNormal(out, 0, 0, 10, 0);
      expect(Array.from(out)).toEqual([10, 10, 10, 10]);
    });

    it('draws normals with mean, variance and one-sigma mass of a Gaussian', () => {
      const out = new Float32Array(200_000);
      backend().fillNormal(out, 7, 3, 2, 0.5);
      let sum = 0;
      let sq = 0;
      let within = 0;
      for (const v of out) {
        sum += v;
        sq += v * v;
        if (Math.abs(v - 2) < 0.5) within++;
      }
      const mean = sum / out.length;
      expect(Math.abs(mean - 2)).toBeLessThan(0.005); // standard error 0.0011
      expect(Math.abs(sq / out.length - mean * mean - 0.25)).toBeLessThan(0.005);
      expect(Math.abs(within / out.length - 0.682689)).toBeLessThan(0.005);
    });
  });
});
