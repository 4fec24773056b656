// TensorDataset and DataLoader: batches in order or shuffled afresh each epoch from the seed,
// the same on every backend, every example once per epoch, dropLast, and resumable epochs.
import { describe, expect, it } from 'vitest';
import { data, nativeInfo, setBackend, tensor } from '../../lib';

const N = 10;
const xs = tensor(Array.from({ length: N }, (_, i) => [i, 10 * i]));
const ys = tensor(Array.from({ length: N }, (_, i) => i));
const dataset = new data.TensorDataset(xs, ys);

function epochOrder(loader: data.DataLoader): number[] {
  return [...loader].flatMap((b) => Array.from(b.y.data));
}

describe('DataLoader', () => {
  it('yields batches in order with the last one short, or dropped', () => {
    const loader = new data.DataLoader(dataset, { batchSize: 4 });
    const batches = [...loader];
    expect(loader.length).toBe(3);
    expect(batches.map((b) => b.x.shape)).toEqual([[4, 2], [4, 2], [2, 2]]);
    expect(batches[1]!.x.toArray()).toEqual([[4, 40], [5, 50], [6, 60], [7, 70]]);
    const dropping = new data.DataLoader(dataset, { batchSize: 4, dropLast: true });
    expect(dropping.length).toBe(2);
    expect([...dropping]).toHaveLength(2);
  });

  it('shuffles every example exactly once per epoch, differently each epoch', () => {
    const loader = new data.DataLoader(dataset, { batchSize: 3, shuffle: true, seed: 7 });
    const first = epochOrder(loader);
    const second = epochOrder(loader);
    expect([...first].sort((a, b) => a - b)).toEqual(Array.from({ length: N }, (_, i) => i));
    expect([...second].sort((a, b) => a - b)).toEqual(Array.from({ length: N }, (_, i) => i));
    expect(second).not.toEqual(first);
    expect(loader.epoch).toBe(2);
    for (const batch of new data.DataLoader(dataset, { batchSize: 3, shuffle: true, seed: 7 })) {
      for (let r = 0; r < batch.y.size; r++) expect(batch.x.data[2 * r]).toBe(batch.y.data[r]); // x and y stay paired
    }
  });

  it('repeats an epoch exactly from (seed, epoch), on every backend', () => {
    const a = new data.DataLoader(dataset, { batchSize: 2, shuffle: true, seed: 99 });
    epochOrder(a);
    const epoch1 = epochOrder(a);
    const b = new data.DataLoader(dataset, { batchSize: 2, shuffle: true, seed: 99 });
    b.setEpoch(1);
    expect(epochOrder(b)).toEqual(epoch1);
    if (nativeInfo().available) {
      setBackend('reference');
      const c = new data.DataLoader(dataset, { batchSize: 2, shuffle: true, seed: 99 });
      c.setEpoch(1);
      expect(epochOrder(c)).toEqual(epoch1);
      setBackend('native');
    }
  });

  it('gives a near-uniform permutation', () => {
    // Over 2000 epochs of 10 examples, each example lands in each position ~200 times.
    const counts = Array.from({ length: N }, () => new Array<number>(N).fill(0));
    for (let epoch = 0; epoch < 2000; epoch++) {
      data.shuffledIndices(N, 3, epoch).forEach((example, position) => counts[example]![position]!++);
    }
    for (const row of counts) for (const c of row) expect(Math.abs(c - 200)).toBeLessThan(70); // > 5σ
  });

  it('refuses bad options and mismatched datasets', () => {
    expect(() => new data.DataLoader(dataset, { batchSize: 0 })).toThrow('DataLoader: Expected a positive integer batchSize but received 0');
    expect(() => new data.DataLoader(dataset, { seed: -1 })).toThrow(/seed/);
    expect(() => new data.DataLoader(dataset).setEpoch(1.5)).toThrow(/setEpoch/);
    expect(() => new data.TensorDataset(tensor([[1], [2]]), tensor([1, 2, 3]))).toThrow(/same number of rows/);
  });

  it('splits a dataset by indices', () => {
    const part = dataset.subset([9, 0]);
    expect(part.length).toBe(2);
    expect(part.x.toArray()).toEqual([[9, 90], [0, 0]]);
  });
});
