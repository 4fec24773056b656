// The tape: the worked examples of the notes, fan-out accumulation, zeroing, noGrad, deep
// chains, detach and errors — on every backend.
import { describe, expect, it } from 'vitest';
import { add, mul, noGrad, ones, sum, tensor, zeros } from '../../lib';
import { backendNames, useBackend } from './backends';

describe.each(backendNames())('autograd on %s', (name) => {
  useBackend(name);

  it('reproduces (x + y)·z at (−2, 5, −4): f = −12, ∂f/∂x = ∂f/∂y = −4, ∂f/∂z = 3', () => {
    const x = tensor([-2], undefined, { requiresGrad: true });
    const y = tensor([5], undefined, { requiresGrad: true });
    const z = tensor([-4], undefined, { requiresGrad: true });
    const q = add(x, y);
    const f = mul(q, z);
    expect(q.item()).toBe(3);
    expect(f.item()).toBe(-12);
    f.backward();
    expect(x.grad!.item()).toBe(-4);
    expect(y.grad!.item()).toBe(-4);
    expect(z.grad!.item()).toBe(3);
  });

  it('sums the gradients of a tensor used twice (d(x·x)/dx = 2x)', () => {
    const x = tensor([3, -1.5], undefined, { requiresGrad: true });
    sum(mul(x, x)).backward();
    expect(Array.from(x.grad!.data)).toEqual([6, -3]);
    const y = tensor([2], undefined, { requiresGrad: true });
    add(add(y, y), mul(y, y)).backward(); // 2y + y²: 2 + 2y = 6
    expect(y.grad!.item()).toBe(6);
  });

  it('accumulates into .grad across backward calls until zeroed', () => {
    const w = tensor([1, 2], undefined, { requiresGrad: true });
    const x = tensor([3, 4]);
    sum(mul(w, x)).backward();
    sum(mul(w, x)).backward();
    expect(Array.from(w.grad!.data)).toEqual([6, 8]);
    w.grad = null;
    sum(mul(w, x)).backward();
    expect(Array.from(w.grad!.data)).toEqual([3, 4]);
  });

  it('records nothing under noGrad, and refuses an async function', () => {
    const w = tensor([1, 2], undefined, { requiresGrad: true });
    const y = noGrad(() => mul(w, w));
    expect(y.requiresGrad).toBe(false);
    expect(y.node).toBeNull();
    expect(mul(w, w).node?.op).toBe('mul');
    expect(() => noGrad(async () => 1)).toThrow(/synchronous/);
    expect(mul(w, w).requiresGrad).toBe(true); // recording is back on
  });

  it('walks a 10 000-op chain without overflowing the stack', () => {
    const x = tensor([1, 2, 3], undefined, { requiresGrad: true });
    const one = ones([3]);
    let y = x;
    for (let i = 0; i < 10_000; i++) y = add(y, one);
    expect(Array.from(y.data)).toEqual([10_001, 10_002, 10_003]);
    sum(y).backward();
    expect(Array.from(x.grad!.data)).toEqual([1, 1, 1]);
  });

  it('stops gradients at detach() and at inputs without requiresGrad', () => {
    const w = tensor([2], undefined, { requiresGrad: true });
    const frozen = tensor([5]);
    mul(mul(w, frozen), w.detach()).backward(); // ∂(5·w·w_detached)/∂w = 5·2
    expect(w.grad!.item()).toBe(10);
    expect(frozen.grad).toBeNull();
  });

  it('reshapes gradients back through reshape', () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]], undefined, { requiresGrad: true });
    const y = x.reshape(3, 2);
    expect(y.toArray()).toEqual([[1, 2], [3, 4], [5, 6]]);
    mul(y, tensor([[1, 0], [0, 0], [0, 2]])).sum().backward();
    expect(x.grad!.toArray()).toEqual([[1, 0, 0], [0, 0, 2]]);
    expect(() => x.reshape(4, -1)).toThrow(/cannot infer/);
    expect(() => x.reshape(5)).toThrow('reshape: cannot view shape [2, 3] (6 elements) as [5] (5)');
  });

  it('needs a one-element root or an explicit gradient', () => {
    const x = tensor([1, 2], undefined, { requiresGrad: true });
    const y = mul(x, x);
    expect(() => y.backward()).toThrow(/one-element tensor/);
    y.backward(tensor([1, 10]));
    expect(Array.from(x.grad!.data)).toEqual([2, 40]);
    expect(() => y.backward(tensor([1, 2, 3]))).toThrow(/Expected a gradient of shape \[2\]/);
    expect(() => zeros([1]).backward()).toThrow(/requires a gradient/);
  });

  it('refuses shape and dtype mismatches with both shapes in the message', () => {
    const a = zeros([128, 784]);
    const b = zeros([256, 10]);
    expect(() => a.matmul(b)).toThrow('matmul: [128, 784] x [256, 10]: inner dimensions 784 and 256 differ');
    expect(() => add(zeros([2]), zeros([3]))).toThrow('add: shapes [2] and [3] do not broadcast (dimension -1: 2 vs 3)');
    expect(() => add(zeros([2]), zeros([2], { dtype: 'float64' }))).toThrow('add: Expected tensors of one dtype but received float32 and float64');
    expect(() => sum(zeros([2, 3]), 2)).toThrow('sum: Expected a dimension in [-2, 1] for shape [2, 3] but received 2');
  });
});
