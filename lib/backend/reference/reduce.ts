/** Reference reductions: sums in double, rounded once to float32. */
import type { Floats, ReferenceContext } from '../declare';

/** The index of row i's maximum: the first NaN if any, else the first of the largest values. */
function argmaxOfRow(x: Floats, offset: number, cols: number): number {
  let best = 0;
  let value = x[offset]!;
  if (Number.isNaN(value)) return 0;
  for (let j = 1; j < cols; j++) {
    const v = x[offset + j]!;
    if (Number.isNaN(v)) return j;
    if (v > value) {
      value = v;
      best = j;
    }
  }
  return best;
}

function rowSums(x: Floats, rows: number, cols: number, out: Floats, divisor: number): void {
  for (let i = 0; i < rows; i++) {
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += x[i * cols + j]!;
    out[i] = sum / divisor;
  }
}

/** Σ_i x[i, j] / divisor per column, in double. */
export function colSums(x: ArrayLike<number>, rows: number, cols: number, divisor: number): Float64Array {
  const sums = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) sums[j] += x[i * cols + j]!;
  }
  for (let j = 0; j < cols; j++) sums[j] /= divisor;
  return sums;
}

export function rowSum(this: ReferenceContext, x: Floats, rows: number, cols: number, out: Floats): void {
  rowSums(x, rows, cols, out, 1);
}

export function colSum(this: ReferenceContext, x: Floats, rows: number, cols: number, out: Floats): void {
  out.set(colSums(x, rows, cols, 1));
}

export function rowMean(this: ReferenceContext, x: Floats, rows: number, cols: number, out: Floats): void {
  rowSums(x, rows, cols, out, cols);
}

export function colMean(this: ReferenceContext, x: Floats, rows: number, cols: number, out: Floats): void {
  out.set(colSums(x, rows, cols, rows));
}

export function rowMax(this: ReferenceContext, x: Floats, rows: number, cols: number, out: Floats): void {
  for (let i = 0; i < rows; i++) out[i] = x[i * cols + argmaxOfRow(x, i * cols, cols)]!;
}

export function rowArgmax(this: ReferenceContext, x: Floats, rows: number, cols: number, out: Int32Array): void {
  for (let i = 0; i < rows; i++) out[i] = argmaxOfRow(x, i * cols, cols);
}

export function colMeanVar(this: ReferenceContext, x: Floats, rows: number, cols: number, mean: Floats, variance: Floats): void {
  const means = colSums(x, rows, cols, rows);
  const squares = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) squares[j] += (x[i * cols + j]! - means[j]!) ** 2;
  }
  for (let j = 0; j < cols; j++) squares[j] /= rows;
  mean.set(means);
  variance.set(squares);
}
