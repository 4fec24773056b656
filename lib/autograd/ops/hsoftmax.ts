/**
 * Hierarchical softmax loss on the tape: the hsoftmax kernels touch only the inner nodes on each
 * target's path, forward and backward. The weight's gradient is the one place this op departs
 * from returning a dense gradient: when the weight is a leaf without hooks (a Parameter, the
 * usual case), the kernel adds the touched rows straight into weight.grad, because a dense
 * [C − 1, D] gradient per step (allocated, zeroed, then added by the engine) would cost more
 * than the whole step at 100k classes. The result is the same as the engine's: leaf gradients
 * accumulate until zeroed. Those rows are recorded in weight.gradRows (and bias.gradRows), so
 * zeroGrad and the optimizers can work on them alone (lib/autograd/sparse-grad.ts).
 * Attributes: { reduction, numClasses, depth }; the tree's paths are data, not attributes.
 */
import { record } from '../record';
import type { FloatArray } from '../tensor';
import { Tensor, allocate, commonDType, formatShape, kernelsFor } from '../tensor';
import { addGradRows, rowSparseGrad, uniqueSorted } from '../sparse-grad';

/** The tree as the kernels take it (lib/nn/hsoftmax's HsmTree is one). */
export interface HsmPaths {
  readonly numClasses: number;
  readonly pathOffsets: Int32Array;
  readonly pathNodes: Int32Array;
  readonly pathCodes: Int32Array;
  readonly depth: number;
}

export type HsmReduction = 'mean' | 'sum' | 'none';

function checkShapes(op: string, x: Tensor, weight: Tensor, bias: Tensor | null, tree: HsmPaths): [number, number] {
  if (!(x instanceof Tensor) || x.ndim !== 2) throw new RangeError(`${op}: Expected x of shape [N, D] but received ${x instanceof Tensor ? formatShape(x.shape) : typeof x}`);
  const [n, d] = x.shape as [number, number];
  const nodes = tree.numClasses - 1;
  if (!(weight instanceof Tensor) || weight.shape.join() !== `${nodes},${d}`) {
    throw new RangeError(`${op}: Expected weight of shape [${nodes}, ${d}] (classes − 1, features) but received ${weight instanceof Tensor ? formatShape(weight.shape) : typeof weight}`);
  }
  if (bias !== null && (!(bias instanceof Tensor) || bias.shape.join() !== `${nodes}`)) {
    throw new RangeError(`${op}: Expected bias of shape [${nodes}] but received ${bias instanceof Tensor ? formatShape(bias.shape) : typeof bias}`);
  }
  return [n, d];
}

/** The inner nodes on the paths of the labels, sorted and unique: the rows backward touches. */
function pathRows(labels: Int32Array, tree: HsmPaths): Int32Array {
  const { pathOffsets, pathNodes } = tree;
  let count = 0;
  for (let i = 0; i < labels.length; i++) count += pathOffsets[labels[i]! + 1]! - pathOffsets[labels[i]!]!;
  const nodes = new Int32Array(count);
  let n = 0;
  for (let i = 0; i < labels.length; i++) {
    for (let k = pathOffsets[labels[i]!]!; k < pathOffsets[labels[i]! + 1]!; k++) nodes[n++] = pathNodes[k]!;
  }
  return uniqueSorted(nodes, tree.numClasses - 1);
}

/** Whether backward may add the weight's rows into weight.grad itself (see the file comment). */
const accumulatesInPlace = (t: Tensor) => t.node === null && t.requiresGrad && !t.hooks;

/**
 * ℓ_i = −log p(labels_i | x_i) = −Σ over the label's path of log σ(±(w_n·x_i + b_n)), reduced
 * by mean (default), sum, or none ([N]). labels: Int32Array of N classes (checked by the kernels).
 */
export function hierarchicalSoftmaxLoss(
  x: Tensor, labels: Int32Array, weight: Tensor, bias: Tensor | null, tree: HsmPaths, reduction: HsmReduction = 'mean',
): Tensor {
  const op = 'hierarchicalSoftmaxLoss';
  const [n, d] = checkShapes(op, x, weight, bias, tree);
  if (reduction !== 'mean' && reduction !== 'sum' && reduction !== 'none') {
    throw new RangeError(`${op}: Expected reduction "mean", "sum" or "none" but received ${String(reduction)}`);
  }
  if (reduction === 'mean' && n === 0) throw new RangeError(`${op}: Expected a non-empty batch for the mean`);
  const inputs = bias ? [x, weight, bias] : [x, weight];
  const dtype = commonDType(op, inputs);
  const kernels = kernelsFor(dtype);
  const classes = tree.numClasses;
  const depth = tree.depth;
  const noBias = allocate([0], dtype);
  const dz = allocate([n, depth], dtype);
  const losses = allocate([n], dtype);
  kernels.hsoftmaxLoss(x.data, labels, weight.data, bias ? bias.data : noBias, tree.pathOffsets, tree.pathNodes,
    tree.pathCodes, n, d, classes, depth, dz, losses);
  let out: FloatArray = losses;
  if (reduction !== 'none') {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += losses[i]!;
    out = allocate([], dtype);
    out[0] = reduction === 'mean' ? sum / n : sum;
  }
  const attributes = { reduction, numClasses: classes, depth };
  return record(op, attributes, inputs, out, reduction === 'none' ? [n] : [], (grad) => {
    const dlosses = reduction === 'none' ? grad : allocate([n], dtype).fill(reduction === 'mean' ? grad[0]! / n : grad[0]!);
    const dx = allocate([n, d], dtype);
    const inPlace = accumulatesInPlace(weight) && (!bias || accumulatesInPlace(bias));
    let dweight: FloatArray;
    let dbias: FloatArray;
    if (inPlace) {
      dweight = rowSparseGrad(weight).data;
      dbias = bias ? rowSparseGrad(bias).data : noBias;
    } else {
      dweight = allocate(weight.shape, dtype);
      dbias = bias ? allocate(bias.shape, dtype) : noBias;
    }
    kernels.hsoftmaxBackward(x.data, labels, weight.data, tree.pathOffsets, tree.pathNodes, tree.pathCodes, dz, dlosses,
      n, d, classes, depth, dx, dweight, dbias);
    const dxOut = x.requiresGrad ? dx : null;
    if (inPlace) {
      const rows = pathRows(labels, tree); // labels were checked by the kernels
      addGradRows(weight, rows);
      if (bias) addGradRows(bias, rows);
      return [dxOut, null, null];
    }
    return bias ? [dxOut, dweight, dbias] : [dxOut, dweight];
  });
}

/** log p(c | x_i) for every class: [N, C], no gradient (evaluation). */
export function hierarchicalSoftmaxLogProbs(x: Tensor, weight: Tensor, bias: Tensor | null, tree: HsmPaths): Tensor {
  const op = 'hierarchicalSoftmaxLogProbs';
  const [n, d] = checkShapes(op, x, weight, bias, tree);
  const dtype = commonDType(op, bias ? [x, weight, bias] : [x, weight]);
  const out = allocate([n, tree.numClasses], dtype);
  kernelsFor(dtype).hsoftmaxLogProbs(x.data, weight.data, bias ? bias.data : allocate([0], dtype), tree.pathOffsets,
    tree.pathNodes, tree.pathCodes, n, d, tree.numClasses, out);
  return new Tensor(out, [n, tree.numClasses]);
}
