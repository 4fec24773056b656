/**
 * Moving one dimension to the end and back, for kernels that work along rows (softmax, max,
 * PReLU's channels): x viewed as [outer, length, inner] becomes [outer, inner, length].
 */
import type { DType, FloatArray, Kernels, Shape } from '../tensor';
import { allocate, sizeOf } from '../tensor';

export interface DimSplit {
  outer: number;
  length: number;
  inner: number;
}

export function splitAt(shape: Shape, dim: number): DimSplit {
  return { outer: sizeOf(shape.slice(0, dim)), length: shape[dim]!, inner: sizeOf(shape.slice(dim + 1)) };
}

/** [outer, length, inner] → [outer, inner, length]; returns x itself when inner is 1. */
export function moveDimToEnd(kernels: Kernels, x: FloatArray, s: DimSplit, dtype: DType): FloatArray {
  if (s.inner === 1) return x;
  const out = allocate([x.length], dtype);
  const slab = s.length * s.inner;
  for (let o = 0; o < s.outer; o++) {
    kernels.transpose(x.subarray(o * slab, (o + 1) * slab), s.length, s.inner, out.subarray(o * slab, (o + 1) * slab));
  }
  return out;
}

/** The inverse of moveDimToEnd: [outer, inner, length] → [outer, length, inner]. */
export function moveDimBack(kernels: Kernels, x: FloatArray, s: DimSplit, dtype: DType): FloatArray {
  if (s.inner === 1) return x;
  const out = allocate([x.length], dtype);
  const slab = s.length * s.inner;
  for (let o = 0; o < s.outer; o++) {
    kernels.transpose(x.subarray(o * slab, (o + 1) * slab), s.inner, s.length, out.subarray(o * slab, (o + 1) * slab));
  }
  return out;
}
