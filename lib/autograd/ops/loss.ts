/**
 * The loss ops, on the fused loss kernels: nllLoss and multiMarginLoss with every reduction,
 * crossEntropy with the mean, mseLoss, l1Loss and binaryCrossEntropyWithLogits with the mean or
 * the sum (nn.functional composes the other reductions from ops). Attributes: { reduction },
 * with nllLoss and crossEntropy's { labelSmoothing, weight (class weights, or null) },
 * multiMarginLoss's { margin } and binaryCrossEntropyWithLogits' { posWeight (or null) }.
 */
import { record } from '../record';
import type { FloatArray } from '../tensor';
import { Tensor, allocate, allocateOutput, commonDType, formatShape, kernelsFor } from '../tensor';
import { type Labels, toLabels } from './labels';

export type Reduction = 'mean' | 'sum' | 'none';
export type { Labels } from './labels';

export function checkReduction(op: string, reduction: unknown): Reduction {
  if (reduction !== 'mean' && reduction !== 'sum' && reduction !== 'none') {
    throw new RangeError(`${op}: Expected reduction "mean", "sum" or "none" but received ${String(reduction)}`);
  }
  return reduction;
}

export function checkMatrix(op: string, x: unknown, what: string): asserts x is Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`${op}: Expected a Tensor of ${what} but received ${typeof x}`);
  if (x.ndim !== 2) throw new RangeError(`${op}: Expected ${what} of shape [N, C] but received ${formatShape(x.shape)}`);
}

function classWeights(op: string, weight: Tensor | FloatArray | undefined, classes: number, x: Tensor): FloatArray {
  const dtype = x.dtype;
  if (weight === undefined) return allocate([0], dtype);
  const values = weight instanceof Tensor ? weight.data : weight;
  if (values.length !== classes) throw new RangeError(`${op}: Expected ${classes} class weights but received ${values.length}`);
  for (let c = 0; c < classes; c++) {
    if (!(values[c]! >= 0) || !Number.isFinite(values[c]!)) throw new RangeError(`${op}: Expected finite non-negative class weights but weight[${c}] is ${values[c]}`);
  }
  const out = allocate([classes], dtype);
  out.set(values);
  return out;
}

export interface NllOptions {
  reduction?: Reduction;
  /** A weight per class (PyTorch's weight): the mean divides by the sum of the labels' weights. */
  weight?: Tensor | FloatArray;
  /** ε: the target puts 1 − ε on the label and ε/C on every class (PyTorch's label_smoothing). */
  labelSmoothing?: number;
}

export function checkSmoothing(op: string, value: number): number {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    throw new RangeError(`${op}: Expected labelSmoothing in [0, 1] but received ${String(value)}`);
  }
  return value;
}

/**
 * Negative log-likelihood of log-probabilities [N, C]: ℓ_i = −Σ_c w_c·t_ic·lp_ic with t the
 * (smoothed) one-hot target; the mean divides by Σ_i w_{y_i} (N without weights).
 */
export function nllLoss(logProbs: Tensor, labels: Labels, options: NllOptions = {}): Tensor {
  checkMatrix('nllLoss', logProbs, 'log-probabilities');
  const reduction = checkReduction('nllLoss', options.reduction ?? 'mean');
  const smoothing = checkSmoothing('nllLoss', options.labelSmoothing ?? 0);
  const [n, classes] = logProbs.shape as [number, number];
  const y = toLabels('nllLoss', labels, n, classes);
  const w = classWeights('nllLoss', options.weight, classes, logProbs);
  const weightOf = (c: number) => (w.length > 0 ? w[c]! : 1);
  const lp = logProbs.data;
  const perRow = new Float64Array(n);
  let totalWeight = 0;
  for (let i = 0; i < n; i++) {
    const label = y[i]!;
    let loss = -(1 - smoothing) * weightOf(label) * lp[i * classes + label]!;
    if (smoothing > 0) {
      let spread = 0;
      for (let c = 0; c < classes; c++) spread += weightOf(c) * lp[i * classes + c]!;
      loss -= (smoothing / classes) * spread;
    }
    perRow[i] = loss;
    totalWeight += weightOf(label);
  }
  const dtype = logProbs.dtype;
  const shape = reduction === 'none' ? [n] : [];
  const out = allocate(shape, dtype);
  if (reduction === 'none') out.set(perRow);
  else {
    const total = perRow.reduce((a, b) => a + b, 0);
    out[0] = reduction === 'sum' ? total : total / totalWeight;
  }
  const attributes = { reduction, labelSmoothing: smoothing, weight: w.length > 0 ? Array.from(w) : null };
  return record('nllLoss', attributes, [logProbs], out, shape, (grad) => {
    const d = allocate(logProbs.shape, dtype);
    for (let i = 0; i < n; i++) {
      const g = reduction === 'none' ? grad[i]! : reduction === 'sum' ? grad[0]! : grad[0]! / totalWeight;
      if (smoothing > 0) for (let c = 0; c < classes; c++) d[i * classes + c] = -g * weightOf(c) * (smoothing / classes);
      d[i * classes + y[i]!] += -g * weightOf(y[i]!) * (1 - smoothing);
    }
    return [d];
  });
}

/**
 * The mean softmax cross-entropy of logits [N, C] at integer labels on the fused kernel, which
 * keeps the probabilities for the backward (p − target)·w/Σw (nn.functional.crossEntropy
 * composes logSoftmax and nllLoss for the other reductions).
 */
export function crossEntropy(logits: Tensor, labels: Labels, options: Omit<NllOptions, 'reduction'> = {}): Tensor {
  checkMatrix('crossEntropy', logits, 'logits');
  const smoothing = checkSmoothing('crossEntropy', options.labelSmoothing ?? 0);
  const [n, classes] = logits.shape as [number, number];
  const y = toLabels('crossEntropy', labels, n, classes);
  const w = classWeights('crossEntropy', options.weight, classes, logits);
  const kernels = kernelsFor(logits.dtype);
  const probs = allocateOutput(logits.shape, logits.dtype); // both written whole by the kernel
  const out = allocateOutput([], logits.dtype);
  kernels.softmaxCrossEntropy(logits.data, y, n, classes, w, smoothing, probs, out);
  const attributes = { reduction: 'mean', labelSmoothing: smoothing, weight: w.length > 0 ? Array.from(w) : null };
  return record('crossEntropy', attributes, [logits], out, [], (grad) => {
    kernels.softmaxCrossEntropyBackward(probs, y, n, classes, w, smoothing, grad[0]!, probs);
    return [probs];
  });
}

export interface MarginOptions {
  reduction?: Reduction;
  /** Δ in max(0, s_j − s_y + Δ); 1 by default. */
  margin?: number;
}

/**
 * The multiclass SVM (hinge) loss of the notes: ℓ_i = Σ_{j≠y_i} max(0, s_j − s_{y_i} + Δ).
 * Unlike PyTorch's MultiMarginLoss it does not divide ℓ_i by C (divide the result by C to
 * compare with PyTorch). The mean is over rows.
 */
export function multiMarginLoss(scores: Tensor, labels: Labels, options: MarginOptions = {}): Tensor {
  checkMatrix('multiMarginLoss', scores, 'scores');
  const reduction = checkReduction('multiMarginLoss', options.reduction ?? 'mean');
  const margin = options.margin ?? 1;
  if (typeof margin !== 'number' || !Number.isFinite(margin)) {
    throw new RangeError(`multiMarginLoss: Expected a finite margin but received ${String(margin)}`);
  }
  const [n, classes] = scores.shape as [number, number];
  const y = toLabels('multiMarginLoss', labels, n, classes);
  const kernels = kernelsFor(scores.dtype);
  const shape = reduction === 'none' ? [n] : [];
  const out = allocate(shape, scores.dtype);
  // One kernel call per row gives that row's loss (the mean over one row).
  const row = (i: number) => scores.data.subarray(i * classes, (i + 1) * classes);
  if (reduction === 'none') {
    for (let i = 0; i < n; i++) kernels.hingeLoss(row(i), y.subarray(i, i + 1), 1, classes, margin, out.subarray(i, i + 1));
  } else {
    kernels.hingeLoss(scores.data, y, n, classes, margin, out);
    if (reduction === 'sum') out[0] = out[0]! * n;
  }
  return record('multiMarginLoss', { reduction, margin }, [scores], out, shape, (grad) => {
    const d = allocate(scores.shape, scores.dtype);
    if (reduction === 'none') {
      for (let i = 0; i < n; i++) {
        kernels.hingeLossBackward(row(i), y.subarray(i, i + 1), 1, classes, margin, grad[i]!, d.subarray(i * classes, (i + 1) * classes));
      }
    } else {
      kernels.hingeLossBackward(scores.data, y, n, classes, margin, reduction === 'sum' ? grad[0]! * n : grad[0]!, d);
    }
    return [d];
  });
}

export function checkPair(op: string, prediction: unknown, target: unknown): asserts prediction is Tensor {
  if (!(prediction instanceof Tensor) || !(target instanceof Tensor)) throw new TypeError(`${op}: Expected Tensors for prediction and target`);
  if (prediction.shape.join() !== target.shape.join()) {
    throw new RangeError(`${op}: Expected prediction and target of one shape but received ${formatShape(prediction.shape)} and ${formatShape(target.shape)}`);
  }
  commonDType(op, [prediction, target]);
}

type PairKernel = 'mse' | 'l1';
type Summed = 'mean' | 'sum';

function checkSummed(op: string, reduction: unknown): Summed {
  if (reduction !== 'mean' && reduction !== 'sum') {
    throw new RangeError(`${op}: Expected reduction "mean" or "sum" (nn.functional composes "none") but received ${String(reduction)}`);
  }
  return reduction;
}

function pairLoss(op: string, kernel: PairKernel, prediction: Tensor, target: Tensor, reduction: Summed): Tensor {
  checkPair(op, prediction, target);
  checkSummed(op, reduction);
  const kernels = kernelsFor(prediction.dtype);
  const mean = reduction === 'mean';
  const out = allocate([], prediction.dtype);
  kernels[kernel](prediction.data, target.data, mean, out);
  return record(op, { reduction }, [prediction, target], out, [], (grad) => {
    const d = allocate(prediction.shape, prediction.dtype);
    if (kernel === 'mse') kernels.mseBackward(prediction.data, target.data, mean, grad[0]!, d);
    else kernels.l1Backward(prediction.data, target.data, mean, grad[0]!, d);
    let dt = null;
    if (target.requiresGrad) {
      dt = allocate(target.shape, target.dtype);
      kernels.mulScalar(d, -1, dt);
    }
    return [prediction.requiresGrad ? d : null, dt];
  });
}

/** Mean (or sum) squared error: of (prediction − target)² (no ½). */
export function mseLoss(prediction: Tensor, target: Tensor, reduction: Summed = 'mean'): Tensor {
  return pairLoss('mseLoss', 'mse', prediction, target, reduction);
}

/** Mean (or sum) absolute error: of |prediction − target| (subgradient 0 where they are equal). */
export function l1Loss(prediction: Tensor, target: Tensor, reduction: Summed = 'mean'): Tensor {
  return pairLoss('l1Loss', 'l1', prediction, target, reduction);
}

export interface BceOptions {
  reduction?: Reduction;
  /** A weight on the positive term per class (the last dimension): PyTorch's pos_weight. */
  posWeight?: Tensor | FloatArray;
}

/** The targets in [0, 1] (NaN passes, as in the kernels), or a RangeError naming the first outside. */
export function checkTargets(op: string, target: Tensor): void {
  for (let i = 0; i < target.size; i++) {
    const t = target.data[i]!;
    if (!(t >= 0 && t <= 1) && !Number.isNaN(t)) throw new RangeError(`${op}: Expected targets in [0, 1] but target[${i}] is ${t}`);
  }
}

/** posWeight as the kernels take it: one per column of x (the last dimension), or empty. */
export function positiveWeights(op: string, x: Tensor, posWeight: Tensor | FloatArray | undefined): FloatArray {
  const cols = x.ndim === 0 ? 1 : x.shape[x.ndim - 1]!;
  if (posWeight === undefined) return allocate([0], x.dtype);
  const values = posWeight instanceof Tensor ? posWeight.data : posWeight;
  if (values.length !== cols) throw new RangeError(`${op}: Expected a posWeight of length ${cols} (the last dimension) but received ${values.length}`);
  const out = allocate([cols], x.dtype);
  out.set(values);
  return out;
}

/**
 * Binary cross-entropy on logits, stable for any x, its mean or sum: ℓ = pw·t·softplus(−x) +
 * (1 − t)·softplus(x), that is max(x, 0) − x·t + log(1 + e^−|x|) without posWeight. Targets in
 * [0, 1].
 */
export function binaryCrossEntropyWithLogits(
  x: Tensor, target: Tensor, options: { reduction?: Summed; posWeight?: Tensor | FloatArray } = {},
): Tensor {
  const op = 'binaryCrossEntropyWithLogits';
  checkPair(op, x, target);
  const reduction = checkSummed(op, options.reduction ?? 'mean');
  const cols = x.ndim === 0 ? 1 : x.shape[x.ndim - 1]!;
  const rows = cols === 0 ? 0 : x.size / cols;
  const posWeight = positiveWeights(op, x, options.posWeight);
  const kernels = kernelsFor(x.dtype);
  const mean = reduction === 'mean';
  const out = allocate([], x.dtype);
  kernels.bceWithLogits(x.data, target.data, rows, cols, posWeight, mean, out);
  const attributes = { reduction, posWeight: posWeight.length > 0 ? Array.from(posWeight) : null };
  return record(op, attributes, [x, target], out, [], (grad) => {
    const d = allocate(x.shape, x.dtype);
    kernels.bceWithLogitsBackward(x.data, target.data, rows, cols, posWeight, mean, grad[0]!, d);
    return [x.requiresGrad ? d : null, target.requiresGrad ? targetGradient(x, target, posWeight, rows, cols, mean, grad[0]!) : null];
  });
}

/** ∂ℓ/∂t = pw·softplus(−x) − softplus(x), in double. */
function targetGradient(x: Tensor, t: Tensor, posWeight: FloatArray, rows: number, cols: number, mean: boolean, grad: number): FloatArray {
  const d = allocate(t.shape, t.dtype);
  const scale = mean ? grad / Math.max(rows * cols, 1) : grad;
  const sp = (z: number) => Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const i = r * cols + c;
      const pw = posWeight.length > 0 ? posWeight[c]! : 1;
      d[i] = scale * (pw * sp(-x.data[i]!) - sp(x.data[i]!));
    }
  }
  return d;
}
