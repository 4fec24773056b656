/**
 * Ops that change a tensor's shape, not its values. Attributes: reshape { shape } (the target,
 * -1 resolved), concat { dim }; transpose and gather have none.
 */
import { NO_ATTRIBUTES, record } from '../record';
import type { Tensor } from '../tensor';
import { allocate, checkShape, commonDType, formatShape, kernelsFor, sizeOf } from '../tensor';
import { normalizeDim } from './reduce';

/**
 * The same values under another shape (one dimension may be -1: inferred). Shares the data, as
 * a PyTorch view does; the gradient is reshaped back.
 */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const inferred = shape.filter((d) => d === -1).length;
  let target = [...shape];
  if (inferred > 1) throw new RangeError(`reshape: Expected at most one -1 in ${formatShape(shape)}`);
  if (inferred === 1) {
    const known = sizeOf(shape.filter((d) => d !== -1));
    if (known === 0 || x.size % known !== 0) {
      throw new RangeError(`reshape: cannot infer the -1 of ${formatShape(shape)} for ${x.size} elements`);
    }
    target = shape.map((d) => (d === -1 ? x.size / known : d));
  }
  checkShape('reshape', target);
  if (sizeOf(target) !== x.size) {
    throw new RangeError(`reshape: cannot view shape ${formatShape(x.shape)} (${x.size} elements) as ${formatShape(shape)} (${sizeOf(target)})`);
  }
  return record('reshape', { shape: [...target] }, [x], x.data, target, (grad) => [grad]);
}

/** The transpose of a 2-D tensor (a copy); the gradient is transposed back. */
export function transpose(x: Tensor): Tensor {
  if (x.ndim !== 2) throw new RangeError(`transpose: Expected a 2-D tensor but received shape ${formatShape(x.shape)}`);
  const [rows, cols] = x.shape as [number, number];
  const kernels = kernelsFor(x.dtype);
  const out = allocate([cols, rows], x.dtype);
  kernels.transpose(x.data, rows, cols, out);
  return record('transpose', NO_ATTRIBUTES, [x], out, [cols, rows], (grad) => {
    const dx = allocate(x.shape, x.dtype);
    kernels.transpose(grad, cols, rows, dx);
    return [dx];
  });
}

/** Checks indices for gather and returns them as an Int32Array. */
function toIndices(op: string, indices: ArrayLike<number>, rows: number): Int32Array {
  const out = indices instanceof Int32Array ? indices : Int32Array.from(indices);
  for (let i = 0; i < indices.length; i++) {
    const v = indices[i]!;
    if (!Number.isInteger(v) || v < 0 || v >= rows) {
      throw new RangeError(`${op}: Expected every index in [0, ${rows}) but indices[${i}] is ${v}`);
    }
  }
  return out;
}

/**
 * The rows of x (along dimension 0) at the given indices, repeats allowed: the mini-batch
 * gather. The gradient scatter-adds back, so a row taken twice gets both gradients.
 */
export function gather(x: Tensor, indices: ArrayLike<number>): Tensor {
  if (x.ndim < 1) throw new RangeError('gather: Expected a tensor of at least 1 dimension but received a scalar');
  const rows = x.shape[0]!;
  const cols = x.size / Math.max(rows, 1);
  const index = toIndices('gather', indices, rows);
  const shape = [index.length, ...x.shape.slice(1)];
  const kernels = kernelsFor(x.dtype);
  const out = allocate(shape, x.dtype);
  kernels.gatherRows(x.data, rows, cols, index, out);
  return record('gather', NO_ATTRIBUTES, [x], out, shape, (grad) => {
    const dx = allocate(x.shape, x.dtype);
    kernels.scatterAddRows(grad, index, rows, cols, dx);
    return [dx];
  });
}

/** The same as gather (the name numpy and PyTorch users look for). */
export const take = gather;

function checkJoin(op: string, tensors: readonly Tensor[], dim: number, sameDimToo: boolean): void {
  if (tensors.length === 0) throw new RangeError(`${op}: Expected at least one tensor`);
  const first = tensors[0]!;
  tensors.forEach((t, i) => {
    const same = t.ndim === first.ndim && t.shape.every((d, k) => d === first.shape[k] || (!sameDimToo && k === dim));
    if (!same) {
      throw new RangeError(`${op}: Expected tensor ${i} to match ${formatShape(first.shape)}${sameDimToo ? '' : ` outside dimension ${dim}`} but it has ${formatShape(t.shape)}`);
    }
  });
  commonDType(op, tensors);
}

/**
 * Tensors joined along an existing dimension (their other dimensions equal). The gradient is
 * split back into the pieces.
 */
export function concat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new RangeError('concat: Expected at least one tensor');
  const d = normalizeDim('concat', dim, tensors[0]!.ndim, tensors[0]!.shape);
  checkJoin('concat', tensors, d, false);
  const first = tensors[0]!;
  const outer = sizeOf(first.shape.slice(0, d));
  const inner = sizeOf(first.shape.slice(d + 1));
  const widths = tensors.map((t) => t.shape[d]! * inner);
  const total = widths.reduce((a, b) => a + b, 0);
  const shape = first.shape.map((s, k) => (k === d ? tensors.reduce((n, t) => n + t.shape[d]!, 0) : s));
  const out = allocate(shape, first.dtype);
  // Each output row of the [outer, total] view is the pieces' rows side by side.
  for (let o = 0; o < outer; o++) {
    let at = o * total;
    tensors.forEach((t, i) => {
      out.set(t.data.subarray(o * widths[i]!, (o + 1) * widths[i]!), at);
      at += widths[i]!;
    });
  }
  return record('concat', { dim: d }, tensors, out, shape, (grad) =>
    tensors.map((t, i) => {
      if (!t.requiresGrad) return null;
      const piece = allocate(t.shape, t.dtype);
      const start = widths.slice(0, i).reduce((a, b) => a + b, 0);
      for (let o = 0; o < outer; o++) piece.set(grad.subarray(o * total + start, o * total + start + widths[i]!), o * widths[i]!);
      return piece;
    }),
  );
}

/** Tensors of one shape stacked along a new dimension. */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new RangeError('stack: Expected at least one tensor');
  const first = tensors[0]!;
  const d = normalizeDim('stack', dim, first.ndim + 1, [...first.shape, 1]);
  checkJoin('stack', tensors, d, true);
  const expanded = [...first.shape.slice(0, d), 1, ...first.shape.slice(d)];
  return concat(tensors.map((t) => reshape(t, expanded)), d);
}
