/**
 * Gradient buckets for DistributedDataParallel: parameters in reverse registration order (about
 * the order backward finishes their gradients), one dtype per bucket, a bucket closed once it
 * holds at least its capacity in bytes (the first one a smaller capacity, so the first reduction
 * can start early, as PyTorch's DDP does). The layout is a pure function of the parameters and
 * the capacities, so every rank that built the same model gets the same buckets.
 */
import type { DType, FloatArray, Tensor } from '../autograd/tensor';

export interface Bucket {
  dtype: DType;
  /** The parameters, in the order they sit in the buffer, with their offsets (in elements). */
  params: Tensor[];
  offsets: number[];
  /** The flat buffer the bucket is reduced in. */
  buffer: FloatArray;
}

export interface BucketCapacity {
  /** Bytes after which a bucket is closed. */
  bytes: number;
  /** Bytes after which the first bucket is closed. */
  firstBytes: number;
}

const bytesOf = (dtype: DType) => (dtype === 'float64' ? 8 : 4);

export function assignBuckets(params: readonly Tensor[], capacity: BucketCapacity): Bucket[] {
  const buckets: Bucket[] = [];
  const open = new Map<DType, { params: Tensor[]; offsets: number[]; size: number }>();
  const close = (dtype: DType) => {
    const b = open.get(dtype);
    if (!b || b.params.length === 0) return;
    open.delete(dtype);
    buckets.push({ dtype, params: b.params, offsets: b.offsets, buffer: dtype === 'float64' ? new Float64Array(b.size) : new Float32Array(b.size) });
  };
  for (let i = params.length - 1; i >= 0; i--) {
    const p = params[i]!;
    let b = open.get(p.dtype);
    if (!b) {
      b = { params: [], offsets: [], size: 0 };
      open.set(p.dtype, b);
    }
    b.params.push(p);
    b.offsets.push(b.size);
    b.size += p.size;
    const cap = buckets.length === 0 ? capacity.firstBytes : capacity.bytes;
    if (b.size * bytesOf(p.dtype) >= cap) close(p.dtype);
  }
  for (const dtype of [...open.keys()]) close(dtype);
  return buckets;
}
