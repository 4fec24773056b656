// clipGradNorm and clipGradValue over parameters' gradients, on every backend: PyTorch's
// coefficient maxNorm/(norm + 1e-6), the norm before clipping as the result, skipped parameters,
// float64 gradients in double, non-finite norms.
import { describe, expect, it } from 'vitest';
import { Tensor, optim, tensor } from '../../lib';
import { backendsUnderTest } from '../backend/backends';
import { expectClose } from '../backend/expect-close';
import { useBackendUnderTest } from './problem';

const { clipGradNorm, clipGradValue } = optim;

/** A parameter whose gradient is set directly. */
function withGrad(values: number[], grad: number[] | null, dtype: 'float32' | 'float64' = 'float32'): Tensor {
  const p = tensor(values, undefined, { requiresGrad: true, dtype });
  p.grad = grad && tensor(grad, undefined, { dtype });
  return p;
}

const near = (x: number, ulps = 4) => ulps * 2 ** -24 * Math.abs(x) + Number.MIN_VALUE;

describe.each(backendsUnderTest())('gradient clipping on $label', (entry) => {
  useBackendUnderTest(entry);

  it('clipGradNorm scales every gradient by maxNorm/(norm + 1e-6) and returns the norm before clipping', () => {
    const a = withGrad([0, 0], [3, 4]);
    const b = withGrad([0], [12]);
    const frozen = withGrad([0], null); // no gradient: skipped
    const total = clipGradNorm([a, b, frozen], 6.5);
    expect(total).toBe(13);
    const coef = 6.5 / (13 + 1e-6);
    expectClose(a.grad!.data, [3 * coef, 4 * coef], [near(1.5), near(2)], 'a');
    expectClose(b.grad!.data, [12 * coef], [near(6)], 'b');
    expect(frozen.grad).toBeNull();
    // The clipped gradients now have norm maxNorm (up to the 1e-6 and float32 rounding).
    expect(Math.hypot(...a.grad!.data, ...b.grad!.data)).toBeCloseTo(6.5, 5);
  });

  it('clipGradNorm leaves gradients whose norm is below maxNorm untouched, and takes one tensor too', () => {
    const a = withGrad([0, 0, 0], [1, -2, 2]);
    expect(clipGradNorm(a, 3.5)).toBe(3);
    expect(Array.from(a.grad!.data)).toEqual([1, -2, 2]);
    expect(clipGradNorm([], 1)).toBe(0);
  });

  it('clipGradNorm counts float64 gradients in the same norm and scales them in double', () => {
    const single = withGrad([0, 0], [3, 4]);
    const double = withGrad([0], [12], 'float64');
    expect(clipGradNorm([single, double], 1)).toBe(13);
    const coef = 1 / (13 + 1e-6);
    expect(double.grad!.data[0]).toBe(12 * coef);
    expectClose(single.grad!.data, [3 * Math.fround(coef), 4 * Math.fround(coef)], [near(3 / 13, 1), near(4 / 13, 1)], 'float32 part');
    const alone = withGrad([0, 0], [0.3, 0.4], 'float64');
    expect(clipGradNorm([alone], 0.1)).toBeCloseTo(0.5, 15);
    expect(Array.from(alone.grad!.data)).toEqual([0.3 * (0.1 / (0.5 + 1e-6)), 0.4 * (0.1 / (0.5 + 1e-6))]);
  });

  it('clipGradNorm with a non-finite norm: returned as is, or refused before anything changes with errorIfNonfinite', () => {
    const a = withGrad([0, 0], [Infinity, 1]);
    expect(() => clipGradNorm([a], 1, { errorIfNonfinite: true })).toThrow(
      new RangeError('clipGradNorm: Expected gradients with a finite total norm but the norm is Infinity (errorIfNonfinite is set)'));
    expect(Array.from(a.grad!.data)).toEqual([Infinity, 1]);
    const b = withGrad([0, 0], [NaN, 1]);
    expect(clipGradNorm([b], 1)).toBeNaN();
    expect(Array.from(b.grad!.data).every(Number.isNaN)).toBe(true);
  });

  it('clipGradValue clamps every element to [−c, c], NaN staying NaN, float64 ones exactly', () => {
    const a = withGrad([0, 0, 0, 0], [3, -0.05, -7, NaN]);
    const b = withGrad([0, 0], [0.1 + 2 ** -40, -5], 'float64');
    const frozen = withGrad([0], null);
    clipGradValue([a, b, frozen], 0.1 + 2 ** -40);
    const c32 = Math.fround(0.1 + 2 ** -40); // float32 gradients are clamped to the float32 bound
    expect(Array.from(a.grad!.data)).toEqual([c32, Math.fround(-0.05), -c32, NaN]);
    expect(Array.from(b.grad!.data)).toEqual([0.1 + 2 ** -40, -(0.1 + 2 ** -40)]);
    expect(frozen.grad).toBeNull();
  });

  it('refuses bad bounds and non-tensors, naming what it expected', () => {
    const a = withGrad([0], [1]);
    expect(() => clipGradNorm([a], -1)).toThrow(new RangeError('clipGradNorm: Expected a finite number >= 0 for maxNorm but received -1'));
    expect(() => clipGradNorm([a], NaN)).toThrow(/Expected a finite number >= 0 for maxNorm but received NaN/);
    expect(() => clipGradValue([a], '1' as never)).toThrow(new TypeError('clipGradValue: Expected a finite number >= 0 for clipValue but received a string'));
    expect(() => clipGradNorm([a, {} as never], 1)).toThrow(new TypeError('clipGradNorm: Expected a Tensor at parameters[1] but received an object'));
    expect(() => clipGradValue(42 as never, 1)).toThrow(/Expected a Tensor or an Array of Tensors but received 42/);
  });
});
