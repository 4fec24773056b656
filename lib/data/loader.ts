/**
 * DataLoader: a dataset in mini-batches, iterable with for…of. With shuffle, each pass (epoch)
 * visits the examples in a fresh order drawn from (seed, epoch), the same on every backend and
 * every run; setEpoch() picks the epoch when resuming.
 */
import { getBackend } from '../backend';
import type { Batch, Dataset } from './dataset';

/**
 * Which examples an epoch visits, in order (a DistributedSampler's shard, say): indices(epoch)
 * gives them, `length` how many there are each epoch.
 */
export interface Sampler {
  readonly length: number;
  indices(epoch: number): Int32Array;
}

export interface DataLoaderOptions {
  batchSize?: number;
  shuffle?: boolean;
  /** The examples of each epoch, instead of all of them (in order or shuffled); excludes shuffle. */
  sampler?: Sampler;
  /** Drop the last batch when it is smaller than batchSize. */
  dropLast?: boolean;
  seed?: number;
}

/**
 * A permutation of 0 … n−1 by Fisher–Yates over the Philox stream of (seed, epoch): position
 * i swaps with ⌊word·(i+1)/2^32⌋ (bias below n/2^32).
 */
export function shuffledIndices(n: number, seed: number, epoch: number): Int32Array {
  const order = Int32Array.from({ length: n }, (_, i) => i);
  if (n < 2) return order;
  const words = new Uint32Array(n);
  getBackend().randomBits(words, seed, epoch * 2 ** 32); // 2^32 words per epoch: no overlap
  for (let i = n - 1; i > 0; i--) {
    const j = Math.min(i, Math.floor((words[i]! / 2 ** 32) * (i + 1))); // min: rounding for huge n
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}

export class DataLoader implements Iterable<Batch> {
  readonly dataset: Dataset;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly seed: number;
  readonly sampler: Sampler | undefined;
  /** The epoch the next iteration will be (incremented by each completed pass). */
  epoch = 0;

  constructor(dataset: Dataset, options: DataLoaderOptions = {}) {
    const { batchSize = 1, shuffle = false, dropLast = false, seed = 0, sampler } = options;
    if (sampler !== undefined && (typeof sampler.indices !== 'function' || !Number.isInteger(sampler.length))) {
      throw new TypeError('DataLoader: Expected a sampler with indices(epoch) and an integer length');
    }
    if (sampler !== undefined && shuffle) throw new TypeError('DataLoader: Expected shuffle or a sampler, not both (the sampler decides the order)');
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new RangeError(`DataLoader: Expected a positive integer batchSize but received ${batchSize}`);
    }
    if (!Number.isInteger(seed) || seed < 0 || seed > Number.MAX_SAFE_INTEGER) {
      throw new RangeError(`DataLoader: Expected a non-negative integer seed but received ${seed}`);
    }
    this.dataset = dataset;
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.dropLast = dropLast;
    this.seed = seed;
    this.sampler = sampler;
  }

  /** Batches per epoch. */
  get length(): number {
    const n = this.sampler ? this.sampler.length : this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  setEpoch(epoch: number): void {
    if (!Number.isInteger(epoch) || epoch < 0 || epoch >= 2 ** 21) {
      throw new RangeError(`DataLoader.setEpoch: Expected an integer in [0, 2^21) but received ${epoch}`);
    }
    this.epoch = epoch;
  }

  *[Symbol.iterator](): Iterator<Batch> {
    const order = this.sampler ? this.sampler.indices(this.epoch) : this.shuffle ? shuffledIndices(this.dataset.length, this.seed, this.epoch) : Int32Array.from({ length: this.dataset.length }, (_, i) => i);
    const n = order.length;
    for (let b = 0; b < this.length; b++) {
      yield this.dataset.batch(order.subarray(b * this.batchSize, Math.min(n, (b + 1) * this.batchSize)));
    }
    this.epoch++;
  }
}
