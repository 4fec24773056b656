/**
 * Row-sparse gradients: the record of which rows of a leaf's grad may be non-zero (gradRows,
 * sorted unique indices along dim 0), kept by the ops that add rows into the grad in place
 * (hierarchical softmax, Embedding with sparse: true). zeroGrad then clears only those rows and
 * keeps the buffer for the next step, and the optimizers that can (plain SGD, SparseAdam) update
 * only those rows, so a step costs what the rows touched cost rather than the table's size.
 * The record is a hint that is dropped (null: dense) by anything else writing the grad: the
 * engine adding a dense gradient, a non-finite clip, or assigning another grad tensor.
 */
import type { FloatArray } from './tensor';
import { Tensor, holdGradBuffer, isHeldGradBuffer } from './tensor';

const NO_ROWS = new Int32Array(0);

/** The zeroed buffer zeroGrad kept for a leaf whose grad it set to null (taken once). */
const spares = new WeakMap<Tensor, Tensor>();

/**
 * The sorted unique values of `values`, row indices in [0, rows): by marking the rows when the
 * values are many for the rows (a long token batch), else by sorting them.
 */
export function uniqueSorted(values: Int32Array, rows: number): Int32Array {
  if (values.length * 4 > rows) {
    const seen = new Uint8Array(rows);
    let count = 0;
    for (let i = 0; i < values.length; i++) {
      if (seen[values[i]!] === 0) {
        seen[values[i]!] = 1;
        count++;
      }
    }
    const out = new Int32Array(count);
    for (let r = 0, n = 0; n < count; r++) if (seen[r] === 1) out[n++] = r;
    return out;
  }
  const sorted = values.slice().sort();
  let n = 0;
  for (let i = 0; i < sorted.length; i++) if (n === 0 || sorted[i] !== sorted[n - 1]) sorted[n++] = sorted[i]!;
  return sorted.subarray(0, n).slice();
}

/** The union of two sorted unique index lists, sorted and unique. */
export function mergeRows(a: Int32Array, b: Int32Array): Int32Array {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const out = new Int32Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length || j < b.length) {
    const x = j >= b.length || (i < a.length && a[i]! <= b[j]!) ? a[i++]! : b[j++]!;
    if (n === 0 || out[n - 1] !== x) out[n++] = x;
  }
  return out.slice(0, n);
}

/** The values per row of a tensor (the product of its trailing dimensions). */
export function rowSize(t: Tensor): number {
  return t.shape.length === 0 || t.shape[0] === 0 ? t.size : t.size / t.shape[0]!;
}

/**
 * The grad an op is about to add rows into in place: the leaf's grad if it has one (its record
 * stays what it was, dense included), else the buffer zeroGrad kept or a new zero one, recorded
 * as having no rows yet. Call addGradRows with the rows written.
 */
export function rowSparseGrad(leaf: Tensor): Tensor {
  if (leaf.grad) return leaf.grad;
  let grad = takeSpareGrad(leaf);
  if (!grad) {
    grad = new Tensor(leaf.dtype === 'float64' ? new Float64Array(leaf.size) : new Float32Array(leaf.size), leaf.shape);
    holdGradBuffer(grad.data);
  }
  leaf.grad = grad;
  leaf.setGradRows(NO_ROWS);
  return grad;
}

/** Adds sorted unique `rows` to the leaf's record (a dense grad stays dense). */
export function addGradRows(leaf: Tensor, rows: Int32Array): void {
  const known = leaf.gradRows;
  if (known !== null) leaf.setGradRows(mergeRows(known, rows));
}

/**
 * The zeroed buffer zeroGrad kept for a leaf whose grad is null, if any, handed out once. A
 * grad set to null by hand keeps nothing.
 */
function takeSpareGrad(leaf: Tensor): Tensor | null {
  const spare = spares.get(leaf);
  if (!spare) return null;
  spares.delete(leaf);
  return leaf.grad === null ? spare : null;
}

function zeroRows(data: FloatArray, rows: Int32Array, width: number): void {
  for (let i = 0; i < rows.length; i++) data.fill(0, rows[i]! * width, (rows[i]! + 1) * width);
}

/**
 * Clears a leaf's gradient, as Module.zeroGrad and Optimizer.zeroGrad do for each parameter.
 * setToNone: grad becomes null (the optimizers skip the parameter, as PyTorch's None); a
 * row-sparse gradient's buffer is zeroed row by row and kept for the next step's in-place rows.
 * Otherwise the grad is zero-filled and stays (row by row when its rows are known).
 */
export function zeroLeafGrad(leaf: Tensor, setToNone: boolean): void {
  const grad = leaf.grad;
  if (!grad) return;
  const held = isHeldGradBuffer(grad.data);
  const rows = leaf.gradRows;
  if (rows !== null) zeroRows(grad.data, rows, rowSize(leaf));
  else if (!setToNone || held) grad.data.fill(0);
  if (setToNone) {
    if (held) spares.set(leaf, grad);
    leaf.grad = null;
  } else {
    leaf.setGradRows(held ? NO_ROWS : null);
  }
}
