/** Sums, means and maxima along rows or columns of a row-major rows×cols matrix. */
import { accumulationTolerance, type Tolerance } from '../compare';
import { index, input, kernel, output } from '../declare';
import * as reference from '../reference/reduce';

/** Σ|x| per row (perRow) or per column, over `divisor`: what a sum's error is proportional to. */
function absoluteSums(x: Float32Array, rows: number, cols: number, perRow: boolean, divisor: number): Float64Array {
  const sums = new Float64Array(perRow ? rows : cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) sums[perRow ? i : j] += Math.abs(x[i * cols + j]!);
  if (divisor > 0) for (let i = 0; i < sums.length; i++) sums[i]! /= divisor;
  return sums;
}

/** A sum's error bound: (terms + 2)·2^−23 times the sum of the absolute values, over the mean's divisor. */
function sumTolerance(perRow: boolean, mean: boolean) {
  return ([x, rows, cols]: [Float32Array, number, number, ...unknown[]]): Tolerance => {
    const terms = perRow ? cols : rows;
    return accumulationTolerance(absoluteSums(x, rows, cols, perRow, mean ? terms : 1), terms);
  };
}

const sum = (perRow: boolean) => [input('x', 'rows*cols'), index('rows'), index('cols'), output('out', perRow ? 'rows' : 'cols')] as const;

/** A maximum needs an element in every row; argmax indices must fit an Int32Array. */
const NON_EMPTY_ROWS = [{ when: 'rows > 0', that: 'cols > 0', message: 'Expected cols > 0 for the maximum of each of {rows} rows but received {cols}' }];
const COLS_INT32 = { max: 2 ** 31 - 1 };

export const REDUCE = {
  /** out[i] = Σ_j x[i, j] for a rows×cols x: one sum per row (out.length = rows). */
  rowSum: kernel({ args: sum(true), reference: reference.rowSum, tolerance: sumTolerance(true, false) }),
  /** out[j] = Σ_i x[i, j] for a rows×cols x: one sum per column (out.length = cols). */
  colSum: kernel({ args: sum(false), reference: reference.colSum, tolerance: sumTolerance(false, false) }),
  /** out[i] = (Σ_j x[i, j]) / cols; NaN when cols = 0 (0/0, as PyTorch's mean of nothing). */
  rowMean: kernel({ args: sum(true), reference: reference.rowMean, tolerance: sumTolerance(true, true) }),
  /** out[j] = (Σ_i x[i, j]) / rows; NaN when rows = 0. */
  colMean: kernel({ args: sum(false), reference: reference.colMean, tolerance: sumTolerance(false, true) }),
  /**
   * out[i] = max_j x[i, j]. NaN counts as the maximum (as PyTorch's max): a row holding a NaN
   * gives NaN. Of equal values the first wins, so max(−0, +0) is −0. A row needs at least one
   * element: cols = 0 with rows > 0 is a RangeError.
   */
  rowMax: kernel({
    args: [input('x', 'rows*cols'), index('rows'), index('cols', COLS_INT32), output('out', 'rows')],
    requires: NON_EMPTY_ROWS,
    reference: reference.rowMax,
  }),
  /**
   * out[i] = the index j of rowMax's value in row i: the first maximum on ties, the first NaN
   * when the row holds one (as PyTorch's argmax). out is an Int32Array of length rows; cols must
   * be positive when rows is and no larger than 2^31 − 1.
   */
  rowArgmax: kernel({
    args: [input('x', 'rows*cols'), index('rows'), index('cols', COLS_INT32), output('out', 'rows', { element: 'int32' })],
    requires: NON_EMPTY_ROWS,
    reference: reference.rowArgmax,
  }),
  /**
   * Per-feature statistics of an [N = rows, C = cols] matrix: mean[j] = (1/N) Σ_i x[i, j] and
   * the biased variance variance[j] = (1/N) Σ_i (x[i, j] − mean[j])², in two passes so that
   * data far from zero (x ≈ 1e4 ± 1) keeps its variance (no E[x²] − E[x]² cancellation).
   * Both are NaN when rows = 0. The variance's bound is the accumulation bound of Σ(x − mean)²/N
   * plus the square of the mean's own error (an error δ in the mean adds N·δ² to the sum of
   * squares; the first-order term cancels because Σ(x − mean) = 0).
   */
  colMeanVar: kernel({
    args: [input('x', 'rows*cols'), index('rows'), index('cols'), output('mean', 'cols'), output('variance', 'cols')],
    reference: reference.colMeanVar,
    tolerance: (before, output, rerun) => {
      const [x, rows, cols] = before;
      const meanTolerance = sumTolerance(false, true)(before);
      if (output === 'mean') return meanTolerance;
      const mean = new Float32Array(cols);
      const variance = new Float32Array(cols);
      rerun(x, rows, cols, mean, variance);
      return accumulationTolerance(variance, rows).map((t, j) => t + (meanTolerance as Float64Array)[j]! ** 2);
    },
  }),
};
