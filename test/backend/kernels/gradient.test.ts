// Gradient utilities on every backend: known norms (3-4-5), overflow-free double sums, clipping
// that leaves small gradients alone, NaN and Inf, empty lists and arrays, the first non-finite
// element at every position around the SIMD width; then native against the reference.
import { beforeAll, describe, expect, it } from 'vitest';
import { nativeBackend, referenceBackend, setSimdLevel } from '../../../lib/backend';
import type { Backend } from '../../../lib/backend';
import { nativePaths, SIZES, bits } from '../native-paths';
import { backendsUnderTest, selectSimd } from '../backends';
import { expectClose, expectSame } from '../expect-close';
import { makeRandom, randomArray } from '../random-inputs';

const f32 = (values: number[]) => Float32Array.from(values);

/** The float64 norm of a list and its error bound (n + 2)·2^−53 relative. */
function norm64(grads: Float32Array[]): { value: number; tolerance: number } {
  let sum = 0;
  let n = 0;
  for (const g of grads) for (const x of g) { sum += x * x; n++; }
  const value = Math.sqrt(sum);
  return { value, tolerance: (n + 2) * 2 ** -53 * value + Number.MIN_VALUE };
}

function randomList(sizes: number[], seed: number, scale = 1): Float32Array[] {
  const random = makeRandom(seed);
  return sizes.map((n) => randomArray(n, random).map((x) => x * scale));
}

describe.each(backendsUnderTest())('gradient on $label', (entry) => {
  beforeAll(() => selectSimd(entry));
  const backend = entry.backend;

  describe('gradNorm', () => {
    it('gives 5 for 3-4-5 triangles, in one array or spread over several', () => {
      expect(backend().gradNorm([f32([3]), f32([4])])).toBe(5);
      expect(backend().gradNorm([f32([3, -4])])).toBe(5);
      expect(backend().gradNorm([f32([1, -2]), new Float32Array(0), f32([2, 4])])).toBe(5);
      expect(backend().gradNorm([new Float32Array(25).fill(3), new Float32Array(25).fill(-4)])).toBe(25);
    });

    it('is 0 for no arrays and for empty ones', () => {
      expect(backend().gradNorm([])).toBe(0);
      expect(backend().gradNorm([new Float32Array(0), new Float32Array(0)])).toBe(0);
    });

    it('sums squares in double: no overflow near float32\'s maximum, no underflow of denormals', () => {
      const huge = [f32([1.5e38]), f32([-2e38])]; // squares far beyond float32's range
      const { value, tolerance } = norm64(huge);
      expect(value).toBeGreaterThan(2.4e38);
      expectClose([backend().gradNorm(huge)], [value], tolerance, 'huge');
      const tiny = Math.fround(1e-40);
      expect(backend().gradNorm([f32([tiny, tiny, tiny, tiny])])).toBeCloseTo(2 * tiny, 50);
    });

    it('is NaN with a NaN anywhere, Infinity with an Inf and no NaN', () => {
      expect(backend().gradNorm([f32([1, 2]), f32([3, NaN, 5])])).toBeNaN();
      expect(backend().gradNorm([new Float32Array(17), f32([-Infinity])])).toBe(Infinity);
      expect(backend().gradNorm([f32([Infinity, NaN])])).toBeNaN();
    });

    it.each([[[1]], [[7, 8, 9]], [[1000, 0, 33]], [[100_003]]])('matches the float64 norm of arrays of sizes %j', (sizes) => {
      const grads = randomList(sizes, sizes.length * 31 + sizes[0]!);
      const { value, tolerance } = norm64(grads);
      expectClose([backend().gradNorm(grads)], [value], tolerance, 'gradNorm');
    });
  });

  describe('clipGradNorm', () => {
    it('leaves gradients whose norm is below maxNorm alone and returns the norm', () => {
      const grads = [f32([0.3]), f32([-0.4, 0])];
      const copies = grads.map((g) => g.slice());
      expect(backend().clipGradNorm(grads, 1)).toBeCloseTo(0.5, 7);
      grads.forEach((g, k) => expectSame(bits(g), bits(copies[k]!), `grads[${k}]`));
    });

    it('scales by maxNorm/(norm + 1e-6) when the norm is larger, as clip_grad_norm_', () => {
      const grads = [f32([3]), f32([-4])];
      expect(backend().clipGradNorm(grads, 1)).toBe(5);
      const coef = Math.fround(1 / (5 + 1e-6));
      expectSame(grads[0]!, [Math.fround(3 * coef)], 'grads[0]');
      expectSame(grads[1]!, [Math.fround(-4 * coef)], 'grads[1]');
      expect(backend().gradNorm(grads)).toBeCloseTo(1, 6);
      // At exactly maxNorm the 1e-6 still makes coef < 1: PyTorch scales, and so do we.
      const atLimit = [f32([3, 4])];
      backend().clipGradNorm(atLimit, 5);
      expect(atLimit[0]![0]).toBeLessThan(3);
    });

    it('makes every element NaN when the norm is NaN; multiplies by 0 when it is Infinity', () => {
      const withNaN = [f32([1, 2]), f32([NaN])];
      expect(backend().clipGradNorm(withNaN, 1)).toBeNaN();
      expectSame(withNaN[0]!, [NaN, NaN], 'NaN norm');
      const withInf = [f32([1, -2]), f32([Infinity])];
      expect(backend().clipGradNorm(withInf, 1)).toBe(Infinity);
      expectSame(withInf[0]!, [0, 0], 'finite elements times 0');
      expectSame(withInf[1]!, [NaN], 'Inf times 0');
    });

    it('accepts empty lists and arrays', () => {
      expect(backend().clipGradNorm([], 1)).toBe(0);
      expect(backend().clipGradNorm([new Float32Array(0)], 0)).toBe(0);
    });

    it('clips random lists to maxNorm', () => {
      const grads = randomList([1000, 7, 64], 11, 3);
      const { value, tolerance } = norm64(grads);
      expectClose([backend().clipGradNorm(grads, 2)], [value], tolerance, 'returned norm');
      expect(backend().gradNorm(grads)).toBeCloseTo(2, 5);
    });
  });

  describe('clipGradValue', () => {
    it('clamps to [−c, c], keeps NaN and clamps infinities', () => {
      const grads = [f32([-2, -0.5, 0, 0.5, 2]), f32([NaN, Infinity, -Infinity, 1, -1])];
      backend().clipGradValue(grads, 1);
      expectSame(grads[0]!, [-1, -0.5, 0, 0.5, 1], 'grads[0]');
      expectSame(grads[1]!, [NaN, 1, -1, 1, -1], 'grads[1]');
    });

    it.each(SIZES.slice(0, -1))('matches the definition on %i random elements, with c = 0 too', (n) => {
      const grads = randomList([n, 3], n);
      const expected = grads.map((g) => g.map((x) => Math.min(Math.max(x, -0.25), 0.25)));
      backend().clipGradValue(grads, 0.25);
      grads.forEach((g, k) => expectSame(g, expected[k]!, `clip 0.25, n=${n}`));
      backend().clipGradValue(grads, 0);
      grads.forEach((g) => expectSame(g, new Float32Array(g.length), `clip 0, n=${n}`));
    });
  });

  describe('firstNonFinite', () => {
    it('is −1 for finite and empty arrays', () => {
      expect(backend().firstNonFinite(f32([0, -0, 3e38, -3e38, 1e-45]))).toBe(-1);
      expect(backend().firstNonFinite(new Float32Array(0))).toBe(-1);
    });

    it.each(SIZES.filter((n) => n > 0))('finds NaN, Inf and −Inf first, last and in the middle of %i elements', (n) => {
      const x = randomArray(n, makeRandom(n));
      expect(backend().firstNonFinite(x)).toBe(-1);
      for (const bad of [NaN, Infinity, -Infinity]) {
        for (const at of new Set([0, n >> 1, n - 1])) {
          const y = x.slice();
          y[at] = bad;
          if (at < n - 1) y[n - 1] = NaN; // a later one must not win
          expect(backend().firstNonFinite(y), `${bad} at ${at}`).toBe(at);
        }
      }
    });
  });
});

describe.each(nativePaths())('gradient: native (%s) against the reference', (simd) => {
  let native: Backend;
  const reference = referenceBackend;
  beforeAll(() => {
    setSimdLevel(simd);
    native = nativeBackend();
  });

  it.each([[[0]], [[1, 2, 7]], [[8, 9, 15, 16, 17]], [[1023, 0, 65]], [[100_003, 5]]])('gradNorm, clipGradNorm and clipGradValue agree on sizes %j', (sizes) => {
    const grads = randomList(sizes, sizes.reduce((a, b) => a + b, 1), 4);
    const { tolerance } = norm64(grads);
    expectClose([native.gradNorm(grads)], [reference.gradNorm(grads)], tolerance, 'gradNorm');
    const a = grads.map((g) => g.slice());
    const b = grads.map((g) => g.slice());
    expectClose([native.clipGradNorm(a, 1.5)], [reference.clipGradNorm(b, 1.5)], tolerance, 'clipGradNorm result');
    a.forEach((g, k) => expectClose(g, b[k]!, g.map((x) => Math.abs(x) * 2 ** -23), `clipGradNorm grads[${k}]`));
    native.clipGradValue(a, 0.1);
    reference.clipGradValue(b, 0.1);
    a.forEach((g, k) => expectClose(g, b[k]!, g.map((x) => Math.abs(x) * 2 ** -23), `clipGradValue grads[${k}]`));
  });
});
