// The checked backend against doctored native kernels: it must catch a divergence and say where.
import { describe, expect, it } from 'vitest';
import { checkedBackend, referenceBackend } from '../../lib/backend';
import type { Backend } from '../../lib/backend';

/** A stand-in for the native backend: the reference with some kernels replaced. */
function doctored(overrides: Partial<Backend>): Backend {
  return { ...referenceBackend, name: 'native', ...overrides };
}

describe('checked backend', () => {
  it('passes through agreeing results and leaves them in the caller’s arrays', () => {
    const checked = checkedBackend(doctored({}));
    const out = new Float32Array(3);
    checked.add(Float32Array.of(1, 2, 3), Float32Array.of(4, 5, 6), out);
    expect(Array.from(out)).toEqual([5, 7, 9]);
    const inPlace = Float32Array.of(1, -2, 3);
    checked.relu(inPlace, inPlace);
    expect(Array.from(inPlace)).toEqual([1, 0, 3]);
  });

  it('names the kernel, the output and the worst element of an exact kernel that diverges', () => {
    const checked = checkedBackend(doctored({
      add(a, b, out) {
        referenceBackend.add(a, b, out);
        out[3]! += 0.5;
        out[1]! += 0.25;
      },
    }));
    const a = new Float32Array(5).fill(1);
    expect(() => checked.add(a, a, new Float32Array(5))).toThrow(
      'checked backend: add diverged from the reference in out: 2 of 5 elements beyond tolerance; ' +
        'worst at index 3: native 2.5 vs reference 2 (absolute error 0.5, relative error 0.25, tolerance 0); ' +
        'largest absolute error 0.5, largest relative error 0.25',
    );
  });

  it('allows gemm rounding within the k-scaled bound and no more', () => {
    const m = 2, n = 2, k = 64;
    const a = new Float32Array(m * k).fill(1);
    const b = new Float32Array(k * n).fill(1);
    const nudge = (factor: number) => checkedBackend(doctored({
      gemm(...args) {
        referenceBackend.gemm(...args);
        args[9][0]! *= 1 + factor; // c[0] = 64, its bound (k + 2)·2^-23·64
      },
    }));
    expect(() => nudge(2 ** -20).gemm(false, false, m, n, k, 1, a, b, 0, new Float32Array(4))).not.toThrow();
    expect(() => nudge(2 ** -14).gemm(false, false, m, n, k, 1, a, b, 0, new Float32Array(4))).toThrow(
      /gemm diverged from the reference in c: 1 of 4 elements beyond tolerance; worst at index 0: native 64\.00390625 vs reference 64/,
    );
  });

  it('treats a NaN on one side only as a divergence', () => {
    const checked = checkedBackend(doctored({
      relu(x, out) {
        referenceBackend.relu(x, out);
        out[0] = NaN;
      },
    }));
    expect(() => checked.relu(Float32Array.of(1, 2), new Float32Array(2))).toThrow(/relu diverged .* index 0: native NaN vs reference 1/);
  });

  it('says when only one side refuses the arguments, and rethrows when both do', () => {
    const checked = checkedBackend(doctored({ mul() {} }));
    expect(() => checked.mul(new Float32Array(2), new Float32Array(3), new Float32Array(2))).toThrow(
      /checked backend: mul: native returned but reference threw RangeError: mul: Expected a Float32Array of length a.length = 2 for b/,
    );
    expect(() => checkedBackend(doctored({})).mul(new Float32Array(2), new Float32Array(3), new Float32Array(2))).toThrow(
      new RangeError('mul: Expected a Float32Array of length a.length = 2 for b but received a Float32Array of length 3'),
    );
  });

  it('copies Array arguments, names the diverging array of a list, and returns and checks results', () => {
    const grads = () => [Float32Array.of(3), Float32Array.of(-4, 0)];
    const agreeing = grads();
    expect(checkedBackend(doctored({})).clipGradNorm(agreeing, 1)).toBe(5); // clipped once, not twice
    expect(agreeing[1]![0]).toBeCloseTo(-0.8, 6);
    const scaledTwice = checkedBackend(doctored({
      clipGradNorm(list, maxNorm) {
        const total = referenceBackend.clipGradNorm(list, maxNorm);
        list[1]![1] = 0.5;
        return total;
      },
    }));
    expect(() => scaledTwice.clipGradNorm(grads(), 1)).toThrow(/clipGradNorm diverged from the reference in grads\[1\]: 1 of 2 elements/);
    const offNorm = checkedBackend(doctored({ gradNorm: (list) => referenceBackend.gradNorm(list) * (1 + 2 ** -30) }));
    expect(() => offNorm.gradNorm(grads())).toThrow(/gradNorm returned a result that diverged from the reference's: .* native 5\.0000000/);
    expect(checkedBackend(doctored({ firstNonFinite: () => 0 })).firstNonFinite.bind(null, Float32Array.of(1, NaN))).toThrow(
      /firstNonFinite returned a result that diverged .* native 0 vs reference 1/,
    );
  });

  it('keeps aliasing in the reference’s copies (in-place calls compare like with like)', () => {
    const checked = checkedBackend(doctored({}));
    const x = Float32Array.of(1, 2, 3);
    checked.mul(x, x, x);
    expect(Array.from(x)).toEqual([1, 4, 9]);
  });
});
