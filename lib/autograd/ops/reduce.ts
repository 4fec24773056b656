/** Sums over all elements or along one dimension. */
import { record } from '../record';
import type { Tensor } from '../tensor';
import { allocate, formatShape, kernelsFor, sizeOf } from '../tensor';

/** Normalizes a dimension index (negative counts from the end) or throws naming the shape. */
export function normalizeDim(op: string, dim: number, ndim: number, shape: readonly number[]): number {
  if (!Number.isInteger(dim) || dim < -ndim || dim >= ndim) {
    throw new RangeError(`${op}: Expected a dimension in [${-ndim}, ${ndim - 1}] for shape ${formatShape(shape)} but received ${dim}`);
  }
  return dim < 0 ? dim + ndim : dim;
}

/**
 * Σ of all elements (a 0-d tensor), or along `dim` (removed, or kept as size 1 with keepDim).
 * The backward pass copies the upstream gradient to every summed position.
 */
export function sum(x: Tensor, dim?: number, keepDim = false): Tensor {
  const kernels = kernelsFor(x.dtype);
  if (dim === undefined) {
    const out = allocate([], x.dtype);
    kernels.rowSum(x.data, 1, x.size, out);
    const shape = keepDim ? x.shape.map(() => 1) : [];
    return record('sum', [x], out, shape, (grad) => [allocate(x.shape, x.dtype).fill(grad[0]!)]);
  }
  const d = normalizeDim('sum', dim, x.ndim, x.shape);
  const outer = sizeOf(x.shape.slice(0, d));
  const length = x.shape[d]!;
  const inner = sizeOf(x.shape.slice(d + 1));
  const out = allocate([outer * inner], x.dtype);
  // [outer, length, inner] summed over the middle: a column sum of each [length, inner] slab.
  for (let o = 0; o < outer; o++) {
    const slab = x.data.subarray(o * length * inner, (o + 1) * length * inner);
    kernels.colSum(slab, length, inner, out.subarray(o * inner, (o + 1) * inner));
  }
  const shape = keepDim ? x.shape.map((s, i) => (i === d ? 1 : s)) : x.shape.filter((_, i) => i !== d);
  return record('sum', [x], out, shape, (grad) => {
    const dx = allocate(x.shape, x.dtype);
    for (let o = 0; o < outer; o++) {
      const row = grad.subarray(o * inner, (o + 1) * inner);
      for (let l = 0; l < length; l++) dx.set(row, (o * length + l) * inner);
    }
    return [dx];
  });
}
