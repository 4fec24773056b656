/** Reference softmax and losses: plain loops in double, each result rounded once to float32. */
import type { LossKernels } from '../contract/loss';
import {
  checkCount, checkDisjoint, checkLength, checkSameOrDisjoint, describe, f32, finiteDouble, flag, i32, index,
  product,
} from '../validate';

type Views = [string, ArrayBufferView][];

/** Every pair of (output, other) must not share memory. */
function checkAllDisjoint(fn: string, outputs: Views, others: Views): void {
  for (const [outName, out] of outputs) {
    for (const [name, other] of others) checkDisjoint(fn, outName, out, name, other);
  }
}

/** x of rows·cols elements: returns rows·cols. */
function matrix(fn: string, name: string, x: Float32Array, rows: number, cols: number): number {
  const size = product(fn, rows, cols, 'rows*cols');
  checkLength(fn, name, x, size, 'rows*cols');
  return size;
}

/** An optional per-class array: length cols, or 0 for none. */
function perClass(fn: string, name: string, value: unknown, cols: number): Float32Array {
  const array = f32(fn, name, value);
  if (array.length !== 0 && array.length !== cols) {
    throw new RangeError(
      `${fn}: Expected a Float32Array of length cols = ${cols} or 0 for ${name} but received ${describe(array)}`,
    );
  }
  return array;
}

function scalarOut(fn: string, value: unknown): Float32Array {
  const loss = f32(fn, 'loss', value);
  checkLength(fn, 'loss', loss, 1, '1');
  return loss;
}

function checkSmoothing(fn: string, value: unknown): number {
  const smoothing = finiteDouble(fn, 'smoothing', value);
  if (smoothing < 0 || smoothing > 1) {
    throw new RangeError(`${fn}: Expected a number in [0, 1] for smoothing but received ${smoothing}`);
  }
  return smoothing;
}

function checkNonEmpty(fn: string, what: string, count: number): void {
  if (count === 0) throw new RangeError(`${fn}: Expected ${what} > 0 for a mean but received 0`);
}

function checkLabels(fn: string, labels: Int32Array, cols: number): void {
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    if (label < 0 || label >= cols) {
      throw new RangeError(`${fn}: Expected labels in [0, cols) = [0, ${cols}) but labels[${i}] is ${label}`);
    }
  }
}

/** Targets in [0, 1]; NaN passes (it propagates into the loss). */
function checkTargets(fn: string, t: Float32Array): void {
  for (let i = 0; i < t.length; i++) {
    const v = t[i]!;
    if (v < 0 || v > 1) throw new RangeError(`${fn}: Expected t in [0, 1] but t[${i}] is ${v}`);
  }
}

/**
 * One row's max m and s = Σ exp(x − m) (at least 1): [NaN, NaN] when the row holds +Inf or NaN
 * or is all −Inf (then every output of the row is NaN).
 */
function rowSumExp(x: Float32Array, offset: number, cols: number): [number, number] {
  let m = -Infinity;
  for (let j = 0; j < cols; j++) {
    const v = x[offset + j]!;
    if (Number.isNaN(v) || v === Infinity) return [NaN, NaN];
    if (v > m) m = v;
  }
  if (m === -Infinity) return [NaN, NaN];
  let s = 0;
  for (let j = 0; j < cols; j++) s += Math.exp(x[offset + j]! - m);
  return [m, s];
}

function softmaxRows(x: Float32Array, rows: number, cols: number, y: Float32Array, log: boolean): void {
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    const [m, s] = rowSumExp(x, o, cols);
    const logS = Math.log(s);
    for (let j = 0; j < cols; j++) {
      const shifted = x[o + j]! - m;
      y[o + j] = log ? shifted - logS : Math.exp(shifted) / s;
    }
  }
}

function checkSoftmax(fn: string, args: IArguments): void {
  checkCount(fn, args.length, 4);
  const x = f32(fn, 'x', args[0]);
  const rows = index(fn, 'rows', args[1]);
  const cols = index(fn, 'cols', args[2]);
  matrix(fn, 'x', x, rows, cols);
  const y = f32(fn, 'y', args[3]);
  matrix(fn, 'y', y, rows, cols);
  checkSameOrDisjoint(fn, 'y', y, 'x', x);
}

function checkSoftmaxBackward(fn: string, args: IArguments): void {
  checkCount(fn, args.length, 5);
  const y = f32(fn, 'y', args[0]);
  const dy = f32(fn, 'dy', args[1]);
  const rows = index(fn, 'rows', args[2]);
  const cols = index(fn, 'cols', args[3]);
  matrix(fn, 'y', y, rows, cols);
  matrix(fn, 'dy', dy, rows, cols);
  const dx = f32(fn, 'dx', args[4]);
  matrix(fn, 'dx', dx, rows, cols);
  checkSameOrDisjoint(fn, 'dx', dx, 'y', y);
  checkSameOrDisjoint(fn, 'dx', dx, 'dy', dy);
}

interface Classification {
  x: Float32Array;
  labels: Int32Array;
  rows: number;
  cols: number;
}

/** scores/logits/probs, labels, rows, cols: the first four arguments of the labelled losses. */
function checkClassification(fn: string, args: IArguments, count: number, first: string): Classification {
  checkCount(fn, args.length, count);
  const x = f32(fn, first, args[0]);
  const labels = i32(fn, 'labels', args[1]);
  const rows = index(fn, 'rows', args[2]);
  const cols = index(fn, 'cols', args[3]);
  matrix(fn, first, x, rows, cols);
  checkLength(fn, 'labels', labels, rows, 'rows');
  return { x, labels, rows, cols };
}

/** The cross-entropy's per-row target weights: a_c = w_c·ε/C, plus w_y·(1 − ε) on the label. */
interface CrossEntropyTarget {
  weight: (c: number) => number;
  smoothing: number;
  cols: number;
}

function denominator(labels: Int32Array, target: CrossEntropyTarget): number {
  let total = 0;
  for (let i = 0; i < labels.length; i++) total += target.weight(labels[i]!);
  return total;
}

/** A_i = Σ_c a_ic = w_y·(1 − ε) + (ε/C)·Σ_c w_c. */
function targetMass(label: number, target: CrossEntropyTarget, weightSum: number): number {
  return target.weight(label) * (1 - target.smoothing) + (target.smoothing / target.cols) * weightSum;
}

function crossEntropyTarget(weights: Float32Array, smoothing: number, cols: number): CrossEntropyTarget {
  return { weight: weights.length === 0 ? () => 1 : (c) => weights[c]!, smoothing, cols };
}

/** [σ(x), σ(−x)] from one exp(−|x|), neither losing precision in its tail. */
function sigmoids(x: number): [number, number] {
  const e = Math.exp(-Math.abs(x));
  const big = 1 / (1 + e);
  const small = e / (1 + e);
  return x >= 0 ? [big, small] : [small, big];
}

interface Pointwise {
  prediction: Float32Array;
  target: Float32Array;
  mean: boolean;
}

function checkPointwise(fn: string, args: IArguments, count: number): Pointwise {
  checkCount(fn, args.length, count);
  const prediction = f32(fn, 'prediction', args[0]);
  const target = f32(fn, 'target', args[1]);
  checkLength(fn, 'target', target, prediction.length, 'prediction.length');
  const mean = flag(fn, 'mean', args[2]);
  return { prediction, target, mean };
}

function pointwiseLoss(fn: string, args: IArguments, term: (d: number) => number): void {
  const { prediction, target, mean } = checkPointwise(fn, args, 4);
  const loss = scalarOut(fn, args[3]);
  checkAllDisjoint(fn, [['loss', loss]], [['prediction', prediction], ['target', target]]);
  if (mean) checkNonEmpty(fn, 'prediction.length', prediction.length);
  let sum = 0;
  for (let i = 0; i < prediction.length; i++) sum += term(prediction[i]! - target[i]!);
  loss[0] = mean ? sum / prediction.length : sum;
}

function pointwiseBackward(fn: string, args: IArguments, derivative: (d: number) => number): void {
  const { prediction, target, mean } = checkPointwise(fn, args, 5);
  const grad = finiteDouble(fn, 'grad', args[3]);
  const dprediction = f32(fn, 'dprediction', args[4]);
  checkLength(fn, 'dprediction', dprediction, prediction.length, 'prediction.length');
  checkSameOrDisjoint(fn, 'dprediction', dprediction, 'prediction', prediction);
  checkSameOrDisjoint(fn, 'dprediction', dprediction, 'target', target);
  if (mean) checkNonEmpty(fn, 'prediction.length', prediction.length);
  const scale = mean ? grad / prediction.length : grad;
  for (let i = 0; i < prediction.length; i++) dprediction[i] = scale * derivative(prediction[i]! - target[i]!);
}

/** The BCE arguments before the loss or gradient: x, t, rows, cols, posWeight, mean. */
function checkBce(fn: string, args: IArguments, count: number) {
  checkCount(fn, args.length, count);
  const x = f32(fn, 'x', args[0]);
  const t = f32(fn, 't', args[1]);
  const rows = index(fn, 'rows', args[2]);
  const cols = index(fn, 'cols', args[3]);
  const size = matrix(fn, 'x', x, rows, cols);
  matrix(fn, 't', t, rows, cols);
  const posWeight = perClass(fn, 'posWeight', args[4], cols);
  const mean = flag(fn, 'mean', args[5]);
  return { x, t, cols, size, posWeight, mean };
}

export const referenceLoss: LossKernels = {
  softmax(x, rows, cols, y) {
    checkSoftmax('softmax', arguments);
    softmaxRows(x, rows, cols, y, false);
  },

  softmaxBackward(y, dy, rows, cols, dx) {
    checkSoftmaxBackward('softmaxBackward', arguments);
    for (let i = 0; i < rows; i++) {
      const o = i * cols;
      let dot = 0;
      for (let j = 0; j < cols; j++) dot += dy[o + j]! * y[o + j]!;
      for (let j = 0; j < cols; j++) dx[o + j] = y[o + j]! * (dy[o + j]! - dot);
    }
  },

  logSoftmax(x, rows, cols, y) {
    checkSoftmax('logSoftmax', arguments);
    softmaxRows(x, rows, cols, y, true);
  },

  logSoftmaxBackward(y, dy, rows, cols, dx) {
    checkSoftmaxBackward('logSoftmaxBackward', arguments);
    for (let i = 0; i < rows; i++) {
      const o = i * cols;
      let sum = 0;
      for (let j = 0; j < cols; j++) sum += dy[o + j]!;
      for (let j = 0; j < cols; j++) dx[o + j] = dy[o + j]! - Math.exp(y[o + j]!) * sum;
    }
  },

  softmaxCrossEntropy(logits, labels, rows, cols, weights, smoothing, probs, loss) {
    const fn = 'softmaxCrossEntropy';
    checkClassification(fn, arguments, 8, 'logits');
    perClass(fn, 'weights', weights, cols);
    checkSmoothing(fn, smoothing);
    f32(fn, 'probs', probs);
    matrix(fn, 'probs', probs, rows, cols);
    scalarOut(fn, loss);
    checkSameOrDisjoint(fn, 'probs', probs, 'logits', logits);
    checkAllDisjoint(fn, [['probs', probs], ['loss', loss]], [['labels', labels], ['weights', weights]]);
    checkAllDisjoint(fn, [['loss', loss]], [['logits', logits], ['probs', probs]]);
    checkNonEmpty(fn, 'rows', rows);
    checkLabels(fn, labels, cols);
    const target = crossEntropyTarget(weights, smoothing, cols);
    const spread = smoothing / cols;
    let total = 0;
    for (let i = 0; i < rows; i++) {
      const o = i * cols;
      const y = labels[i]!;
      const [m, s] = rowSumExp(logits, o, cols);
      const logS = Math.log(s);
      // −log p_c = (m − x_c) + log s; terms of weight 0 are skipped so a −Inf logit there adds 0.
      const labelWeight = target.weight(y) * (1 - smoothing);
      let row = labelWeight === 0 ? 0 : labelWeight * (m - logits[o + y]! + logS);
      if (spread > 0) {
        for (let c = 0; c < cols; c++) {
          const a = target.weight(c) * spread;
          if (a !== 0) row += a * (m - logits[o + c]! + logS);
        }
      }
      total += Number.isNaN(logS) ? NaN : row;
      for (let c = 0; c < cols; c++) probs[o + c] = Math.exp(logits[o + c]! - m) / s;
    }
    loss[0] = total / denominator(labels, target);
  },

  softmaxCrossEntropyBackward(probs, labels, rows, cols, weights, smoothing, grad, dlogits) {
    const fn = 'softmaxCrossEntropyBackward';
    checkClassification(fn, arguments, 8, 'probs');
    perClass(fn, 'weights', weights, cols);
    checkSmoothing(fn, smoothing);
    finiteDouble(fn, 'grad', grad);
    f32(fn, 'dlogits', dlogits);
    matrix(fn, 'dlogits', dlogits, rows, cols);
    checkSameOrDisjoint(fn, 'dlogits', dlogits, 'probs', probs);
    checkAllDisjoint(fn, [['dlogits', dlogits]], [['labels', labels], ['weights', weights]]);
    checkNonEmpty(fn, 'rows', rows);
    checkLabels(fn, labels, cols);
    const target = crossEntropyTarget(weights, smoothing, cols);
    let weightSum = 0;
    for (let c = 0; c < cols; c++) weightSum += target.weight(c);
    const scale = grad / denominator(labels, target);
    const spread = smoothing / cols;
    for (let i = 0; i < rows; i++) {
      const o = i * cols;
      const y = labels[i]!;
      const mass = targetMass(y, target, weightSum);
      for (let c = 0; c < cols; c++) {
        const a = target.weight(c) * (spread + (c === y ? 1 - smoothing : 0));
        dlogits[o + c] = scale * (probs[o + c]! * mass - a);
      }
    }
  },

  hingeLoss(scores, labels, rows, cols, margin, loss) {
    const fn = 'hingeLoss';
    checkClassification(fn, arguments, 6, 'scores');
    finiteDouble(fn, 'margin', margin);
    scalarOut(fn, loss);
    checkAllDisjoint(fn, [['loss', loss]], [['scores', scores], ['labels', labels]]);
    checkNonEmpty(fn, 'rows', rows);
    checkLabels(fn, labels, cols);
    let total = 0;
    for (let i = 0; i < rows; i++) {
      const o = i * cols;
      const y = labels[i]!;
      for (let j = 0; j < cols; j++) {
        if (j !== y) total += Math.max(0, scores[o + j]! - scores[o + y]! + margin); // NaN propagates
      }
    }
    loss[0] = total / rows;
  },

  hingeLossBackward(scores, labels, rows, cols, margin, grad, dscores) {
    const fn = 'hingeLossBackward';
    checkClassification(fn, arguments, 7, 'scores');
    finiteDouble(fn, 'margin', margin);
    finiteDouble(fn, 'grad', grad);
    f32(fn, 'dscores', dscores);
    matrix(fn, 'dscores', dscores, rows, cols);
    checkAllDisjoint(fn, [['dscores', dscores]], [['scores', scores], ['labels', labels]]);
    checkNonEmpty(fn, 'rows', rows);
    checkLabels(fn, labels, cols);
    const scale = grad / rows;
    for (let i = 0; i < rows; i++) {
      const o = i * cols;
      const y = labels[i]!;
      const sy = scores[o + y]!;
      let active = 0;
      for (let j = 0; j < cols; j++) {
        if (j === y) continue;
        const m = scores[o + j]! - sy + margin;
        const indicator = m > 0 ? 1 : Number.isNaN(m) ? NaN : 0;
        active += indicator;
        dscores[o + j] = scale * indicator;
      }
      dscores[o + y] = -scale * active;
    }
  },

  bceWithLogits(x, t, rows, cols, posWeight, mean, loss) {
    const fn = 'bceWithLogits';
    checkBce(fn, arguments, 7);
    const size = rows * cols;
    scalarOut(fn, loss);
    checkAllDisjoint(fn, [['loss', loss]], [['x', x], ['t', t], ['posWeight', posWeight]]);
    if (mean) checkNonEmpty(fn, 'rows*cols', size);
    checkTargets(fn, t);
    let sum = 0;
    for (let k = 0; k < size; k++) {
      const xv = x[k]!;
      const tv = t[k]!;
      const pw = posWeight.length === 0 ? 1 : posWeight[k % cols]!;
      // softplus(±x) = max(±x, 0) + log1p(exp(−|x|)), sharing the log1p. A hard target skips
      // the other term, so an infinite logit on the right side costs 0.
      const tail = Math.log1p(Math.exp(-Math.abs(xv)));
      if (tv !== 0) sum += pw * tv * (Math.max(-xv, 0) + tail);
      if (tv !== 1) sum += (1 - tv) * (Math.max(xv, 0) + tail);
    }
    loss[0] = mean ? sum / size : sum;
  },

  bceWithLogitsBackward(x, t, rows, cols, posWeight, mean, grad, dx) {
    const fn = 'bceWithLogitsBackward';
    const { size } = checkBce(fn, arguments, 8);
    finiteDouble(fn, 'grad', grad);
    f32(fn, 'dx', dx);
    matrix(fn, 'dx', dx, rows, cols);
    checkSameOrDisjoint(fn, 'dx', dx, 'x', x);
    checkSameOrDisjoint(fn, 'dx', dx, 't', t);
    checkAllDisjoint(fn, [['dx', dx]], [['posWeight', posWeight]]);
    if (mean) checkNonEmpty(fn, 'rows*cols', size);
    checkTargets(fn, t);
    const scale = mean ? grad / size : grad;
    for (let k = 0; k < size; k++) {
      const xv = x[k]!;
      const tv = t[k]!;
      const pw = posWeight.length === 0 ? 1 : posWeight[k % cols]!;
      const [positive, negative] = sigmoids(xv);
      dx[k] = scale * ((1 - tv) * positive - pw * tv * negative);
    }
  },

  // The pointwise losses read their arguments through `arguments`, checked in one place.
  mse() {
    pointwiseLoss('mse', arguments, (d) => d * d);
  },

  mseBackward() {
    pointwiseBackward('mseBackward', arguments, (d) => 2 * d);
  },

  l1() {
    pointwiseLoss('l1', arguments, Math.abs);
  },

  l1Backward() {
    pointwiseBackward('l1Backward', arguments, (d) => (d > 0 ? 1 : d < 0 ? -1 : d)); // sign(±0) = ±0, NaN stays
  },
};
