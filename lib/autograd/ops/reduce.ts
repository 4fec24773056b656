/** Reductions over all elements or along one dimension: sum, mean, max (and argmax, no gradient). */
import { record } from '../record';
import type { FloatArray, Tensor } from '../tensor';
import { allocate, formatShape, kernelsFor } from '../tensor';
import { type DimSplit, moveDimToEnd, splitAt } from './move-dim';
import { checkTensor } from './unary';

/** Normalizes a dimension index (negative counts from the end) or throws naming the shape. */
export function normalizeDim(op: string, dim: number, ndim: number, shape: readonly number[]): number {
  if (!Number.isInteger(dim) || dim < -ndim || dim >= ndim) {
    throw new RangeError(`${op}: Expected a dimension in [${-ndim}, ${ndim - 1}] for shape ${formatShape(shape)} but received ${dim}`);
  }
  return dim < 0 ? dim + ndim : dim;
}

/** The dimensions a reduction combines, as its node records them: all of them without `dim`. */
function reducedDims(x: Tensor, d: number | undefined): number[] {
  return d === undefined ? x.shape.map((_, i) => i) : [d];
}

/** The shape after reducing dimension d (or everything), removed or kept as 1. */
function reducedShape(x: Tensor, d: number | undefined, keepDim: boolean): number[] {
  if (d === undefined) return keepDim ? x.shape.map(() => 1) : [];
  return keepDim ? x.shape.map((s, i) => (i === d ? 1 : s)) : x.shape.filter((_, i) => i !== d);
}

/** x viewed as [outer, length, inner] around dimension d, summed over the middle: [outer·inner]. */
function sumOver(x: Tensor, split: DimSplit): FloatArray {
  const { outer, length, inner } = split;
  const kernels = kernelsFor(x.dtype);
  const out = allocate([outer * inner], x.dtype);
  // A column sum of each [length, inner] slab.
  for (let o = 0; o < outer; o++) {
    const slab = x.data.subarray(o * length * inner, (o + 1) * length * inner);
    kernels.colSum(slab, length, inner, out.subarray(o * inner, (o + 1) * inner));
  }
  return out;
}

/** The gradient of a sum over the middle of [outer, length, inner]: each row of grad, repeated. */
function spread(x: Tensor, split: DimSplit, grad: FloatArray): FloatArray {
  const { outer, length, inner } = split;
  const dx = allocate(x.shape, x.dtype);
  for (let o = 0; o < outer; o++) {
    const row = grad.subarray(o * inner, (o + 1) * inner);
    for (let l = 0; l < length; l++) dx.set(row, (o * length + l) * inner);
  }
  return dx;
}

/**
 * Σ of all elements (a 0-d tensor), or along `dim` (removed, or kept as size 1 with keepDim).
 * The backward pass copies the upstream gradient to every summed position. Attributes: { dims
 * (the reduced dimensions, all of them without dim), keepDim }.
 */
export function sum(x: Tensor, dim?: number, keepDim = false): Tensor {
  checkTensor('sum', x);
  const d = dim === undefined ? undefined : normalizeDim('sum', dim, x.ndim, x.shape);
  const attributes = { dims: reducedDims(x, d), keepDim };
  const shape = reducedShape(x, d, keepDim);
  if (d === undefined) {
    const out = allocate([], x.dtype);
    kernelsFor(x.dtype).rowSum(x.data, 1, x.size, out);
    return record('sum', attributes, [x], out, shape, (grad) => [allocate(x.shape, x.dtype).fill(grad[0]!)]);
  }
  const split = splitAt(x.shape, d);
  return record('sum', attributes, [x], sumOver(x, split), shape, (grad) => [spread(x, split, grad)]);
}

/**
 * The mean of all elements, or along `dim` (keepDim as sum). The mean of nothing is NaN.
 * Attributes as sum's.
 */
export function mean(x: Tensor, dim?: number, keepDim = false): Tensor {
  checkTensor('mean', x);
  const d = dim === undefined ? undefined : normalizeDim('mean', dim, x.ndim, x.shape);
  const attributes = { dims: reducedDims(x, d), keepDim };
  const shape = reducedShape(x, d, keepDim);
  const kernels = kernelsFor(x.dtype);
  if (d === undefined) {
    const n = x.size;
    const out = allocate([], x.dtype);
    if (n === 0) out[0] = NaN;
    else kernels.rowMean(x.data, 1, n, out);
    return record('mean', attributes, [x], out, shape, (grad) => [allocate(x.shape, x.dtype).fill(grad[0]! / n)]);
  }
  const split = splitAt(x.shape, d);
  const out = sumOver(x, split);
  kernels.divScalar(out, split.length, out); // length 0: 0/0 = NaN
  return record('mean', attributes, [x], out, shape, (grad) => {
    kernels.divScalar(grad, split.length, grad);
    return [spread(x, split, grad)];
  });
}

interface Extremum {
  values: FloatArray;
  /** Flat index into x of each value. */
  at: Int32Array;
  shape: number[];
  dims: number[];
}

function maxAlong(op: string, x: Tensor, dim: number | undefined, keepDim: boolean): Extremum {
  checkTensor(op, x);
  if (x.size === 0) throw new RangeError(`${op}: Expected a non-empty tensor but received shape ${formatShape(x.shape)}`);
  const kernels = kernelsFor(x.dtype);
  if (dim === undefined) {
    const values = allocate([], x.dtype);
    const at = new Int32Array(1);
    kernels.rowArgmax(x.data, 1, x.size, at);
    values[0] = x.data[at[0]!]!;
    return { values, at, shape: reducedShape(x, undefined, keepDim), dims: reducedDims(x, undefined) };
  }
  const d = normalizeDim(op, dim, x.ndim, x.shape);
  const split = splitAt(x.shape, d);
  if (split.length === 0) throw new RangeError(`${op}: Expected dimension ${dim} of ${formatShape(x.shape)} to be non-empty`);
  const rows = split.outer * split.inner;
  const moved = moveDimToEnd(kernels, x.data, split, x.dtype);
  const values = allocate([rows], x.dtype);
  const at = new Int32Array(rows);
  kernels.rowArgmax(moved, rows, split.length, at);
  for (let r = 0; r < rows; r++) {
    const o = Math.floor(r / split.inner);
    const i = r - o * split.inner;
    const flat = (o * split.length + at[r]!) * split.inner + i;
    values[r] = x.data[flat]!;
    at[r] = flat;
  }
  return { values, at, shape: reducedShape(x, d, keepDim), dims: [d] };
}

/**
 * The largest element, or the largest along `dim`. NaN wins (as PyTorch); on ties the first
 * maximum is taken, and the gradient flows to that element only. Attributes as sum's.
 */
export function max(x: Tensor, dim?: number, keepDim = false): Tensor {
  const { values, at, shape, dims } = maxAlong('max', x, dim, keepDim);
  return record('max', { dims, keepDim }, [x], values, shape, (grad) => {
    const dx = allocate(x.shape, x.dtype);
    for (let r = 0; r < at.length; r++) dx[at[r]!] += grad[r]!;
    return [dx];
  });
}

/**
 * The index of the largest element along `dim` (over the flattened tensor without one), as an
 * Int32Array in the order of the remaining dimensions: the first maximum on ties, the first NaN
 * when there is one.
 */
export function argmax(x: Tensor, dim?: number): Int32Array {
  const { at } = maxAlong('argmax', x, dim, false);
  if (dim === undefined) return at;
  const d = normalizeDim('argmax', dim, x.ndim, x.shape);
  const split = splitAt(x.shape, d);
  return at.map((flat) => Math.floor(flat / split.inner) % split.length);
}
