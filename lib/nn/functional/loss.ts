/**
 * Losses, PyTorch-shaped: mean reduction by default, 'sum' and 'none' available. Each is the
 * fused loss op (lib/autograd/ops/loss.ts) where one exists for the reduction, else composed
 * from ops: per-row terms for 'none', logSoftmax then nllLoss for crossEntropy's 'sum'.
 */
import { softplus } from '../../autograd/ops/activation';
import { add, mul, neg, sub } from '../../autograd/ops/arithmetic';
import {
  type BceOptions, type NllOptions, type Reduction, binaryCrossEntropyWithLogits as bceOp, checkMatrix, checkPair,
  checkReduction, checkSmoothing, checkTargets, crossEntropy as crossEntropyOp, l1Loss as l1Op, mseLoss as mseOp,
  nllLoss, positiveWeights,
} from '../../autograd/ops/loss';
import { abs, pow } from '../../autograd/ops/math';
import { logSoftmax } from '../../autograd/ops/softmax';
import { type Labels, toLabels } from '../../autograd/ops/labels';
import { Tensor } from '../../autograd/tensor';

export { multiMarginLoss, nllLoss } from '../../autograd/ops/loss';
export type { BceOptions, MarginOptions, NllOptions, Reduction } from '../../autograd/ops/loss';
export type { Labels } from '../../autograd/ops/labels';

/**
 * Softmax cross-entropy from logits [N, C] and integer labels: the mean runs the fused kernel;
 * 'sum' and 'none' go through logSoftmax and nllLoss.
 */
export function crossEntropy(logits: Tensor, labels: Labels, options: NllOptions = {}): Tensor {
  checkMatrix('crossEntropy', logits, 'logits');
  const reduction = checkReduction('crossEntropy', options.reduction ?? 'mean');
  checkSmoothing('crossEntropy', options.labelSmoothing ?? 0);
  const [n, classes] = logits.shape as [number, number];
  const y = toLabels('crossEntropy', labels, n, classes);
  if (reduction !== 'mean') return nllLoss(logSoftmax(logits, 1), y, options);
  return crossEntropyOp(logits, y, options);
}

/** Mean squared error: mean of (prediction − target)² (no ½). */
export function mseLoss(prediction: Tensor, target: Tensor, options: { reduction?: Reduction } = {}): Tensor {
  checkPair('mseLoss', prediction, target);
  const reduction = checkReduction('mseLoss', options.reduction ?? 'mean');
  if (reduction === 'none') return pow(sub(prediction, target), 2);
  return mseOp(prediction, target, reduction);
}

/** Mean absolute error: mean of |prediction − target| (subgradient 0 where they are equal). */
export function l1Loss(prediction: Tensor, target: Tensor, options: { reduction?: Reduction } = {}): Tensor {
  checkPair('l1Loss', prediction, target);
  const reduction = checkReduction('l1Loss', options.reduction ?? 'mean');
  if (reduction === 'none') return abs(sub(prediction, target));
  return l1Op(prediction, target, reduction);
}

/**
 * Binary cross-entropy on logits, stable for any x: ℓ = pw·t·softplus(−x) + (1 − t)·softplus(x),
 * that is max(x, 0) − x·t + log(1 + e^−|x|) without posWeight. Targets in [0, 1].
 */
export function binaryCrossEntropyWithLogits(x: Tensor, target: Tensor, options: BceOptions = {}): Tensor {
  const op = 'binaryCrossEntropyWithLogits';
  checkPair(op, x, target);
  const reduction = checkReduction(op, options.reduction ?? 'mean');
  if (reduction !== 'none') return bceOp(x, target, { reduction, posWeight: options.posWeight });
  const posWeight = positiveWeights(op, x, options.posWeight);
  checkTargets(op, target);
  // (1 − t)·softplus(x) + pw·t·softplus(−x), broadcasting pw over the rows.
  const negative = mul(sub(1, target), softplus(x));
  const pw = posWeight.length > 0 ? new Tensor(posWeight, [posWeight.length]) : 1;
  const positive = mul(mul(target, pw), softplus(neg(x)));
  return add(negative, positive);
}
