import { absolute, accumulationTolerance, type Tolerance } from '../compare';
import type { Backend } from '../backend';
import type { Args, KernelCheck } from './check';

export interface ReduceKernels {
  /** out[i] = Σ_j x[i, j] for a rows×cols x: one sum per row (out.length = rows). */
  rowSum(x: Float32Array, rows: number, cols: number, out: Float32Array): void;
  /** out[j] = Σ_i x[i, j] for a rows×cols x: one sum per column (out.length = cols). */
  colSum(x: Float32Array, rows: number, cols: number, out: Float32Array): void;
  /** out[i] = (Σ_j x[i, j]) / cols; NaN when cols = 0 (0/0, as PyTorch's mean of nothing). */
  rowMean(x: Float32Array, rows: number, cols: number, out: Float32Array): void;
  /** out[j] = (Σ_i x[i, j]) / rows; NaN when rows = 0. */
  colMean(x: Float32Array, rows: number, cols: number, out: Float32Array): void;
  /**
   * out[i] = max_j x[i, j]. NaN counts as the maximum (as PyTorch's max): a row holding a NaN
   * gives NaN. Of equal values the first wins, so max(−0, +0) is −0. A row needs at least one
   * element: cols = 0 with rows > 0 is a RangeError.
   */
  rowMax(x: Float32Array, rows: number, cols: number, out: Float32Array): void;
  /**
   * out[i] = the index j of rowMax's value in row i: the first maximum on ties, the first NaN
   * when the row holds one (as PyTorch's argmax). out is an Int32Array of length rows; cols must
   * be positive when rows is and no larger than 2^31 − 1.
   */
  rowArgmax(x: Float32Array, rows: number, cols: number, out: Int32Array): void;
  /**
   * Per-feature statistics of an [N = rows, C = cols] matrix: mean[j] = (1/N) Σ_i x[i, j] and
   * the biased variance variance[j] = (1/N) Σ_i (x[i, j] − mean[j])², in two passes so that
   * data far from zero (x ≈ 1e4 ± 1) keeps its variance (no E[x²] − E[x]² cancellation).
   * Both are NaN when rows = 0. mean and variance must not overlap x or each other.
   */
  colMeanVar(x: Float32Array, rows: number, cols: number, mean: Float32Array, variance: Float32Array): void;
}

/** A sum's error bound: (terms + 2)·2^−23 times the sum of the absolute values, over `divisor`. */
function sumTolerance(perRow: boolean, mean: boolean) {
  return (before: Args, reference: Backend): Tolerance => {
    const [x, rows, cols] = before as [Float32Array, number, number];
    const bound = new Float32Array(perRow ? rows : cols);
    (perRow ? reference.rowSum : reference.colSum)(absolute(x), rows, cols, bound);
    const terms = perRow ? cols : rows;
    if (mean && terms > 0) for (let i = 0; i < bound.length; i++) bound[i]! /= terms;
    return accumulationTolerance(bound, terms);
  };
}

/**
 * The variance's bound: the accumulation bound of Σ(x − mean)²/N, plus the square of the mean's
 * own error (an error δ in the mean adds N·δ² to the sum of squares; the first-order term
 * cancels because Σ(x − mean) = 0).
 */
function varianceTolerance(before: Args, reference: Backend): Tolerance {
  const [x, rows, cols] = before as [Float32Array, number, number];
  const mean = new Float32Array(cols);
  const variance = new Float32Array(cols);
  reference.colMeanVar(x, rows, cols, mean, variance);
  const meanTolerance = sumTolerance(false, true)(before, reference) as Float64Array;
  const squares = accumulationTolerance(variance, rows);
  return squares.map((t, j) => t + meanTolerance[j]! ** 2);
}

export const REDUCE_CHECKS: Record<keyof ReduceKernels, KernelCheck> = {
  rowSum: { outputs: [[3, 'out']], tolerance: sumTolerance(true, false) },
  colSum: { outputs: [[3, 'out']], tolerance: sumTolerance(false, false) },
  rowMean: { outputs: [[3, 'out']], tolerance: sumTolerance(true, true) },
  colMean: { outputs: [[3, 'out']], tolerance: sumTolerance(false, true) },
  rowMax: { outputs: [[3, 'out']] },
  rowArgmax: { outputs: [[3, 'out']] },
  colMeanVar: {
    outputs: [[3, 'mean'], [4, 'variance']],
    tolerance: (before, reference, output) =>
      output === 3 ? sumTolerance(false, true)(before, reference) : varianceTolerance(before, reference),
  },
};
