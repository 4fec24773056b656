// Every op's gradient against centered differences: in float64 on the reference kernels
// (gradcheck), and along a random direction in float32 on each backend (directionalGradcheck).
// A deliberately wrong backward must fail both, naming the worst element.
import { describe, expect, it } from 'vitest';
import {
  Tensor, add, autograd, concat, directionalGradcheck, gather, gradcheck, manualSeed, matmul, mul, randn, relu,
  reshape, stack, sum, transpose,
} from '../../lib';
import { backendNames, useBackend } from './backends';

const f64 = { dtype: 'float64' as const, requiresGrad: true };

/** Inputs away from ReLU's kink, so differences do not straddle it. */
function awayFromZero(t: Tensor): Tensor {
  for (let i = 0; i < t.size; i++) if (Math.abs(t.data[i]!) < 0.05) t.data[i] = 0.5;
  return t;
}

/** x·x with the factor 2 of its gradient forgotten: a user's op with a wrong backward. */
class WrongSquare extends autograd.Function {
  static override forward(ctx: autograd.FunctionContext, x: Tensor): Tensor {
    ctx.saveForBackward(x);
    return x.mul(x);
  }
  static override backward(ctx: autograd.FunctionContext, grad: Tensor): Tensor {
    return grad.mul(ctx.savedTensors[0]!);
  }
}
const wrongSquare = (x: Tensor) => WrongSquare.apply(x);

const CASES: [string, (...t: Tensor[]) => Tensor, number[][]][] = [
  ['add', add, [[3, 4], [3, 4]]],
  ['mul', mul, [[3, 4], [3, 4]]],
  ['matmul', matmul, [[3, 5], [5, 2]]],
  ['matmul with a 1-wide inner dimension', matmul, [[4, 1], [1, 3]]],
  ['sum of all', (x) => sum(x), [[2, 3, 4]]],
  ['sum over dim 0', (x) => sum(x, 0), [[3, 4]]],
  ['sum over dim 1 keeping it', (x) => sum(x, 1, true), [[2, 3, 4]]],
  ['sum over the last dim', (x) => sum(x, -1), [[2, 3, 4]]],
  ['relu', relu, [[4, 5]]],
  ['reshape', (x) => mul(reshape(x, [6, 2]), reshape(x, [6, 2])), [[3, 4]]],
  ['a two-layer MLP', (x, w1, w2) => sum(matmul(relu(matmul(x, w1)), w2)), [[4, 3], [3, 5], [5, 2]]],
];

describe('gradcheck (float64, every element)', () => {
  it.each(CASES)('passes for %s', (_, fn, shapes) => {
    manualSeed(1);
    const inputs = shapes.map((s) => awayFromZero(randn(s, f64)));
    const result = gradcheck(fn, inputs);
    expect(result.ok, result.message).toBe(true);
    expect(result.checked).toBe(shapes.reduce((n, s) => n + s.reduce((a, b) => a * b, 1), 0));
    expect(result.maxRelError).toBeLessThan(1e-6);
  });

  it('fails for a wrong backward and names the worst element', () => {
    const x = new Tensor(Float64Array.of(1, -2, 3), [3], { requiresGrad: true });
    const result = gradcheck((t) => wrongSquare(t), [x]);
    expect(result.ok).toBe(false);
    expect(result.worst).toMatchObject({ input: 0, index: 2 });
    expect(result.message).toMatch(/^gradcheck FAILED on 3 derivatives .* worst: input 0, element 2: analytic/);
  });

  it('checks only inputs that require a gradient, and needs one', () => {
    const w = randn([2, 2], f64);
    const x = randn([2, 2], { dtype: 'float64' });
    expect(gradcheck(matmul, [x, w]).checked).toBe(4);
    expect(() => gradcheck(matmul, [x, x])).toThrow(/at least one input with requiresGrad/);
  });
});

describe.each(backendNames())('directionalGradcheck (float32) on %s', (name) => {
  useBackend(name);

  it.each(CASES)('passes for %s', (_, fn, shapes) => {
    manualSeed(2);
    const inputs = shapes.map((s) => awayFromZero(randn(s, { requiresGrad: true })));
    const result = directionalGradcheck(fn, inputs);
    expect(result.ok, result.message).toBe(true);
  });

  it('fails for a wrong backward', () => {
    const x = new Tensor(Float32Array.of(1, -2, 3), [3], { requiresGrad: true });
    expect(directionalGradcheck((t) => wrongSquare(t), [x]).ok).toBe(false);
  });
});

describe('gradcheck of the layout ops', () => {
  it.each([
    ['transpose', (x: Tensor) => mul(transpose(x), transpose(x)), [[3, 5]]],
    ['gather with repeated rows', (x: Tensor) => mul(gather(x, [2, 0, 2]), gather(x, [1, 1, 0])), [[3, 4]]],
    ['concat along dim 1', (a: Tensor, b: Tensor) => mul(concat([a, b], 1), concat([b, a], 1)), [[2, 3], [2, 3]]],
    ['concat of unequal pieces along dim 0', (a: Tensor, b: Tensor) => sum(mul(concat([a, b]), concat([a, b]))), [[1, 3], [2, 3]]],
    ['stack along the last dim', (a: Tensor, b: Tensor) => mul(stack([a, b], -1), stack([b, b], -1)), [[2, 3], [2, 3]]],
  ] as [string, (...t: Tensor[]) => Tensor, number[][]][])('passes for %s', (_, fn, shapes) => {
    manualSeed(3);
    const result = gradcheck(fn, shapes.map((s) => randn(s, f64)));
    expect(result.ok, result.message).toBe(true);
  });
});
