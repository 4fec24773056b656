// logSigmoid: finite and exact (to float32/float64 rounding, or the native kernels' stated
// bound) from −1e4 to 1e4, where log(sigmoid(z)) is −Infinity below z ≈ −104 in float32; its
// gradient σ(−z) likewise; float64 gradcheck; the module and method forms.
import { describe, expect, it } from 'vitest';
import { Tensor, autograd, log, logSigmoid, nn, sigmoid, sum, tensor } from '../../lib';
import { backendNames, useBackend } from '../autograd/backends';

/** log σ(z) = min(z, 0) − log1p(e^−|z|) in double: exact to a few double ulps. */
const exact = (z: number) => Math.min(z, 0) - Math.log1p(Math.exp(-Math.abs(z)));
/** σ(−z) in double. */
const exactGrad = (z: number) => (z >= 0 ? Math.exp(-z) / (1 + Math.exp(-z)) : 1 / (1 + Math.exp(z)));

/** −1e4 … 1e4: the ends, both sides of 0, the float32 cut-off of log(sigmoid), and a fine sweep of [−40, 40]. */
function grid(): number[] {
  const points = [-1e4, -5e3, -1e3, -200, -120, -104, -88, -30, -20, -1, -1e-3, -1e-20, 0, 1e-20, 1e-3, 1, 15, 20, 30, 88, 104, 120, 200, 1e3, 1e4];
  for (let z = -40; z <= 40; z += 0.125) points.push(z);
  return points;
}

const ROUNDING_32 = 2 ** -24;
/**
 * The softplus kernels' bound in the backend contract: 2·2e-7 (exp and log1p) + 4 rounding steps
 * of float32, relative. The reference twin rounds a double result once instead.
 */
const NATIVE_BOUND = 2 * 2e-7 + 4 * ROUNDING_32;

function relativeError(got: number, want: number): number {
  if (got === want) return 0;
  return Math.abs(got - want) / Math.max(Math.abs(want), Number.MIN_VALUE);
}

describe.each(backendNames())('logSigmoid in float32 on %s', (name) => {
  useBackend(name);
  const bound = name === 'reference' ? ROUNDING_32 : NATIVE_BOUND;

  it('is finite and exact from −1e4 to 1e4, where log(sigmoid(z)) is not', () => {
    const z = tensor(Float32Array.from(grid()));
    const y = logSigmoid(z);
    let worst = 0;
    z.data.forEach((v, i) => {
      expect(Number.isFinite(y.data[i]!), `logSigmoid(${v})`).toBe(true);
      worst = Math.max(worst, relativeError(y.data[i]!, Math.fround(exact(v))));
    });
    expect(worst).toBeLessThanOrEqual(bound);
    // The ends exactly: −1e4 itself, and −e^−1e4, which is −0 in float32.
    const ends = logSigmoid(tensor([-1e4, 1e4, -120]));
    expect(ends.data[0]).toBe(-1e4);
    expect(Math.abs(ends.data[1]!)).toBe(0);
    expect(ends.data[2]).toBe(-120);
    // What logSigmoid replaces: at −120 the composition has already lost everything.
    expect(log(sigmoid(tensor([-120]))).data[0]).toBe(-Infinity);
  });

  it('has the gradient σ(−z), finite and exact, at the same points', () => {
    const z = tensor(Float32Array.from(grid()), undefined, { requiresGrad: true });
    sum(logSigmoid(z)).backward();
    let worst = 0;
    z.data.forEach((v, i) => {
      const g = z.grad!.data[i]!;
      expect(Number.isFinite(g), `gradient at ${v}`).toBe(true);
      const want = Math.fround(exactGrad(v));
      // Below float32's smallest normal, compare absolutely: the tail is e^−z.
      worst = Math.max(worst, Math.abs(want) < 2 ** -126 ? Math.abs(g - want) / 2 ** -126 : relativeError(g, want));
    });
    expect(worst).toBeLessThanOrEqual(NATIVE_BOUND);
    expect(z.grad!.data[0]).toBe(1); // z = −1e4
    expect(z.grad!.data[grid().indexOf(1e4)]).toBe(0);
  });

  it('passes ±Infinity and NaN through as the limits say', () => {
    const y = logSigmoid(tensor([-Infinity, Infinity, NaN]));
    expect(y.data[0]).toBe(-Infinity);
    expect(Math.abs(y.data[1]!)).toBe(0);
    expect(y.data[2]).toBeNaN();
  });

  it('is what nn.LogSigmoid and x.logSigmoid() compute, recorded as one op', () => {
    const x = tensor([[-3, 0.5], [7, -200]], undefined, { requiresGrad: true });
    const y = new nn.LogSigmoid().call(x);
    expect(Array.from(y.data)).toEqual(Array.from(logSigmoid(x).data));
    expect(Array.from(x.logSigmoid().data)).toEqual(Array.from(y.data));
    expect(Array.from(nn.functional.logSigmoid(x).data)).toEqual(Array.from(y.data));
    expect(y.node!.op).toBe('logSigmoid');
    expect(y.node!.inputs).toEqual([x]);
  });
});

describe('logSigmoid in float64', () => {
  it('is exact to double rounding from −1e4 to 1e4, and so is its gradient', () => {
    const z = tensor(Float64Array.from(grid()), undefined, { dtype: 'float64', requiresGrad: true });
    const y = logSigmoid(z);
    sum(y).backward();
    let worst = 0;
    let worstGrad = 0;
    z.data.forEach((v, i) => {
      worst = Math.max(worst, relativeError(y.data[i]!, exact(v)));
      const want = exactGrad(v);
      worstGrad = Math.max(worstGrad, want === 0 ? Math.abs(z.grad!.data[i]!) : relativeError(z.grad!.data[i]!, want));
    });
    expect(worst).toBeLessThanOrEqual(4 * 2 ** -53);
    expect(worstGrad).toBeLessThanOrEqual(4 * 2 ** -53);
    expect(y.data[0]).toBe(-1e4);
  });

  it('passes gradcheck across the range', () => {
    const z = new Tensor(Float64Array.from([-60, -20, -3, -0.5, 0, 0.5, 3, 20, 60]), [9], { requiresGrad: true });
    const result = autograd.gradcheck((t) => logSigmoid(t!), [z]);
    expect(result.ok, result.message).toBe(true);
    expect(result.checked).toBe(9);
  });
});
