// The learning-rate finder on the toy regression: it stops when the loss explodes, suggests a
// rate inside the range where plain SGD converges, and leaves the model as it found it.
import { describe, expect, it } from 'vitest';
import { data, lrFinder } from '../../lib';
import { PlainSGD } from '../optim/plain-sgd';
import { Linear3, squaredError, toyData } from './toy';

describe('lrFinder', () => {
  it('sweeps up to the explosion and suggests a rate that trains', () => {
    const model = new Linear3();
    model.w.data.set([0.3, 0.1, -0.2]);
    const optimizer = new PlainSGD(model.parameters(), 0.5);
    const loader = new data.DataLoader(toyData(256, 4, 0.3), { batchSize: 8, shuffle: true, seed: 1 });
    model.eval();
    const result = lrFinder({ model, loss: squaredError, optimizer, loader, startLr: 1e-6, endLr: 10, steps: 300 });
    expect(model.training).toBe(false); // the caller's mode is put back
    expect(result.diverged).toBe(true);
    expect(result.lrs.length).toBeLessThan(300);
    expect(result.lrs.at(-1)!).toBeGreaterThan(0.02); // plain SGD on 8 unit-variance rows diverges near 1/16
    expect(result.lrs.at(-1)!).toBeLessThan(1);
    // Known-good: rates from 1e-3 to 3e-2 all converge on this problem.
    expect(result.suggestion).toBeGreaterThan(1e-3);
    expect(result.suggestion).toBeLessThan(3e-2);
    // The model and the optimizer are untouched.
    expect(Array.from(model.w.data)).toEqual([0.3, 0.1, -0.2].map(Math.fround));
    expect(optimizer.paramGroups[0]!.lr).toBe(0.5);
    expect(optimizer.state.size).toBe(0);
  });

  it('refuses bad ranges and empty loaders', () => {
    const model = new Linear3();
    const optimizer = new PlainSGD(model.parameters());
    const loader = new data.DataLoader(toyData(8, 1), { batchSize: 8 });
    expect(() => lrFinder({ model, loss: squaredError, optimizer, loader, startLr: 1, endLr: 0.1 })).toThrow(/0 < startLr < endLr/);
    expect(() => lrFinder({ model, loss: squaredError, optimizer, loader: [], steps: 5 })).toThrow(/no batches/);
  });
});
