// Elementwise arithmetic and the relu family on every backend: exact float32 results, special
// values, in-place calls, and native bit for bit against the reference on sizes around the SIMD
// width. The transcendental kernels are in elementwise-math.test.ts.
import { beforeAll, describe, expect, it } from 'vitest';
import { nativeBackend, referenceBackend, setSimdLevel } from '../../../lib/backend';
import type { Backend } from '../../../lib/backend';
import { nativePaths } from '../native-paths';
import { backendsUnderTest, selectSimd } from '../backends';
import { bits, SIZES } from '../native-paths';
import { expectSame } from '../expect-close';
import { makeRandom, randomArray } from '../random-inputs';

const f32 = (values: number[]) => Float32Array.from(values);

describe.each(backendsUnderTest())('elementwise on $label', (entry) => {
  beforeAll(() => selectSimd(entry));
  const backend = entry.backend;

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

  describe('sub and div', () => {
    it('computes exact float32 differences and quotients, special values included', () => {
      const a = f32([1.5, -2, 3e38, NaN, Infinity, 1, 0, -1, 0.1]);
      const b = f32([2.25, 2, -3e38, 1, Infinity, 0, 0, -0, 3]);
      const diff = new Float32Array(9);
      const quot = new Float32Array(9);
      backend().sub(a, b, diff);
      backend().div(a, b, quot);
      expectSame(diff, [-0.75, -4, Infinity, NaN, NaN, 1, 0, -1, Math.fround(Math.fround(0.1) - 3)], 'sub');
      expectSame(quot, [1.5 / 2.25, -1, -1, NaN, NaN, Infinity, NaN, Infinity, Math.fround(Math.fround(0.1) / 3)].map(Math.fround), 'div');
    });

    it.each([0, 1, 7, 8, 9, 15, 16, 17, 1023])('match Math.fround on %i random elements, in place too', (n) => {
      const random = makeRandom(n + 5);
      const a = randomArray(n, random);
      const b = randomArray(n, random).map((v) => v + 2); // away from 0
      const out = new Float32Array(n);
      backend().sub(a, b, out);
      expectSame(out, a.map((v, i) => Math.fround(v - b[i]!)), 'sub');
      backend().div(a, b, out);
      expectSame(out, a.map((v, i) => Math.fround(v / b[i]!)), 'div');
      const inPlace = b.slice();
      backend().div(a, inPlace, inPlace);
      expectSame(inPlace, a.map((v, i) => Math.fround(v / b[i]!)), 'div in place (out is the divisor)');
    });
  });

  describe('row broadcast (the bias case)', () => {
    it.each([[0, 3], [3, 0], [1, 1], [2, 3], [5, 17], [33, 9]])('combines a %ix%i x with one row, in place too', (rows, cols) => {
      const random = makeRandom(rows * 100 + cols);
      const x = randomArray(rows * cols, random);
      const row = randomArray(cols, random).map((v) => v - 1.5); // never 0, for div
      const ops = {
        addRow: (a: number, b: number) => a + b,
        subRow: (a: number, b: number) => a - b,
        mulRow: (a: number, b: number) => a * b,
        divRow: (a: number, b: number) => a / b,
      };
      for (const [kernel, op] of Object.entries(ops) as [keyof typeof ops, (a: number, b: number) => number][]) {
        const expected = x.map((v, i) => Math.fround(op(v, row[i % cols]!)));
        const out = new Float32Array(rows * cols);
        backend()[kernel](x, row, rows, cols, out);
        expectSame(out, expected, kernel);
        const inPlace = x.slice();
        backend()[kernel](inPlace, row, rows, cols, inPlace);
        expectSame(inPlace, expected, `${kernel} in place`);
      }
    });

    it('takes rows up to 2^53 − 1 when cols is 0 (nothing to do) and returns at once', () => {
      const empty = new Float32Array(0);
      const rows = Number.MAX_SAFE_INTEGER;
      for (const kernel of ['addRow', 'subRow', 'mulRow', 'divRow', 'prelu'] as const) backend()[kernel](empty, empty, rows, 0, empty);
      backend().preluBackward(empty, empty, empty, rows, 0, new Float32Array(0), new Float32Array(0));
    });

    it('adds a bias to every row and propagates NaN and Inf from either side', () => {
      const out = new Float32Array(6);
      backend().addRow(f32([1, 2, 3, 4, 5, NaN]), f32([10, Infinity, -1]), 2, 3, out);
      expectSame(out, [11, Infinity, 2, 14, Infinity, NaN], 'addRow');
    });
  });

  describe('scalar operands', () => {
    it('rounds the scalar to float32 once and divides truly', () => {
      const x = f32([1, -3, 0.5, NaN, Infinity, 0]);
      const out = new Float32Array(6);
      backend().addScalar(x, 0.1, out);
      expectSame(out, [1, -3, 0.5, NaN, Infinity, 0].map((v) => Math.fround(v + Math.fround(0.1))), 'addScalar');
      backend().subScalar(x, 2, out);
      expectSame(out, [-1, -5, -1.5, NaN, Infinity, -2], 'subScalar');
      backend().mulScalar(x, -2, out);
      expectSame(out, [-2, 6, -1, NaN, -Infinity, -0], 'mulScalar');
      expect(Object.is(out[5], -0)).toBe(true);
      backend().divScalar(x, 3, out);
      expectSame(out, [1 / 3, -1, 0.5 / 3, NaN, Infinity, 0].map(Math.fround), 'divScalar (not x·(1/3))');
      backend().divScalar(x, 0, out);
      expectSame(out, [Infinity, -Infinity, Infinity, NaN, Infinity, NaN], 'divScalar by 0');
    });

    it.each([0, 1, 7, 8, 9, 15, 16, 17, 1023])('matches Math.fround on %i random elements, in place', (n) => {
      const random = makeRandom(n + 11);
      const x = randomArray(n, random);
      const s = 0.7;
      const t = Math.fround(s);
      const ops = {
        addScalar: (v: number) => v + t, subScalar: (v: number) => v - t,
        mulScalar: (v: number) => v * t, divScalar: (v: number) => v / t,
      };
      for (const [kernel, op] of Object.entries(ops) as [keyof typeof ops, (v: number) => number][]) {
        const inPlace = x.slice();
        backend()[kernel](inPlace, s, inPlace);
        expectSame(inPlace, x.map((v) => Math.fround(op(v))), kernel);
      }
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

  describe('leakyRelu and prelu', () => {
    it('scale the negative side, keep NaN, and take the slope as the subgradient at 0', () => {
      const x = f32([-2, 0, -0, 3, NaN, -Infinity, Infinity]);
      const out = new Float32Array(7);
      backend().leakyRelu(x, 0.01, out);
      const s = Math.fround(0.01);
      expectSame(out, [Math.fround(-2 * s), 0, -0, 3, NaN, -Infinity, Infinity], 'leakyRelu');
      expect(Object.is(out[2], -0)).toBe(true); // −0 · slope
      const dy = f32([1, 2, 3, 4, 5, 6, 7]);
      const dx = new Float32Array(7);
      backend().leakyReluBackward(x, dy, 0.01, dx);
      expectSame(dx, [s, Math.fround(2 * s), Math.fround(3 * s), 4, Math.fround(5 * s), Math.fround(6 * s), 7], 'leakyReluBackward');
    });

    it('prelu uses one slope per channel and sums the slope gradient over the rows', () => {
      const x = f32([-1, 2, -3, 0, -5, 6]); // 2 rows × 3 channels
      const slope = f32([0.5, 0.25, -1]);
      const out = new Float32Array(6);
      backend().prelu(x, slope, 2, 3, out);
      expectSame(out, [-0.5, 2, 3, 0, -1.25, 6], 'prelu');
      const dy = f32([1, 2, 3, 4, 5, 6]);
      const dx = new Float32Array(6);
      const dslope = new Float32Array(3);
      backend().preluBackward(x, slope, dy, 2, 3, dx, dslope);
      expectSame(dx, [0.5, 2, -3, 2, 1.25, 6], 'preluBackward dx (slope at 0)');
      expectSame(dslope, [-1 + 0, -25, -9], 'preluBackward dslope = Σ dy·x over x ≤ 0');
    });

    it.each([[0, 4], [1, 1], [3, 7], [17, 9], [64, 33]])('prelu on %ix%i random inputs matches float64, dx in place', (rows, channels) => {
      const random = makeRandom(rows + 7 * channels);
      const x = randomArray(rows * channels, random);
      const slope = randomArray(channels, random);
      const dy = randomArray(rows * channels, random);
      const out = new Float32Array(rows * channels);
      backend().prelu(x, slope, rows, channels, out);
      expectSame(out, x.map((v, i) => (v > 0 ? v : Math.fround(v * slope[i % channels]!))), 'prelu');
      const expectedSlope = new Float64Array(channels);
      x.forEach((v, i) => { if (v <= 0) expectedSlope[i % channels]! += v * dy[i]!; });
      const dx = dy.slice();
      const dslope = new Float32Array(channels);
      backend().preluBackward(x, slope, dx, rows, channels, dx, dslope);
      expectSame(dx, dy.map((g, i) => (x[i]! > 0 ? g : Math.fround(g * slope[i % channels]!))), 'preluBackward dx in place');
      expectSame(dslope, Float32Array.from(expectedSlope), 'preluBackward dslope');
    });
  });
});

describe.each(nativePaths())('elementwise: native (%s) against the reference', (simd) => {
  let native: Backend;
  const reference = referenceBackend;
  beforeAll(() => {
    setSimdLevel(simd);
    native = nativeBackend();
  });

  it.each(SIZES)('add, mul, relu and reluBackward agree bit for bit on %i elements', (n) => {
    const random = makeRandom(n + 17);
    const a = randomArray(n, random);
    const b = randomArray(n, random);
    for (const kernel of ['add', 'sub', 'mul', 'div', 'reluBackward', 'expBackward', 'logBackward', 'sqrtBackward', 'tanhBackward', 'sigmoidBackward'] as const) {
      const expected = new Float32Array(n);
      const actual = new Float32Array(n);
      reference[kernel](a, b, expected);
      native[kernel](a, b, actual);
      expectSame(bits(actual), bits(expected), `${kernel} bits, n=${n}`);
    }
    const expected = new Float32Array(n);
    const actual = new Float32Array(n);
    reference.relu(a, expected);
    native.relu(a, actual);
    expectSame(bits(actual), bits(expected), `relu bits, n=${n}`);
    for (const kernel of ['addScalar', 'subScalar', 'mulScalar', 'divScalar', 'leakyRelu'] as const) {
      reference[kernel](a, 0.3, expected);
      native[kernel](a, 0.3, actual);
      expectSame(bits(actual), bits(expected), `${kernel} bits, n=${n}`);
    }
    reference.leakyReluBackward(a, b, 0.3, expected);
    native.leakyReluBackward(a, b, 0.3, actual);
    expectSame(bits(actual), bits(expected), `leakyReluBackward bits, n=${n}`);
    reference.sqrt(a, expected);
    native.sqrt(a, actual);
    expectSame(actual, expected, `sqrt, n=${n}`); // NaN payloads of sqrt(<0) may differ
  });

  it.each([[1, 1], [3, 7], [2, 8], [5, 9], [4, 17], [300, 333]])('row broadcasts and prelu agree bit for bit on %ix%i', (rows, cols) => {
    const random = makeRandom(rows * 31 + cols);
    const x = randomArray(rows * cols, random);
    const row = randomArray(cols, random);
    const dy = randomArray(rows * cols, random);
    const expected = new Float32Array(rows * cols);
    const actual = new Float32Array(rows * cols);
    for (const kernel of ['addRow', 'subRow', 'mulRow', 'divRow', 'prelu'] as const) {
      reference[kernel](x, row, rows, cols, expected);
      native[kernel](x, row, rows, cols, actual);
      expectSame(bits(actual), bits(expected), `${kernel} bits`);
    }
    const expectedSlope = new Float32Array(cols);
    const actualSlope = new Float32Array(cols);
    reference.preluBackward(x, row, dy, rows, cols, expected, expectedSlope);
    native.preluBackward(x, row, dy, rows, cols, actual, actualSlope);
    expectSame(bits(actual), bits(expected), 'preluBackward dx bits');
    expectSame(bits(actualSlope), bits(expectedSlope), 'preluBackward dslope bits');
  });
});
