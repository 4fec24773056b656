/**
 * DistributedDataParallel: one model trained by every rank on its own share of each batch. At
 * construction the ranks check they built the same model and take rank 0's parameters and
 * buffers; after each backward, syncGradients() replaces every gradient by its mean over the
 * ranks, so the optimizers, given the same state, make the same step everywhere and the replicas
 * stay equal. Gradients are reduced in buckets (buckets.ts), launched in a fixed order; with
 * reduceOrder "fixed" each bucket's sum is taken in rank order, so a run gives the same bits as
 * one process that adds the ranks' gradients in that order.
 *
 * With overlap (the default) each bucket's reduction starts during backward, once the engine
 * has finished the gradients of all its parameters (a post-accumulate hook) and every earlier
 * bucket has started; syncGradients() then starts the rest and waits. So between backward and
 * syncGradients() a rank must issue no collectives of its own (another rank may start a bucket
 * at a different moment), and gradients accumulated over several backward passes must be
 * computed inside noSync() (or with overlap false): a second backward before syncGradients()
 * throws, as in PyTorch, since the reductions it started hold the first pass's gradients. Only
 * the backward of a training forward through the wrapper starts reductions early: one through
 * the bare module (a sanity check on rank 0, say) leaves them to syncGradients().
 *
 * A parameter without a gradient on some rank (unused in its forward) counts as zeros there
 * and gets the mean like the rest; so does one whose gradient a row-sparse op writes in place
 * (Embedding({ sparse }), hierarchical softmax): its bucket is reduced after backward. Row-sparse
 * gradient records are dropped: after the mean the rows any rank touched may be non-zero.
 */
import { registerPostAccumulateGradHook } from '../autograd/backward';
import { Tensor } from '../autograd/tensor';
import type { LoadResult, Module } from '../nn/module';
import { Module as ModuleBase } from '../nn/module';
import { describe } from '../backend/validate';
import { agreeAcrossRanks } from './agree';
import { type Bucket, assignBuckets } from './buckets';
import { type ProcessGroup, type Work, processGroup, startAllreduce, startBroadcast } from './process-group';

export interface DistributedDataParallelOptions {
  /** The group to train over (default: the one distributed.init() started). */
  group?: ProcessGroup;
  /** Bucket capacity in MiB (default 25, PyTorch's). */
  bucketCapMB?: number;
  /** The first bucket's capacity in MiB (default 1, PyTorch's): the first reduction starts early. */
  firstBucketCapMB?: number;
  /** any (default): MPI's order of addition; fixed: rank order, the same bits as one process adding the ranks' gradients in order. */
  reduceOrder?: 'any' | 'fixed';
  /**
   * Copy rank 0's buffers (BatchNorm running statistics) to every rank before each forward,
   * as PyTorch's broadcast_buffers. Default false: each rank keeps its own statistics (they are
   * rank 0's at the start, and rank 0's are the ones saved).
   */
  broadcastBuffers?: boolean;
  /**
   * Start a bucket's reduction during backward, as soon as backward has finished its gradients
   * (and every earlier bucket has started), so communication overlaps the rest of the backward
   * pass as in PyTorch's DDP (default true). False reduces everything after backward, in
   * syncGradients(). The results are the same bits either way.
   */
  overlap?: boolean;
}

type OutputOf<M> = M extends Module<infer O> ? O : never;

/** A bucket as the user may inspect it: which parameters, how many elements. */
export interface BucketInfo {
  dtype: string;
  parameters: string[];
  elements: number;
}

function capacity(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback * 2 ** 20;
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) {
    throw new RangeError(`DistributedDataParallel: Expected a positive number of MiB for ${name} but received ${describe(value)}`);
  }
  return value * 2 ** 20;
}

/** Copies the tensors into one flat buffer per dtype, runs fn on each, and copies back. */
function flatPerDType(tensors: readonly Tensor[], fn: (flat: Float32Array | Float64Array) => void): void {
  for (const dtype of ['float32', 'float64'] as const) {
    const group = tensors.filter((t) => t.dtype === dtype);
    const size = group.reduce((n, t) => n + t.size, 0);
    if (group.length === 0) continue;
    const flat = dtype === 'float64' ? new Float64Array(size) : new Float32Array(size);
    let offset = 0;
    for (const t of group) {
      flat.set(t.data, offset);
      offset += t.size;
    }
    fn(flat);
    offset = 0;
    for (const t of group) {
      t.data.set(flat.subarray(offset, offset + t.size));
      offset += t.size;
    }
  }
}

// Module<any>: any module, whatever its forward returns (Module is invariant in its output).
export class DistributedDataParallel<M extends Module<any> = Module> extends ModuleBase<OutputOf<M>> {
  readonly module: M;
  readonly #group: ProcessGroup;
  readonly #fixedOrder: boolean;
  readonly #broadcastBuffers: boolean;
  readonly #buckets: Bucket[];
  readonly #names: Map<Tensor, string>;
  #syncing = true;
  /** Per bucket: the reduction in flight (started early or by syncGradients), and how many of its parameters backward has finished. */
  readonly #works: (Work | null)[];
  readonly #ready: number[];
  readonly #bucketOf = new Map<Tensor, number>();
  readonly #finished = new Set<Tensor>();
  #started = 0;
  /** A training forward through this wrapper since the last syncGradients(): only its backward starts reductions. */
  #armed = false;
  /** The first reduction agrees on every bucket's length; the layout check made later ones safe. */
  #verify = true;
  /**
   * Since construction: syncGradients() calls, the bytes reduced, the buckets started during
   * backward (overlapped), and the seconds syncGradients() took (the communication not hidden).
   */
  readonly stats = { syncs: 0, bytes: 0, overlapped: 0, seconds: 0 };

  constructor(module: M, options: DistributedDataParallelOptions = {}) {
    super();
    const fn = 'DistributedDataParallel';
    if (!(module instanceof ModuleBase)) throw new TypeError(`${fn}: Expected a Module but received ${describe(module)}`);
    const { reduceOrder = 'any', broadcastBuffers = false } = options;
    if (reduceOrder !== 'any' && reduceOrder !== 'fixed') throw new RangeError(`${fn}: Expected reduceOrder any or fixed but received ${describe(reduceOrder)}`);
    const bytes = capacity('bucketCapMB', options.bucketCapMB, 25);
    const firstBytes = capacity('firstBucketCapMB', options.firstBucketCapMB, 1);
    this.module = module;
    this.#group = options.group ?? processGroup(fn);
    this.#fixedOrder = reduceOrder === 'fixed';
    this.#broadcastBuffers = broadcastBuffers;

    const named = (module as Module).namedParameters();
    const buffers = (module as Module).namedBuffers();
    const trained = named.filter(([, p]) => p.requiresGrad);
    this.#names = new Map(named.map(([name, p]) => [p as Tensor, name]));
    // The same model, options and bucket layout everywhere: the reductions trust it.
    const layout = [
      ...named.map(([name, p]) => `${name}:${p.dtype}[${p.shape.join(',')}]${p.requiresGrad ? '' : ' frozen'}`),
      ...buffers.map(([name, t]) => `buffer ${name}:${t.dtype}[${t.shape.join(',')}]`),
      `buckets ${bytes}/${firstBytes} order ${reduceOrder} broadcastBuffers ${broadcastBuffers}`,
    ].join(';');
    agreeAcrossRanks(this.#group, fn, 'model (parameter names, shapes, dtypes, buffers) and options', layout);
    this.#buckets = assignBuckets(trained.map(([, p]) => p), { bytes, firstBytes });
    this.#works = this.#buckets.map(() => null);
    this.#ready = this.#buckets.map(() => 0);
    this.#buckets.forEach((b, i) => b.params.forEach((p) => this.#bucketOf.set(p, i)));
    if (options.overlap ?? true) for (const p of this.#bucketOf.keys()) registerPostAccumulateGradHook(p, (leaf) => this.#gradientReady(leaf));
    // Every replica starts from rank 0's parameters and buffers.
    flatPerDType([...named.map(([, p]) => p as Tensor), ...buffers.map(([, t]) => t)], (flat) => startBroadcast(this.#group, flat, 0, true).wait());
  }

  get group(): ProcessGroup {
    return this.#group;
  }

  /** The buckets in the order they are reduced. */
  get buckets(): BucketInfo[] {
    return this.#buckets.map((b) => ({ dtype: b.dtype, parameters: b.params.map((p) => this.#names.get(p) ?? '?'), elements: b.buffer.length }));
  }

  forward(...inputs: Tensor[]): OutputOf<M> {
    if (this.#broadcastBuffers && this.training) {
      flatPerDType((this.module as Module).namedBuffers().map(([, t]) => t), (flat) => startBroadcast(this.#group, flat, 0, this.#verify).wait());
    }
    if (this.training && this.#syncing) this.#armed = true;
    return (this.module as unknown as { call(...x: Tensor[]): OutputOf<M> }).call(...inputs);
  }

  /**
   * Replaces every trained parameter's gradient by its mean over the ranks: call it after
   * backward and before the optimizer's step (the Trainer does, through its onGradients hook).
   * Inside noSync() it does nothing.
   */
  syncGradients(): void {
    if (!this.#syncing) return;
    const started = performance.now();
    // What backward has not started yet starts now, in bucket order; every bucket is started
    // before the first is waited for, so copies and reductions overlap.
    while (this.#started < this.#buckets.length) this.#launch(this.#started++);
    this.#buckets.forEach((b, i) => {
      this.#works[i]!.wait();
      this.#unpack(b);
      this.#works[i] = null;
      this.#ready[i] = 0;
    });
    this.#finished.clear();
    this.#started = 0;
    this.#armed = false;
    this.#verify = false;
    this.stats.syncs++;
    this.stats.bytes += this.#buckets.reduce((n, b) => n + b.buffer.byteLength, 0);
    this.stats.seconds += (performance.now() - started) / 1000;
  }

  /** The post-accumulate hook: backward has finished `leaf`'s gradient for this pass. */
  #gradientReady(leaf: Tensor): void {
    // A backward of the bare module (a sanity check, say) or inside noSync starts nothing.
    if (!this.#syncing || !this.#armed) return;
    const i = this.#bucketOf.get(leaf)!;
    if (this.#finished.has(leaf)) {
      throw new Error(
        `DistributedDataParallel: ${this.#names.get(leaf) ?? 'a parameter'} got a gradient from a second backward before syncGradients(): ` +
          'the reductions started during the first hold its gradients only. Accumulate over several backward passes inside ddp.noSync(), ' +
          'or construct with overlap: false',
      );
    }
    this.#finished.add(leaf);
    this.#ready[i]!++;
    // Buckets start in order, so every rank issues the same reductions in the same order.
    while (this.#started < this.#buckets.length && this.#ready[this.#started] === this.#buckets[this.#started]!.params.length) {
      this.#launch(this.#started++);
      this.stats.overlapped++;
    }
  }

  #launch(i: number): void {
    const bucket = this.#buckets[i]!;
    this.#fill(bucket);
    this.#works[i] = startAllreduce(this.#group, bucket.buffer, 'mean', this.#fixedOrder, this.#verify);
  }

  /** Runs fn (backward passes that only accumulate, say) with syncGradients() doing nothing. */
  noSync<T>(fn: () => T): T {
    const before = this.#syncing;
    this.#syncing = false;
    try {
      return fn();
    } finally {
      this.#syncing = before;
    }
  }

  /** The wrapped module's state: checkpoints of a distributed run load into the plain model. */
  override stateDict(): Record<string, Tensor> {
    return (this.module as Module).stateDict();
  }

  override loadStateDict(state: Record<string, Tensor>, options: { strict?: boolean } = {}): LoadResult {
    return (this.module as Module).loadStateDict(state, options);
  }

  #fill(bucket: Bucket): void {
    bucket.params.forEach((p, i) => {
      const offset = bucket.offsets[i]!;
      if (p.grad) bucket.buffer.set(p.grad.data, offset);
      else bucket.buffer.fill(0, offset, offset + p.size);
    });
  }

  #unpack(bucket: Bucket): void {
    bucket.params.forEach((p, i) => {
      const offset = bucket.offsets[i]!;
      const mean = bucket.buffer.subarray(offset, offset + p.size);
      if (p.grad) {
        p.grad.data.set(mean);
        p.setGradRows(null);
      } else {
        p.grad = new Tensor(mean.slice(), p.shape);
      }
    });
  }
}
