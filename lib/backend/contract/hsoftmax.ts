import type { Backend } from '../backend';
import type { Tolerance } from '../compare';
import type { Args, KernelCheck } from './check';

/**
 * Hierarchical softmax over C = `classes` classes: a binary tree whose C − 1 inner nodes each
 * hold a weight row w_n (weight is [C − 1, features]) and a bias b_n. The tree reaches the
 * kernels as paths: class c's inner nodes are pathNodes[pathOffsets[c] .. pathOffsets[c + 1]),
 * root first, with pathCodes 1 where the path turns right and 0 where it turns left. At node n,
 * with z = w_n·x + b_n, the path turns right with probability σ(z) and left with σ(−z), so
 * log p(c | x) = Σ over c's path of log σ(±z) (log-sigmoid computed stably, never log(0)).
 * pathOffsets has length C + 1, starts at 0 and ends at pathNodes.length; pathCodes has
 * pathNodes' length. bias may be length 0 (no bias). `depth` bounds the path lengths and sets
 * the row stride of dz. The training kernels check only the paths of the batch's labels; a
 * label out of [0, C), a path node out of [0, C − 1), a code other than 0 or 1, or a path
 * longer than depth is a RangeError naming it, raised before anything is written.
 */
export interface HsoftmaxKernels {
  /**
   * The training forward, touching only the inner nodes on each label's path:
   * losses[i] = −Σ_k log σ(±z_ik) over label_i's path (the per-example loss; the caller takes
   * the mean or sum), and dz[i, k] = σ(z_ik) − code_k, the loss's derivative in z_ik, kept for
   * backward (0 past the path's end). Dot products in double, each result rounded once.
   */
  hsoftmaxLoss(
    x: Float32Array, labels: Int32Array, weight: Float32Array, bias: Float32Array,
    pathOffsets: Int32Array, pathNodes: Int32Array, pathCodes: Int32Array,
    rows: number, features: number, classes: number, depth: number, dz: Float32Array, losses: Float32Array,
  ): void;
  /**
   * The training backward, with g = dlosses (the upstream gradient of each example's loss: 1/N
   * for a mean): dx[i] = Σ_k g_i·dz[i, k]·w_{n_ik} (written), and only the rows of the nodes on
   * the batch's paths are touched in the parameter gradients: dweight[n] += Σ g_i·dz[i, k]·x_i
   * and dbias[n] += Σ g_i·dz[i, k] over the uses (i, k) of node n, summed in double in row
   * order and added once (dbias length 0: none). Accumulating, not writing, lets the caller keep
   * a gradient across steps without a dense [C − 1, features] fill per step.
   */
  hsoftmaxBackward(
    x: Float32Array, labels: Int32Array, weight: Float32Array,
    pathOffsets: Int32Array, pathNodes: Int32Array, pathCodes: Int32Array,
    dz: Float32Array, dlosses: Float32Array, rows: number, features: number, classes: number, depth: number,
    dx: Float32Array, dweight: Float32Array, dbias: Float32Array,
  ): void;
  /**
   * Evaluation: out[i, c] = log p(c | x_i) for every class, [rows, classes]. The native kernel
   * scores all inner nodes with one GEMM (float32 rounding, bounded below) and then walks the
   * paths in double. Every path is checked (lengths up to classes − 1).
   */
  hsoftmaxLogProbs(
    x: Float32Array, weight: Float32Array, bias: Float32Array,
    pathOffsets: Int32Array, pathNodes: Int32Array, pathCodes: Int32Array,
    rows: number, features: number, classes: number, out: Float32Array,
  ): void;
}

/** Relative 1e-6: the room for exp and log1p differing by an ulp of double, and one rounding. */
const RELATIVE = 1e-6;

/** losses: relative (a sum of non-negative terms); dz: relative to σ(z) + code (a difference). */
function lossTolerance(before: Args, reference: Backend, output: number): Tolerance {
  const args = before.map((a) => (ArrayBuffer.isView(a) ? (a as Float32Array).slice() : a));
  (reference.hsoftmaxLoss as (...a: Args) => void)(...args);
  const value = args[output] as Float32Array;
  if (output === 12) return Float64Array.from(value, (v) => RELATIVE * Math.abs(v) + Number.MIN_VALUE);
  return Float64Array.from(value, (v) => RELATIVE * (Math.abs(v) + 1) + Number.MIN_VALUE);
}

/**
 * The GEMM's float32 scores: each z carries at most (features + 2)·2^−24·(Σ_j |w_j·x_j| + |b|)
 * (k-term accumulation and the bias add), and log σ is 1-Lipschitz, so an element's error is at
 * most the sum of that over its path, plus RELATIVE for the log-sigmoids and the rounding.
 */
function logProbsTolerance(before: Args, reference: Backend): Tolerance {
  const [x, weight, bias, pathOffsets, pathNodes, , rows, features, classes, out] =
    before as [Float32Array, Float32Array, Float32Array, Int32Array, Int32Array, Int32Array, number, number, number, Float32Array];
  const expected = new Float32Array(out.length);
  reference.hsoftmaxLogProbs(x, weight, bias, pathOffsets, pathNodes, before[5] as Int32Array, rows, features, classes, expected);
  const nodes = classes - 1;
  const unit = (features + 2) * 2 ** -24;
  const bound = new Float64Array(out.length);
  const nodeBound = new Float64Array(nodes);
  for (let i = 0; i < rows; i++) {
    for (let n = 0; n < nodes; n++) {
      let abs = bias.length ? Math.abs(bias[n]!) : 0;
      for (let f = 0; f < features; f++) abs += Math.abs(weight[n * features + f]! * x[i * features + f]!);
      nodeBound[n] = unit * abs;
    }
    for (let c = 0; c < classes; c++) {
      let sum = 0;
      for (let p = pathOffsets[c]!; p < pathOffsets[c + 1]!; p++) sum += nodeBound[pathNodes[p]!]!;
      bound[i * classes + c] = sum + RELATIVE * Math.abs(expected[i * classes + c]!) + Number.MIN_VALUE;
    }
  }
  return bound;
}

export const HSOFTMAX_CHECKS: Record<keyof HsoftmaxKernels, KernelCheck> = {
  hsoftmaxLoss: { outputs: [[11, 'dz'], [12, 'losses']], tolerance: lossTolerance },
  // The same double sums in the same order as the reference, on the same dz: exact.
  hsoftmaxBackward: { outputs: [[12, 'dx'], [13, 'dweight'], [14, 'dbias']] },
  hsoftmaxLogProbs: { outputs: [[9, 'out']], tolerance: logProbsTolerance },
};
