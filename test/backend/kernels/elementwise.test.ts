// Elementwise kernels on every backend: exact float32 results, special values, in-place calls,
// and native bit for bit against the reference on sizes around the SIMD width.
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
    for (const kernel of ['add', 'mul', 'reluBackward'] as const) {
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
  });
});
