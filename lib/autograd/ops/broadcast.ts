/**
 * Broadcasting as numpy and PyTorch define it: shapes are aligned at their trailing dimensions,
 * and a dimension of 1 (or a missing leading one) stretches to match the other. Gradients flow
 * back by summing over the stretched dimensions.
 */
import type { DType, FloatArray, Shape } from '../tensor';
import { allocate, formatShape, kernelsFor, sizeOf } from '../tensor';

/** The shape two operands broadcast to, or a RangeError naming both. */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const ndim = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < ndim; i++) {
    const da = a[a.length - ndim + i] ?? 1;
    const db = b[b.length - ndim + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new RangeError(`${op}: shapes ${formatShape(a)} and ${formatShape(b)} do not broadcast (dimension ${i - ndim}: ${da} vs ${db})`);
    }
    out.push(da === 1 ? db : da);
  }
  return out;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * When `small` broadcasts against `full` as a row (its shape is a suffix of full's after dropping
 * leading 1s): the number of rows it repeats over. Undefined otherwise.
 */
export function rowRepeats(small: Shape, full: Shape): number | undefined {
  let start = 0;
  while (start < small.length && small[start] === 1) start++;
  const tail = small.slice(start);
  if (tail.length > full.length) return undefined;
  const suffix = full.slice(full.length - tail.length);
  if (!sameShape(tail, suffix)) return undefined;
  return sizeOf(full) / Math.max(sizeOf(tail), 1);
}

/** Strides of `from` (aligned to `to`'s rank) with 0 where a dimension is stretched. */
function broadcastStrides(from: Shape, to: Shape): number[] {
  const strides = new Array<number>(to.length).fill(0);
  let stride = 1;
  for (let i = from.length - 1; i >= 0; i--) {
    const j = to.length - from.length + i;
    strides[j] = from[i] === 1 && to[j] !== 1 ? 0 : stride;
    stride *= from[i]!;
  }
  return strides;
}

/** Calls visit(outIndex, inIndex) for every element of `to`, inIndex following from's strides. */
function forEachBroadcast(from: Shape, to: Shape, visit: (outIndex: number, inIndex: number) => void): void {
  const size = sizeOf(to);
  if (size === 0) return;
  const strides = broadcastStrides(from, to);
  const ndim = to.length;
  const counter = new Array<number>(ndim).fill(0);
  let inIndex = 0;
  for (let outIndex = 0; outIndex < size; outIndex++) {
    visit(outIndex, inIndex);
    // Advance the odometer from the last dimension.
    for (let d = ndim - 1; d >= 0; d--) {
      counter[d]!++;
      inIndex += strides[d]!;
      if (counter[d]! < to[d]!) break;
      inIndex -= strides[d]! * to[d]!;
      counter[d] = 0;
    }
  }
}

/** x (of shape `from`) stretched to `to`, as a new contiguous array. */
export function expand(x: FloatArray, from: Shape, to: Shape, dtype: DType): FloatArray {
  if (sameShape(from, to)) return x;
  const out = allocate(to, dtype);
  if (x.length === 1) return out.fill(x[0]!);
  const repeats = rowRepeats(from, to);
  if (repeats !== undefined) {
    for (let r = 0; r < repeats; r++) out.set(x, r * x.length);
    return out;
  }
  forEachBroadcast(from, to, (o, i) => {
    out[o] = x[i]!;
  });
  return out;
}

/**
 * A gradient of the broadcast shape `from` summed back to an operand's shape `to`. Returns
 * `grad` itself when nothing was stretched. Sums run in double and round once.
 */
export function reduceTo(grad: FloatArray, from: Shape, to: Shape, dtype: DType): FloatArray {
  if (sameShape(from, to)) return grad;
  const out = allocate(to, dtype);
  const repeats = rowRepeats(to, from);
  if (repeats !== undefined) {
    kernelsFor(dtype).colSum(grad, repeats, out.length, out);
    return out;
  }
  const sums = new Float64Array(out.length);
  forEachBroadcast(to, from, (o, i) => {
    sums[i] += grad[o]!;
  });
  out.set(sums);
  return out;
}
