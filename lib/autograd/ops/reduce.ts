/** Sums over all elements or along one dimension. */
import { record } from '../record';
import type { Tensor } from '../tensor';
import type { FloatArray } from '../tensor';
import { allocate, formatShape, kernelsFor, sizeOf } from '../tensor';
import { div } from './arithmetic';
import { moveDimToEnd, splitAt } from './move-dim';

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

/** Number of elements a reduction over `dim` (or everything) combines. */
function countOf(x: Tensor, dim?: number): number {
  if (dim === undefined) return x.size;
  return x.shape[normalizeDim('mean', dim, x.ndim, x.shape)]!;
}

/** The mean of all elements, or along `dim` (keepDim as sum). The mean of nothing is NaN. */
export function mean(x: Tensor, dim?: number, keepDim = false): Tensor {
  const n = countOf(x, dim);
  if (dim !== undefined) return div(sum(x, dim, keepDim), n); // n = 0: 0/0 = NaN
  const kernels = kernelsFor(x.dtype);
  const out = allocate([], x.dtype);
  if (n === 0) out[0] = NaN;
  else kernels.rowMean(x.data, 1, n, out);
  const shape = keepDim ? x.shape.map(() => 1) : [];
  return record('mean', [x], out, shape, (grad) => [allocate(x.shape, x.dtype).fill(grad[0]! / n)]);
}

interface Extremum {
  values: FloatArray;
  /** Flat index into x of each value. */
  at: Int32Array;
  shape: number[];
}

function maxAlong(op: string, x: Tensor, dim: number | undefined, keepDim: boolean): Extremum {
  if (x.size === 0) throw new RangeError(`${op}: Expected a non-empty tensor but received shape ${formatShape(x.shape)}`);
  const kernels = kernelsFor(x.dtype);
  if (dim === undefined) {
    const values = allocate([], x.dtype);
    const at = new Int32Array(1);
    kernels.rowArgmax(x.data, 1, x.size, at);
    values[0] = x.data[at[0]!]!;
    return { values, at, shape: keepDim ? x.shape.map(() => 1) : [] };
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
  const shape = keepDim ? x.shape.map((s, k) => (k === d ? 1 : s)) : x.shape.filter((_, k) => k !== d);
  return { values, at, shape };
}

/**
 * The largest element, or the largest along `dim`. NaN wins (as PyTorch); on ties the first
 * maximum is taken, and the gradient flows to that element only.
 */
export function max(x: Tensor, dim?: number, keepDim = false): Tensor {
  const { values, at, shape } = maxAlong('max', x, dim, keepDim);
  return record('max', [x], values, shape, (grad) => {
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
