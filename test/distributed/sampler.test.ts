// DistributedSampler: disjoint seeded shards per epoch that cover the dataset once; PyTorch's
// padding and dropLast when the ranks do not divide it; the DataLoader's sampler option; and
// the state a resumed run restores. Pure index arithmetic: no MPI needed.
import { describe, expect, it } from 'vitest';
import { data, distributed, tensor } from '../../lib';

const { DistributedSampler } = distributed;

function shards(n: number, replicas: number, epoch: number, options: { seed?: number; dropLast?: boolean; shuffle?: boolean } = {}): number[][] {
  return Array.from({ length: replicas }, (_, rank) => Array.from(new DistributedSampler(n, { numReplicas: replicas, rank, ...options }).indices(epoch)));
}

const sorted = (a: number[]) => [...a].sort((x, y) => x - y);
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('DistributedSampler', () => {
  it('splits each epoch into disjoint shards that cover the dataset once when the ranks divide it', () => {
    for (const epoch of [0, 1, 5]) {
      const parts = shards(12, 3, epoch, { seed: 4 });
      expect(parts.map((p) => p.length)).toEqual([4, 4, 4]);
      expect(sorted(parts.flat())).toEqual(range(12));
    }
  });

  it('draws the permutation of the DataLoader shuffle from (seed, epoch) and deals it out rank by rank', () => {
    const order = Array.from(data.shuffledIndices(12, 4, 3));
    const parts = shards(12, 3, 3, { seed: 4 });
    parts.forEach((p, rank) => expect(p).toEqual(order.filter((_, i) => i % 3 === rank)));
    expect(shards(12, 3, 4, { seed: 4 })).not.toEqual(parts);
    expect(shards(12, 3, 3, { seed: 5 })).not.toEqual(parts);
    expect(shards(12, 3, 3, { seed: 4 })).toEqual(parts);
    expect(shards(6, 2, 9, { shuffle: false })).toEqual([[0, 2, 4], [1, 3, 5]]);
  });

  it('pads with the permutation\'s first elements when the ranks do not divide it, as PyTorch', () => {
    const order = Array.from(data.shuffledIndices(10, 0, 2));
    const parts = shards(10, 3, 2);
    expect(parts.map((p) => p.length)).toEqual([4, 4, 4]);
    const padded = [...order, order[0]!, order[1]!];
    parts.forEach((p, rank) => expect(p).toEqual(padded.filter((_, i) => i % 3 === rank)));
    // Every example at least once; exactly the first two twice.
    expect(sorted(parts.flat())).toEqual(sorted([...range(10), order[0]!, order[1]!]));
    // Padding longer than the dataset wraps again: 2 examples, 5 ranks.
    expect(shards(2, 5, 0, { shuffle: false })).toEqual([[0], [1], [0], [1], [0]]);
  });

  it('with dropLast cuts the tail instead: every rank ⌊n/size⌋, no example twice', () => {
    const order = Array.from(data.shuffledIndices(10, 0, 1));
    const parts = shards(10, 3, 1, { dropLast: true });
    expect(parts.map((p) => p.length)).toEqual([3, 3, 3]);
    expect(sorted(parts.flat())).toEqual(sorted(order.slice(0, 9)));
    expect(() => new DistributedSampler(2, { numReplicas: 3, rank: 0, dropLast: true })).toThrow(/leaves every rank nothing/);
  });

  it('feeds a DataLoader: batches of this rank\'s shard, the epoch set by the loader', () => {
    const n = 10;
    const dataset = new data.TensorDataset(tensor(range(n).map((i) => [i])), tensor(range(n)));
    const sampler = new DistributedSampler(dataset, { numReplicas: 2, rank: 1, seed: 3 });
    const loader = new data.DataLoader(dataset, { batchSize: 2, sampler });
    expect(loader.length).toBe(3);
    const epoch0 = [...loader].flatMap((b) => Array.from(b.y.data));
    expect(epoch0).toEqual(Array.from(sampler.indices(0)));
    loader.setEpoch(4);
    expect([...loader].flatMap((b) => Array.from(b.y.data))).toEqual(Array.from(sampler.indices(4)));
    expect(new data.DataLoader(dataset, { batchSize: 4, sampler, dropLast: true }).length).toBe(1);
    expect(() => new data.DataLoader(dataset, { sampler, shuffle: true })).toThrow(/Expected shuffle or a sampler, not both/);
    expect(() => new data.DataLoader(dataset, { sampler: {} as data.Sampler })).toThrow(/Expected a sampler with indices\(epoch\) and an integer length/);
  });

  it('iterates the epoch set with setEpoch, and restores it from its state', () => {
    const sampler = new DistributedSampler(9, { numReplicas: 2, rank: 0, seed: 8 });
    sampler.setEpoch(3);
    expect([...sampler]).toEqual(Array.from(sampler.indices(3)));
    const state = sampler.stateDict();
    expect(state).toEqual({ epoch: 3, seed: 8, shuffle: true, dropLast: false, numReplicas: 2, datasetLength: 9 });
    const resumed = new DistributedSampler(9, { numReplicas: 2, rank: 0, seed: 8 });
    resumed.loadStateDict(JSON.parse(JSON.stringify(state)));
    expect([...resumed]).toEqual([...sampler]);
    // Another world size: the same permutations, split differently.
    new DistributedSampler(9, { numReplicas: 3, rank: 0, seed: 8 }).loadStateDict(state);
    expect(() => new DistributedSampler(9, { numReplicas: 2, rank: 0, seed: 9 }).loadStateDict(state)).toThrow(/Expected seed 9 \(this sampler's\) but the state has 8/);
    expect(() => new DistributedSampler(10, { numReplicas: 2, rank: 0, seed: 8 }).loadStateDict(state)).toThrow(/Expected datasetLength 10/);
  });

  it('takes its rank and world size from the launcher, and rejects bad options', () => {
    const saved = { ...process.env };
    try {
      process.env['OMPI_COMM_WORLD_RANK'] = '2';
      process.env['OMPI_COMM_WORLD_SIZE'] = '4';
      const sampler = new DistributedSampler(8);
      expect([sampler.rank, sampler.numReplicas, sampler.length]).toEqual([2, 4, 2]);
      expect(distributed.launchEnvironment()).toMatchObject({ launcher: 'mpirun', rank: 2, size: 4 });
      delete process.env['OMPI_COMM_WORLD_RANK'];
      delete process.env['OMPI_COMM_WORLD_SIZE'];
      process.env['SLURM_PROCID'] = '1';
      process.env['SLURM_NTASKS'] = '3';
      process.env['SLURM_NTASKS_PER_NODE'] = '2(x3)';
      expect(distributed.launchEnvironment()).toEqual({ launcher: 'srun', rank: 1, size: 3, localRank: undefined, localSize: undefined });
      process.env['SLURM_PROCID'] = '3';
      expect(() => distributed.launchEnvironment()).toThrow(/Expected a rank below the world size but received 3 of 3/);
    } finally {
      for (const key of ['OMPI_COMM_WORLD_RANK', 'OMPI_COMM_WORLD_SIZE', 'SLURM_PROCID', 'SLURM_NTASKS', 'SLURM_NTASKS_PER_NODE']) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
    }
    expect(() => new DistributedSampler(8, { numReplicas: 2, rank: 2 })).toThrow(RangeError);
    expect(() => new DistributedSampler(8, { numReplicas: 0 })).toThrow(/positive integer numReplicas/);
    expect(() => new DistributedSampler(-1)).toThrow(/non-negative integer dataset length/);
    expect(() => new DistributedSampler(8, { numReplicas: 1, rank: 0 }).indices(-1)).toThrow(/non-negative integer epoch/);
    expect(shards(0, 2, 0)).toEqual([[], []]);
  });
});
