/** Reference softmax and losses: plain loops in double, each result rounded once to float32. */
import type { Floats, ReferenceContext } from '../declare';

/**
 * One row's max m and s = Σ exp(x − m) (at least 1): [NaN, NaN] when the row holds +Inf or NaN
 * or is all −Inf (then every output of the row is NaN).
 */
function rowSumExp(x: Floats, offset: number, cols: number): [number, number] {
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

function softmaxRows(x: Floats, rows: number, cols: number, y: Floats, log: boolean): void {
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

function crossEntropyTarget(weights: Floats, smoothing: number, cols: number): CrossEntropyTarget {
  return { weight: weights.length === 0 ? () => 1 : (c) => weights[c]!, smoothing, cols };
}

/** [σ(x), σ(−x)] from one exp(−|x|), neither losing precision in its tail. */
function sigmoids(x: number): [number, number] {
  const e = Math.exp(-Math.abs(x));
  const big = 1 / (1 + e);
  const small = e / (1 + e);
  return x >= 0 ? [big, small] : [small, big];
}

export function softmax(this: ReferenceContext, x: Floats, rows: number, cols: number, y: Floats): void {
  softmaxRows(x, rows, cols, y, false);
}

export function softmaxBackward(this: ReferenceContext, y: Floats, dy: Floats, rows: number, cols: number, dx: Floats): void {
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    let dot = 0;
    for (let j = 0; j < cols; j++) dot += dy[o + j]! * y[o + j]!;
    for (let j = 0; j < cols; j++) dx[o + j] = y[o + j]! * (dy[o + j]! - dot);
  }
}

export function logSoftmax(this: ReferenceContext, x: Floats, rows: number, cols: number, y: Floats): void {
  softmaxRows(x, rows, cols, y, true);
}

export function logSoftmaxBackward(this: ReferenceContext, y: Floats, dy: Floats, rows: number, cols: number, dx: Floats): void {
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += dy[o + j]!;
    for (let j = 0; j < cols; j++) dx[o + j] = dy[o + j]! - Math.exp(y[o + j]!) * sum;
  }
}

export function softmaxCrossEntropy(
  this: ReferenceContext, logits: Floats, labels: Int32Array, rows: number, cols: number,
  weights: Floats, smoothing: number, probs: Floats, loss: Floats,
): void {
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
}

export function softmaxCrossEntropyBackward(
  this: ReferenceContext, probs: Floats, labels: Int32Array, rows: number, cols: number,
  weights: Floats, smoothing: number, grad: number, dlogits: Floats,
): void {
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
}

export function hingeLoss(
  this: ReferenceContext, scores: Floats, labels: Int32Array, rows: number, cols: number, margin: number, loss: Floats,
): void {
  let total = 0;
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    const y = labels[i]!;
    for (let j = 0; j < cols; j++) {
      if (j !== y) total += Math.max(0, scores[o + j]! - scores[o + y]! + margin); // NaN propagates
    }
  }
  loss[0] = total / rows;
}

export function hingeLossBackward(
  this: ReferenceContext, scores: Floats, labels: Int32Array, rows: number, cols: number, margin: number, grad: number,
  dscores: Floats,
): void {
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
}

export function bceWithLogits(
  this: ReferenceContext, x: Floats, t: Floats, rows: number, cols: number, posWeight: Floats, mean: boolean, loss: Floats,
): void {
  const size = rows * cols;
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
}

export function bceWithLogitsBackward(
  this: ReferenceContext, x: Floats, t: Floats, rows: number, cols: number, posWeight: Floats, mean: boolean,
  grad: number, dx: Floats,
): void {
  const size = rows * cols;
  const scale = mean ? grad / size : grad;
  for (let k = 0; k < size; k++) {
    const xv = x[k]!;
    const tv = t[k]!;
    const pw = posWeight.length === 0 ? 1 : posWeight[k % cols]!;
    const [positive, negative] = sigmoids(xv);
    dx[k] = scale * ((1 - tv) * positive - pw * tv * negative);
  }
}

function pointwiseLoss(prediction: Floats, target: Floats, mean: boolean, loss: Floats, term: (d: number) => number): void {
  let sum = 0;
  for (let i = 0; i < prediction.length; i++) sum += term(prediction[i]! - target[i]!);
  loss[0] = mean ? sum / prediction.length : sum;
}

function pointwiseBackward(
  prediction: Floats, target: Floats, mean: boolean, grad: number, dprediction: Floats, derivative: (d: number) => number,
): void {
  const scale = mean ? grad / prediction.length : grad;
  for (let i = 0; i < prediction.length; i++) dprediction[i] = scale * derivative(prediction[i]! - target[i]!);
}

export function mse(this: ReferenceContext, prediction: Floats, target: Floats, mean: boolean, loss: Floats): void {
  pointwiseLoss(prediction, target, mean, loss, (d) => d * d);
}

export function mseBackward(
  this: ReferenceContext, prediction: Floats, target: Floats, mean: boolean, grad: number, dprediction: Floats,
): void {
  pointwiseBackward(prediction, target, mean, grad, dprediction, (d) => 2 * d);
}

export function l1(this: ReferenceContext, prediction: Floats, target: Floats, mean: boolean, loss: Floats): void {
  pointwiseLoss(prediction, target, mean, loss, Math.abs);
}

export function l1Backward(
  this: ReferenceContext, prediction: Floats, target: Floats, mean: boolean, grad: number, dprediction: Floats,
): void {
  // sign(±0) = ±0, NaN stays
  pointwiseBackward(prediction, target, mean, grad, dprediction, (d) => (d > 0 ? 1 : d < 0 ? -1 : d));
}
