import type { KernelCheck } from './check';

/** Kernels that move values without arithmetic (scatterAddRows adds, in index order). */
export interface LayoutKernels {
  /** out[j, i] = x[i, j] for a rows×cols x (out is cols×rows). out must not overlap x. */
  transpose(x: Float32Array, rows: number, cols: number, out: Float32Array): void;
  /**
   * out[r, :] = x[indices[r], :] for a rows×cols x: one output row per index (out is
   * indices.length×cols). Every index must lie in [0, rows). out must not overlap x.
   */
  gatherRows(x: Float32Array, rows: number, cols: number, indices: Int32Array, out: Float32Array): void;
  /**
   * out[indices[r], :] += src[r, :] for r = 0, 1, … in order (a repeated index sums its rows):
   * the gradient of gatherRows. out is rows×cols, src is indices.length×cols; every index must
   * lie in [0, rows). out must not overlap src.
   */
  scatterAddRows(src: Float32Array, indices: Int32Array, rows: number, cols: number, out: Float32Array): void;
}

/** Moves and in-order float32 sums: the backends must agree bit for bit. */
export const LAYOUT_CHECKS: Record<keyof LayoutKernels, KernelCheck> = {
  transpose: { outputs: [[3, 'out']] },
  gatherRows: { outputs: [[4, 'out']] },
  scatterAddRows: { outputs: [[4, 'out']] },
};
