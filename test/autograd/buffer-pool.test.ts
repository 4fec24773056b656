// BufferPool: op outputs and gradients inside run() come from the pool, reclaim() frees them for
// the next step (zero-filled), and a parameter's gradient is kept out of reuse.
import { describe, expect, it } from 'vitest';
import { BufferPool, Tensor, mul, sum, tensor } from '../../lib';

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
  });
});
