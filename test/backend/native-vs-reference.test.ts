// The native kernels against the reference on random inputs of many shapes (0, 1, odd, not a
// multiple of the SIMD width, large), on each SIMD path: the elementwise kernels and the random
// streams bit for bit, the sums within their error bounds.
import { beforeAll, describe, expect, it } from 'vitest';
import { nativeBackend, nativeInfo, referenceBackend, setSimdLevel } from '../../lib/backend';
import type { Backend } from '../../lib/backend';
import { absolute, accumulationTolerance } from '../../lib/backend/compare';
import { referenceOnly } from './backends';
import { expectClose, expectSame } from './expect-close';
import { makeRandom, randomArray } from './random-inputs';

const info = nativeInfo();
const paths = info.available ? (info.detectedSimd === 'avx2' ? ['avx2', 'portable'] as const : ['portable'] as const) : [];
const SIZES = [0, 1, 2, 7, 8, 9, 15, 16, 17, 63, 64, 65, 1023, 100_003];

function bits(x: Float32Array): Uint32Array {
  return new Uint32Array(x.buffer, x.byteOffset, x.length);
}

describe.skipIf(referenceOnly && !info.available)('native addon', () => {
  it('loaded (set TENSORGRAD_TEST_REFERENCE_ONLY=1 only where no addon can be built)', () => {
    expect(info.error).toBeUndefined();
    expect(info.available).toBe(true);
  });
});

describe.each(paths)('native (%s) against the reference', (simd) => {
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

  it.each(SIZES)('randomBits, fillUniform and fillNormal give the same bits for %i words', (n) => {
    const random = makeRandom(n * 3 + 1);
    for (let trial = 0; trial < 3; trial++) {
      const seed = Math.floor(random() * 2 ** 53);
      const offset = Math.floor(random() * 2 ** 40);
      const expected = new Uint32Array(n);
      const actual = new Uint32Array(n);
      reference.randomBits(expected, seed, offset);
      native.randomBits(actual, seed, offset);
      expectSame(actual, expected, `randomBits seed=${seed} offset=${offset}`);
      for (const kernel of ['fillUniform', 'fillNormal'] as const) {
        const want = new Float32Array(n);
        const got = new Float32Array(n);
        reference[kernel](want, seed, offset, -0.75, 3.5);
        native[kernel](got, seed, offset, -0.75, 3.5);
        expectSame(bits(got), bits(want), `${kernel} bits seed=${seed} offset=${offset}`);
      }
    }
  });
});
