// BufferPool: op outputs and gradients inside run() come from the pool, reclaim() frees them for
// the next step (zero-filled), and a parameter's gradient is kept out of reuse.
import { describe, expect, it } from 'vitest';
import { BufferPool, Tensor, manualSeed, mul, nn, sum, tensor } from '../../lib';
import { maxPool2dWithIndices } from '../../lib/autograd/ops/pool';

describe('BufferPool', () => {
  it('hands the same buffers to the next step, zero-filled, and keeps leaf gradients', () => {
    const pool = new BufferPool();
    const w = new Tensor(Float32Array.of(1, 2, 3), [3], { requiresGrad: true });
    const x = tensor([4, 5, 6]);
    const step = () => pool.run(() => {
      const y = mul(w, x);
      sum(y).backward();
      return y;
    });
    const first = step();
    expect(Array.from(first.data)).toEqual([4, 10, 18]);
    const grad = w.grad!.data;
    expect(Array.from(grad)).toEqual([4, 5, 6]);
    const created = pool.stats.created;
    pool.reclaim();
    w.grad = null;
    const second = step();
    expect(second.data).toBe(first.data); // the same memory, recomputed
    expect(Array.from(second.data)).toEqual([4, 10, 18]);
    expect(w.grad!.data).not.toBe(grad); // the kept gradient was not handed out again
    expect(Array.from(grad)).toEqual([4, 5, 6]);
    pool.give(grad);
    pool.reclaim();
    w.grad = null;
    step();
    expect(w.grad!.data).toBe(grad); // a gradient given back is reused
    expect(pool.stats.created).toBe(created + 1);
    const outside = mul(w, x);
    expect(outside.data).not.toBe(second.data); // outside run(): fresh memory
  });

  it('zero-fills what it reuses', () => {
    const pool = new BufferPool();
    const a = pool.take(4, 'float32');
    a.fill(7);
    pool.reclaim();
    const b = pool.take(4, 'float32');
    expect(b).toBe(a);
    expect(Array.from(b)).toEqual([0, 0, 0, 0]);
    expect(pool.take(4, 'float64')).toBeInstanceOf(Float64Array);
    // Unless asked not to: an output a kernel overwrites whole keeps what the last step left.
    b.fill(7);
    pool.reclaim();
    expect(Array.from(pool.take(4, 'float32', false))).toEqual([7, 7, 7, 7]);
  });

  it('gives a Linear + cross-entropy step the same values when its reused buffers hold NaN', () => {
    manualSeed(3);
    const layer = new nn.Linear(5, 4, { activation: 'relu' });
    const x = new Tensor(Float32Array.from({ length: 15 }, (_, i) => Math.sin(i)), [3, 5]);
    const labels = Int32Array.of(0, 3, 1);
    const compute = () => {
      const logits = layer.call(x);
      const loss = nn.functional.crossEntropy(logits, labels);
      loss.backward();
      return { logits, loss, wGrad: layer.weight.grad!.data.slice(), bGrad: layer.bias!.grad!.data.slice() };
    };
    const plain = compute(); // outside any pool: fresh memory
    const pool = new BufferPool();
    layer.weight.grad = null;
    layer.bias!.grad = null;
    const first = pool.run(compute);
    pool.reclaim();
    // Poison everything the next step will be handed again, including the gradients given back.
    for (const t of [first.logits, first.loss]) t.data.fill(NaN);
    for (const p of [layer.weight, layer.bias!]) {
      p.grad!.data.fill(NaN);
      pool.give(p.grad!.data);
      p.grad = null;
    }
    const second = pool.run(compute);
    expect(second.logits.data).toBe(first.logits.data); // the poisoned memory, reused
    expect(Array.from(second.logits.data)).toEqual(Array.from(plain.logits.data));
    expect(second.loss.item()).toBe(plain.loss.item());
    expect(Array.from(second.wGrad)).toEqual(Array.from(plain.wGrad));
    expect(Array.from(second.bGrad)).toEqual(Array.from(plain.bGrad));
  });

  it('lends max pooling its argmax indices too, and the step is the same with stale ones', () => {
    const x = new Tensor(Float32Array.from({ length: 2 * 4 * 4 }, (_, i) => Math.cos(i * 1.7)), [1, 2, 4, 4], { requiresGrad: true });
    const step = () => {
      const { output, indices } = maxPool2dWithIndices(x, { kernelSize: 2 });
      sum(mul(output, output)).backward();
      return { output: Array.from(output.data), indices, grad: Array.from(x.grad!.data) };
    };
    const plain = step();
    x.grad = null;
    const pool = new BufferPool();
    const first = pool.run(step);
    expect(first.indices).toBeInstanceOf(Int32Array);
    pool.reclaim();
    first.indices.fill(-7); // stale values the kernel must overwrite
    x.grad = null;
    const second = pool.run(step);
    expect(second.indices).toBe(first.indices); // the same Int32Array, lent again
    expect(Array.from(second.indices)).toEqual(Array.from(plain.indices));
    expect(second.output).toEqual(plain.output);
    expect(second.grad).toEqual(plain.grad);
    expect(pool.takeIndices(3)).not.toBe(first.indices); // another size: a new array
  });
});
