// The learning-rate finder on the toy regression: it stops when the loss explodes, suggests a
// rate inside the range where plain SGD converges, and leaves the model as it found it.
import { describe, expect, it } from 'vitest';
import { data, lrFinder, manualSeed, nn, optim } from '../../lib';
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
    expect(result.flat).toBe(false);
    expect(result.advice).toBeNull();
  });

  it('says so when every rate of the sweep is too low: the loss barely moves', () => {
    manualSeed(0);
    const { x, y } = data.datasets.digits({ scale: true });
    const loader = new data.DataLoader(new data.TensorDataset(x, y), { batchSize: 32, shuffle: true, seed: 0 });
    const model = new nn.Sequential(new nn.Linear(64, 64), new nn.ReLU(), new nn.Linear(64, 10));
    const loss = (o: Parameters<typeof nn.functional.crossEntropy>[0], t: Parameters<typeof nn.functional.crossEntropy>[1]) => nn.functional.crossEntropy(o, t);
    const sweep = (endLr: number) => lrFinder({ model, loss, optimizer: new optim.Adam(model.parameters()), loader, startLr: 1e-9, endLr, steps: 100 });
    const low = sweep(1e-6);
    expect(low.diverged).toBe(false);
    expect(low.flat).toBe(true);
    expect(low.advice).toMatch(/^the loss barely moved over the whole sweep \(2\.\d+ at first, 2\.\d+ at best\) up to lr 1\.0e-6: every rate tried is too low; sweep to a higher endLr/);
    const wide = sweep(1);
    expect(wide.flat).toBe(false);
    expect(wide.advice).toBeNull();
    expect(() => lrFinder({ model, loss, optimizer: new optim.Adam(model.parameters()), loader, flatTolerance: 0 })).toThrow(/flatTolerance in \(0, 1\)/);
  });

  it('refuses bad ranges and empty loaders', () => {
    const model = new Linear3();
    const optimizer = new PlainSGD(model.parameters());
    const loader = new data.DataLoader(toyData(8, 1), { batchSize: 8 });
    expect(() => lrFinder({ model, loss: squaredError, optimizer, loader, startLr: 1, endLr: 0.1 })).toThrow(/0 < startLr < endLr/);
    expect(() => lrFinder({ model, loss: squaredError, optimizer, loader: [], steps: 5 })).toThrow(/no batches/);
  });
});
