import { absolute, accumulationTolerance, type Tolerance } from '../compare';
import type { Backend } from '../backend';
import type { Args, KernelCheck } from './check';

export interface ReduceKernels {
  /** out[i] = Σ_j x[i, j] for a rows×cols x: one sum per row (out.length = rows). */
  rowSum(x: Float32Array, rows: number, cols: number, out: Float32Array): void;
  /** out[j] = Σ_i x[i, j] for a rows×cols x: one sum per column (out.length = cols). */
  colSum(x: Float32Array, rows: number, cols: number, out: Float32Array): void;
}

/** A sum's error bound: (terms + 2)·2^−23 times the sum of the absolute values. */
function sumTolerance(perRow: boolean) {
  return (before: Args, reference: Backend): Tolerance => {
    const [x, rows, cols] = before as [Float32Array, number, number];
    const bound = new Float32Array(perRow ? rows : cols);
    (perRow ? reference.rowSum : reference.colSum)(absolute(x), rows, cols, bound);
    return accumulationTolerance(bound, perRow ? cols : rows);
  };
}

export const REDUCE_CHECKS: Record<keyof ReduceKernels, KernelCheck> = {
  rowSum: { outputs: [[3, 'out']], tolerance: sumTolerance(true) },
  colSum: { outputs: [[3, 'out']], tolerance: sumTolerance(false) },
};
