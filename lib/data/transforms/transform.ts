/**
 * Batch transforms for images [N, C, H, W]: what a DataLoader applies to each training batch
 * (its `transform` option). Every random choice is drawn from Philox keyed by the loader's seed
 * with the counter (example index, epoch, transform, draw): an example's augmentation depends on
 * the seed, the epoch and which example it is, never on the batch size, the order, the backend
 * or the thread count, so a resumed run (setEpoch) sees the same images again.
 */
import { philox4x32 } from '../../backend/random';
import type { Tensor } from '../../autograd/tensor';
import { formatShape } from '../../autograd/tensor';
import type { Batch } from '../dataset';

export interface TransformContext {
  /** The dataset indices of the batch's examples, in batch order. */
  indices: Int32Array;
  epoch: number;
  seed: number;
  /** Which transform of a composition this is (0 alone): separates their draws. */
  stream?: number;
}

/** A new batch from `batch` (never modified in place: the dataset may share its arrays). */
export type BatchTransform = (batch: Batch, context: TransformContext) => Batch;

/** Uniform draws in [0, 1) for one example: four per Philox block, blocks numbered by `draw`. */
export class Draws {
  readonly #block = new Uint32Array(4);
  readonly #key: [number, number];
  readonly #tag: number;

  constructor(seed: number, tag: number, stream = 0) {
    this.#key = [seed >>> 0, Math.floor(seed / 2 ** 32) >>> 0];
    this.#tag = (tag + (stream << 8)) >>> 0;
  }

  /** Fills `out` with 4 uniforms for (example, epoch, block). */
  block(example: number, epoch: number, block: number, out: Float64Array): Float64Array {
    philox4x32([example, epoch, this.#tag, block], this.#key, this.#block);
    for (let i = 0; i < 4; i++) out[i] = this.#block[i]! / 2 ** 32;
    return out;
  }
}

/** An integer uniform in [0, count) from u ∈ [0, 1). */
export function pick(u: number, count: number): number {
  return Math.min(count - 1, Math.floor(u * count));
}

export interface ImageBatch {
  n: number;
  c: number;
  h: number;
  w: number;
}

export function checkImages(label: string, x: Tensor): ImageBatch {
  if (x.ndim !== 4) {
    throw new RangeError(`${label}: Expected a batch of images [N, C, H, W] but received ${formatShape(x.shape)}`);
  }
  const [n, c, h, w] = x.shape as [number, number, number, number];
  return { n, c, h, w };
}

/** Applies the transforms in order, each with a stream of its own. */
export function compose(...transforms: BatchTransform[]): BatchTransform {
  transforms.forEach((t, i) => {
    if (typeof t !== 'function') throw new TypeError(`compose: Expected a transform function at position ${i} but received ${typeof t}`);
  });
  return (batch, context) => transforms.reduce((b, t, i) => t(b, { ...context, stream: i }), batch);
}
