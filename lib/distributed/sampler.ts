/**
 * DistributedSampler: each rank's share of a dataset for one epoch, for the DataLoader's
 * `sampler` option. Every rank draws the same permutation of 0 … n−1 from (seed, epoch) (the
 * DataLoader's own shuffle) and takes every size-th element starting at its rank, so the shards
 * are disjoint and together cover the dataset once.
 *
 * When size does not divide n, PyTorch's rules apply: by default the permutation is padded at
 * its end with its own first elements up to a multiple of size (those few examples are seen
 * twice that epoch, and every rank gets ⌈n/size⌉); with dropLast its tail is cut instead (those
 * examples are skipped that epoch, and every rank gets ⌊n/size⌋). Every rank always has the
 * same number of examples, so every rank runs the same number of steps.
 */
import type { Dataset } from '../data/dataset';
import { shuffledIndices } from '../data/loader';
import type { Sampler } from '../data/loader';
import { describe } from '../backend/validate';
import { rank as currentRank, worldSize } from './process-group';

export interface DistributedSamplerOptions {
  /** The number of shards (default: the world size of the process group, or the launcher's). */
  numReplicas?: number;
  /** This process's shard (default: its rank). */
  rank?: number;
  /** A fresh permutation each epoch (default true); false keeps the dataset's order. */
  shuffle?: boolean;
  /** Seed of the permutations: the same on every rank (default 0). */
  seed?: number;
  /** Cut the tail instead of padding when numReplicas does not divide the dataset. */
  dropLast?: boolean;
}

export interface DistributedSamplerState {
  epoch: number;
  seed: number;
  shuffle: boolean;
  dropLast: boolean;
  numReplicas: number;
  datasetLength: number;
}

function nonNegativeInteger(name: string, value: unknown, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`DistributedSampler: Expected a non-negative integer ${name} but received ${describe(value)}`);
  }
  return value;
}

export class DistributedSampler implements Sampler, Iterable<number> {
  readonly datasetLength: number;
  readonly numReplicas: number;
  readonly rank: number;
  readonly shuffle: boolean;
  readonly seed: number;
  readonly dropLast: boolean;
  /** The epoch iterating this sampler visits (the DataLoader passes its own to indices()). */
  epoch = 0;

  constructor(dataset: Dataset | number, options: DistributedSamplerOptions = {}) {
    const n = typeof dataset === 'number' ? dataset : dataset?.length;
    this.datasetLength = nonNegativeInteger('dataset length', n);
    this.numReplicas = options.numReplicas ?? worldSize();
    if (!Number.isInteger(this.numReplicas) || this.numReplicas < 1) {
      throw new RangeError(`DistributedSampler: Expected a positive integer numReplicas but received ${describe(options.numReplicas)}`);
    }
    this.rank = options.rank ?? currentRank();
    if (!Number.isInteger(this.rank) || this.rank < 0 || this.rank >= this.numReplicas) {
      throw new RangeError(`DistributedSampler: Expected a rank from 0 to ${this.numReplicas - 1} but received ${describe(options.rank ?? this.rank)}`);
    }
    this.shuffle = options.shuffle ?? true;
    this.seed = nonNegativeInteger('seed', options.seed ?? 0);
    this.dropLast = options.dropLast ?? false;
    if (this.dropLast && this.datasetLength < this.numReplicas) {
      throw new RangeError(`DistributedSampler: dropLast with ${this.datasetLength} examples and ${this.numReplicas} replicas leaves every rank nothing`);
    }
  }

  /** Examples per rank per epoch. */
  get length(): number {
    const n = this.datasetLength;
    return this.dropLast ? Math.floor(n / this.numReplicas) : Math.ceil(n / this.numReplicas);
  }

  /** Examples of the whole epoch across the ranks (with padding, or after the cut). */
  get totalSize(): number {
    return this.length * this.numReplicas;
  }

  /** This rank's examples in `epoch`, in the order they are visited. */
  indices(epoch: number): Int32Array {
    nonNegativeInteger('epoch', epoch, 2 ** 21 - 1);
    const n = this.datasetLength;
    const order = this.shuffle ? shuffledIndices(n, this.seed, epoch) : Int32Array.from({ length: n }, (_, i) => i);
    const total = this.totalSize;
    const mine = new Int32Array(this.length);
    // Position p of the padded (or cut) order is order[p mod n]: padding repeats the start,
    // wrapping again if it is longer than the dataset (PyTorch's rule).
    for (let k = 0, p = this.rank; p < total; k++, p += this.numReplicas) mine[k] = order[p % n]!;
    return mine;
  }

  setEpoch(epoch: number): void {
    this.epoch = nonNegativeInteger('epoch', epoch, 2 ** 21 - 1);
  }

  *[Symbol.iterator](): Iterator<number> {
    yield* this.indices(this.epoch);
  }

  stateDict(): DistributedSamplerState {
    return {
      epoch: this.epoch, seed: this.seed, shuffle: this.shuffle, dropLast: this.dropLast, numReplicas: this.numReplicas, datasetLength: this.datasetLength,
    };
  }

  /**
   * Restores the epoch. The permutations must be the same ones, so the seed, shuffle, dropLast
   * and dataset length must match; the number of replicas may differ (a job resumed on another
   * number of ranks visits the same examples each epoch, split differently).
   */
  loadStateDict(state: DistributedSamplerState): void {
    if (typeof state !== 'object' || state === null) throw new TypeError(`DistributedSampler.loadStateDict: Expected a state object but received ${describe(state)}`);
    const mine = this.stateDict();
    for (const key of ['seed', 'shuffle', 'dropLast', 'datasetLength'] as const) {
      if (state[key] !== mine[key]) {
        throw new RangeError(`DistributedSampler.loadStateDict: Expected ${key} ${String(mine[key])} (this sampler's) but the state has ${describe(state[key])}`);
      }
    }
    this.setEpoch(state.epoch);
  }
}
