/**
 * Softmax along rows and the losses. Matrices are [N = rows, C = cols], one example per row.
 * A loss writes its scalar into `loss`, a Float32Array of length 1 the caller allocated (outputs
 * are caller-allocated, and the checked backend compares it like any output). A 'mean' loss over
 * no examples (rows = 0, or an empty prediction) is a RangeError: PyTorch returns NaN, but an
 * empty batch is a bug upstream and should say so. Backward kernels take the upstream gradient
 * of the scalar loss as `grad` (1 for a loss that is the objective) and write the gradient with
 * respect to the first input. Labels are an Int32Array of length rows, each in [0, cols): any
 * other label is a RangeError naming its row, before anything is written.
 */
import { copyArguments, type Tolerance } from '../compare';
import { double, flag, index, input, kernel, output, type Rerun } from '../declare';
import * as reference from '../reference/loss';

/** Relative 1e-6: about 8 float32 ulps, the room left for exp, log and one final rounding. */
const RELATIVE = 1e-6;

/**
 * The bound for a result that goes through exp or log, or a sum of non-negative terms: RELATIVE
 * times the reference value, from the reference rerun on the arguments as they were. Both
 * backends compute in double and round once, so they differ only where the libraries' exp and
 * log differ by an ulp of double (a double sum of n terms adds n·2^−53, far below 1e-6); the
 * bound leaves room for a float32 kernel with accurate exp and log. `floor` is an absolute part
 * for results that are differences near 0 (log-softmax, whose log-sum is accurate to 1e-6).
 * `at` gives each output's position.
 */
function transcendental(at: Record<string, number>, floor = 0) {
  return (before: unknown[], output: string, rerun: Rerun): Tolerance => {
    const args = copyArguments(before);
    rerun(...args);
    const value = args[at[output]!] as Float32Array;
    return Float64Array.from(value, (v) => RELATIVE * (Math.abs(v) + floor) + Number.MIN_VALUE);
  };
}

/**
 * Gradients that are differences (y·(dy − Σdy·y), p·A − a, (1 − t)·σ(x) − t·σ(−x)) may cancel
 * to near 0, where a bound relative to the result means nothing: these bound each element by
 * RELATIVE times the sum of the absolute values of its terms.
 */
function rowTerms(before: unknown[], perRow: (y: Float32Array, dy: Float32Array, o: number, cols: number, out: Float64Array) => void): Tolerance {
  const [y, dy, rows, cols] = before as [Float32Array, Float32Array, number, number];
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) perRow(y, dy, i * cols, cols, out);
  return out;
}

const softmaxBackwardTolerance = (before: unknown[]): Tolerance =>
  rowTerms(before, (y, dy, o, cols, out) => {
    let dot = 0;
    for (let j = 0; j < cols; j++) dot += Math.abs(dy[o + j]! * y[o + j]!);
    for (let j = 0; j < cols; j++) out[o + j] = RELATIVE * Math.abs(y[o + j]!) * (Math.abs(dy[o + j]!) + dot) + Number.MIN_VALUE;
  });

const logSoftmaxBackwardTolerance = (before: unknown[]): Tolerance =>
  rowTerms(before, (y, dy, o, cols, out) => {
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += Math.abs(dy[o + j]!);
    for (let j = 0; j < cols; j++) out[o + j] = RELATIVE * (Math.abs(dy[o + j]!) + Math.exp(y[o + j]!) * sum) + Number.MIN_VALUE;
  });

/** |grad|/|W|·(p·|A_i| + |a_ic|), from the same targets as the kernel. */
function crossEntropyBackwardTolerance(before: unknown[]): Tolerance {
  const [probs, labels, rows, cols, weights, smoothing, grad] =
    before as [Float32Array, Int32Array, number, number, Float32Array, number, number];
  const w = (c: number) => (weights.length === 0 ? 1 : weights[c]!);
  let total = 0;
  for (let i = 0; i < rows; i++) total += w(labels[i]!);
  let weightSum = 0;
  for (let c = 0; c < cols; c++) weightSum += w(c);
  const scale = Math.abs(grad / total);
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const y = labels[i]!;
    const mass = Math.abs(w(y) * (1 - smoothing) + (smoothing / cols) * weightSum);
    for (let c = 0; c < cols; c++) {
      const a = Math.abs(w(c) * (smoothing / cols + (c === y ? 1 - smoothing : 0)));
      out[i * cols + c] = RELATIVE * scale * (probs[i * cols + c]! * mass + a) + Number.MIN_VALUE;
    }
  }
  return out;
}

/** |scale|·((1 − t)·σ(x) + |pw|·t·σ(−x)). */
function bceBackwardTolerance(before: unknown[]): Tolerance {
  const [x, t, rows, cols, posWeight, mean, grad] =
    before as [Float32Array, Float32Array, number, number, Float32Array, boolean, number];
  const size = rows * cols;
  const scale = Math.abs(mean ? grad / size : grad);
  const out = new Float64Array(size);
  for (let k = 0; k < size; k++) {
    const pw = posWeight.length === 0 ? 1 : Math.abs(posWeight[k % cols]!);
    const positive = 1 / (1 + Math.exp(-x[k]!));
    out[k] = RELATIVE * scale * ((1 - t[k]!) * positive + pw * t[k]! * (1 - positive)) + Number.MIN_VALUE;
  }
  return out;
}

const matrix = (name: string) => input(name, 'rows*cols');
const labels = () => input('labels', 'rows', { element: 'int32', values: '[0, cols)' });
const scalarLoss = () => output('loss', '1');
const perClass = (name: string) => input(name, { expr: 'cols', orEmpty: true });
const smoothing = () => double('smoothing', { min: 0, max: 1 });
/** A mean over no examples is a bug upstream (PyTorch returns NaN): a RangeError. */
const nonEmpty = (size: string, when?: string) => [{ ...(when && { when }), that: `${size} > 0`, message: `Expected ${size} > 0 for a mean but received {${size}}` }];

export const LOSS = {
  /**
   * y[i, j] = exp(x[i, j] − m_i) / Σ_k exp(x[i, k] − m_i), m_i = max_k x[i, k]: no overflow for
   * any finite logits, and a row of −Inf but one finite value gives a one-hot row. A row holding
   * +Inf or NaN gives NaN in that whole row (+Inf − +Inf is undefined; we do not guess). A row of
   * all −Inf is NaN too (no class has any mass). y may be x; otherwise they must not overlap.
   */
  softmax: kernel({
    args: [matrix('x'), index('rows'), index('cols'), output('y', 'rows*cols', { inPlace: ['x'] })],
    reference: reference.softmax,
    tolerance: transcendental({ y: 3 }),
  }),
  /** dx = y ⊙ (dy − Σ_j dy_j·y_j) per row, from softmax's output y. dx may be y or dy. */
  softmaxBackward: kernel({
    args: [matrix('y'), matrix('dy'), index('rows'), index('cols'), output('dx', 'rows*cols', { inPlace: ['y', 'dy'] })],
    reference: reference.softmaxBackward,
    tolerance: softmaxBackwardTolerance,
  }),
  /**
   * y[i, j] = x[i, j] − m_i − log Σ_k exp(x[i, k] − m_i): never log(0) (the sum is ≥ 1) and
   * never inf − inf. −Inf logits give −Inf; +Inf or NaN in a row gives NaN in that row.
   * y may be x; otherwise they must not overlap.
   */
  logSoftmax: kernel({
    args: [matrix('x'), index('rows'), index('cols'), output('y', 'rows*cols', { inPlace: ['x'] })],
    reference: reference.logSoftmax,
    tolerance: transcendental({ y: 3 }, 1),
  }),
  /** dx = dy − exp(y)·Σ_j dy_j per row, from logSoftmax's output y. dx may be y or dy. */
  logSoftmaxBackward: kernel({
    args: [matrix('y'), matrix('dy'), index('rows'), index('cols'), output('dx', 'rows*cols', { inPlace: ['y', 'dy'] })],
    reference: reference.logSoftmaxBackward,
    tolerance: logSoftmaxBackwardTolerance,
  }),
  /**
   * Softmax cross-entropy, fused: writes probs = softmax(logits) (kept for backward) and the
   * mean loss, computed through log-sum-exp (never log(p)), with PyTorch's semantics for the
   * options. The target of row i is t_i = (1 − ε)·onehot(y_i) + ε/C (label smoothing ε =
   * `smoothing` in [0, 1]); with class weights w (length cols, or length 0 for none),
   * loss = Σ_i Σ_c w_c·t_ic·(−log p_ic) / Σ_i w_{y_i}. Without weights the divisor is N.
   * Weights summing to 0 over the labels give NaN, as PyTorch. probs may be logits.
   */
  softmaxCrossEntropy: kernel({
    args: [
      matrix('logits'), labels(), index('rows'), index('cols'), perClass('weights'), smoothing(),
      output('probs', 'rows*cols', { inPlace: ['logits'] }), scalarLoss(),
    ],
    requires: nonEmpty('rows'),
    reference: reference.softmaxCrossEntropy,
    tolerance: transcendental({ probs: 6, loss: 7 }),
  }),
  /**
   * dlogits[i, c] = grad·(p_ic·A_i − w_c·t_ic)/W, A_i = Σ_c w_c·t_ic, W = Σ_i w_{y_i}: that is
   * grad·(p − onehot)/N without weights or smoothing. probs is softmaxCrossEntropy's output;
   * dlogits may be probs.
   */
  softmaxCrossEntropyBackward: kernel({
    args: [
      matrix('probs'), labels(), index('rows'), index('cols'), perClass('weights'), smoothing(), double('grad', { example: 1 }),
      output('dlogits', 'rows*cols', { inPlace: ['probs'] }),
    ],
    requires: nonEmpty('rows'),
    reference: reference.softmaxCrossEntropyBackward,
    tolerance: crossEntropyBackwardTolerance,
  }),
  /**
   * Multiclass SVM (hinge) loss, the lecture notes' form: L_i = Σ_{j≠y_i} max(0, s_j − s_{y_i} +
   * margin), mean over the batch (divided by N only). PyTorch's MultiMarginLoss also divides
   * each L_i by C; this kernel does not (all-zero scores give C − 1, not (C − 1)/C).
   */
  hingeLoss: kernel({
    args: [matrix('scores'), labels(), index('rows'), index('cols'), double('margin', { example: 1 }), scalarLoss()],
    requires: nonEmpty('rows'),
    reference: reference.hingeLoss,
    tolerance: transcendental({ loss: 5 }),
  }),
  /**
   * ∂L/∂s_j = grad·1[s_j − s_{y_i} + margin > 0]/N for j ≠ y_i and ∂L/∂s_{y_i} = −(the sum of
   * those indicators)·grad/N: a margin of exactly 0 counts as inactive (subgradient 0).
   * dscores must not overlap scores.
   */
  hingeLossBackward: kernel({
    args: [
      matrix('scores'), labels(), index('rows'), index('cols'), double('margin', { example: 1 }), double('grad', { example: 1 }),
      output('dscores', 'rows*cols'),
    ],
    requires: nonEmpty('rows'),
    reference: reference.hingeLossBackward,
    tolerance: transcendental({ dscores: 6 }),
  }),
  /**
   * Binary cross-entropy on logits x with targets t in [0, 1] (NaN passes through; any other
   * value is a RangeError naming its index), stable for any x:
   * ℓ = pw_j·t·softplus(−x) + (1 − t)·softplus(x), softplus(z) = max(z, 0) + log1p(exp(−|z|)),
   * which is max(x, 0) − x·t + log1p(exp(−|x|)) without posWeight. posWeight (length cols, or
   * length 0 for none) weighs the positive term of column j, as PyTorch's pos_weight.
   * mean: true divides the sum by rows·cols, false writes the sum.
   */
  bceWithLogits: kernel({
    args: [
      matrix('x'), input('t', 'rows*cols', { values: '[0, 1]' }), index('rows'), index('cols'), perClass('posWeight'),
      flag('mean', { example: true }), scalarLoss(),
    ],
    requires: nonEmpty('rows*cols', 'mean'),
    reference: reference.bceWithLogits,
    tolerance: transcendental({ loss: 6 }),
  }),
  /** dx = grad·((1 − t)·σ(x) − pw_j·t·σ(−x)) (σ(x) − t without posWeight), /(rows·cols) for the mean. dx may be x or t. */
  bceWithLogitsBackward: kernel({
    args: [
      matrix('x'), input('t', 'rows*cols', { values: '[0, 1]' }), index('rows'), index('cols'), perClass('posWeight'),
      flag('mean', { example: true }), double('grad', { example: 1 }), output('dx', 'rows*cols', { inPlace: ['x', 't'] }),
    ],
    requires: nonEmpty('rows*cols', 'mean'),
    reference: reference.bceWithLogitsBackward,
    tolerance: bceBackwardTolerance,
  }),
  /** Σ (prediction − target)², divided by the length when mean. */
  mse: kernel({
    args: [input('prediction'), input('target', 'prediction.length'), flag('mean', { example: true }), scalarLoss()],
    requires: nonEmpty('prediction.length', 'mean'),
    reference: reference.mse,
    tolerance: transcendental({ loss: 3 }),
  }),
  /** dprediction = grad·2·(prediction − target) (/length for the mean); the target's is its negative. dprediction may be either input. */
  mseBackward: kernel({
    args: [
      input('prediction'), input('target', 'prediction.length'), flag('mean', { example: true }), double('grad', { example: 1 }),
      output('dprediction', 'prediction.length', { inPlace: ['prediction', 'target'] }),
    ],
    requires: nonEmpty('prediction.length', 'mean'),
    reference: reference.mseBackward,
    tolerance: transcendental({ dprediction: 4 }),
  }),
  /** Σ |prediction − target|, divided by the length when mean. */
  l1: kernel({
    args: [input('prediction'), input('target', 'prediction.length'), flag('mean', { example: true }), scalarLoss()],
    requires: nonEmpty('prediction.length', 'mean'),
    reference: reference.l1,
    tolerance: transcendental({ loss: 3 }),
  }),
  /**
   * dprediction = grad·sign(prediction − target) (/length for the mean), with sign(0) = 0 as
   * PyTorch's sign, and NaN passing through. dprediction may be either input.
   */
  l1Backward: kernel({
    args: [
      input('prediction'), input('target', 'prediction.length'), flag('mean', { example: true }), double('grad', { example: 1 }),
      output('dprediction', 'prediction.length', { inPlace: ['prediction', 'target'] }),
    ],
    requires: nonEmpty('prediction.length', 'mean'),
    reference: reference.l1Backward,
    tolerance: transcendental({ dprediction: 4 }),
  }),
};
