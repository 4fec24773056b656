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
import { copyArguments, type Tolerance } from '../compare';
import { index, inout, input, kernel, output, type Rerun } from '../declare';
import * as reference from '../reference/hsoftmax';

type LogProbsArgs = Parameters<typeof reference.hsoftmaxLogProbs>;

/** Relative 1e-6: the room for exp and log1p differing by an ulp of double, and one rounding. */
const RELATIVE = 1e-6;

/** losses: relative (a sum of non-negative terms); dz: relative to σ(z) + code (a difference). */
function lossTolerance(before: unknown[], output: string, rerun: Rerun): Tolerance {
  const args = copyArguments(before);
  rerun(...args);
  const value = args[output === 'dz' ? 11 : 12] as Float32Array;
  if (output === 'losses') return Float64Array.from(value, (v) => RELATIVE * Math.abs(v) + Number.MIN_VALUE);
  return Float64Array.from(value, (v) => RELATIVE * (Math.abs(v) + 1) + Number.MIN_VALUE);
}

/**
 * The GEMM's float32 scores: each z carries at most (features + 2)·2^−24·(Σ_j |w_j·x_j| + |b|)
 * (k-term accumulation and the bias add), and log σ is 1-Lipschitz, so an element's error is at
 * most the sum of that over its path, plus RELATIVE for the log-sigmoids and the rounding.
 */
function logProbsTolerance(before: LogProbsArgs, _output: string, rerun: Rerun): Tolerance {
  const [x, weight, bias, pathOffsets, pathNodes, pathCodes, rows, features, classes, out] = before;
  const expected = new Float32Array(out.length);
  rerun(x, weight, bias, pathOffsets, pathNodes, pathCodes, rows, features, classes, expected);
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

const matrix = (name: string, expr: string) => input(name, expr);
const labels = () => input('labels', 'rows', { element: 'int32', values: '[0, classes)', example: [0, 2] });
const perNode = (name: string) => input(name, { expr: 'classes-1', orEmpty: true });
/** Three classes: the root (node 0) sends class 0 left and classes 1, 2 right to node 1. */
const tree = () => [
  input('pathOffsets', 'classes+1', { element: 'int32', example: [0, 1, 3, 5] }),
  input('pathNodes', undefined, { element: 'int32', example: [0, 0, 1, 0, 1] }),
  input('pathCodes', 'pathNodes.length', { element: 'int32', example: [0, 1, 0, 1, 1] }),
] as const;
const rows = (max?: number) => index('rows', { example: 2, ...(max !== undefined && { max }) });
const features = () => index('features', { example: 3 });
const classes = () => index('classes', { min: 1, example: 3 });
const depth = (max?: number) => index('depth', { example: 2, ...(max !== undefined && { max }) });
const BELOW_2_32 = 2 ** 32 - 1;

export const HSOFTMAX = {
  /**
   * The training forward, touching only the inner nodes on each label's path:
   * losses[i] = −Σ_k log σ(±z_ik) over label_i's path (the per-example loss; the caller takes
   * the mean or sum), and dz[i, k] = σ(z_ik) − code_k, the loss's derivative in z_ik, kept for
   * backward (0 past the path's end). Dot products in double, each result rounded once.
   */
  hsoftmaxLoss: kernel({
    args: [
      matrix('x', 'rows*features'), labels(), matrix('weight', '(classes-1)*features'), perNode('bias'), ...tree(),
      rows(), features(), classes(), depth(), output('dz', 'rows*depth'), output('losses', 'rows'),
    ],
    reference: reference.hsoftmaxLoss,
    tolerance: lossTolerance,
  }),
  /**
   * The training backward, with g = dlosses (the upstream gradient of each example's loss: 1/N
   * for a mean): dx[i] = Σ_k g_i·dz[i, k]·w_{n_ik} (written), and only the rows of the nodes on
   * the batch's paths are touched in the parameter gradients: dweight[n] += Σ g_i·dz[i, k]·x_i
   * and dbias[n] += Σ g_i·dz[i, k] over the uses (i, k) of node n, summed in double in row
   * order and added once (dbias length 0: none). Accumulating, not writing, lets the caller keep
   * a gradient across steps without a dense [C − 1, features] fill per step.
   * The same double sums in the same order as the reference, on the same dz: exact.
   */
  hsoftmaxBackward: kernel({
    args: [
      matrix('x', 'rows*features'), labels(), matrix('weight', '(classes-1)*features'), ...tree(),
      matrix('dz', 'rows*depth'), input('dlosses', 'rows'), rows(BELOW_2_32), features(), classes(), depth(BELOW_2_32),
      output('dx', 'rows*features'), inout('dweight', '(classes-1)*features'), inout('dbias', { expr: 'classes-1', orEmpty: true }),
    ],
    reference: reference.hsoftmaxBackward,
  }),
  /**
   * Evaluation: out[i, c] = log p(c | x_i) for every class, [rows, classes]. The native kernel
   * scores all inner nodes with one GEMM (float32 rounding, bounded below) and then walks the
   * paths in double. Every path is checked (lengths up to classes − 1).
   */
  hsoftmaxLogProbs: kernel({
    args: [
      matrix('x', 'rows*features'), matrix('weight', '(classes-1)*features'), perNode('bias'), ...tree(),
      rows(), features(), classes(), output('out', 'rows*classes'),
    ],
    reference: reference.hsoftmaxLogProbs,
    tolerance: logProbsTolerance,
  }),
};
