/**
 * Reference batch normalization: two-pass statistics and every element in double, rounded once
 * when stored. The double-precision cores are exported so tests can run the same forward and
 * backward on Float64Arrays (finite differences need more than float32 holds).
 */
import type { Floats, ReferenceContext } from '../declare';

/** Where the cores write: a Float32Array (rounding once) or a Float64Array. */
export interface Writable {
  [index: number]: number;
  readonly length: number;
}

/**
 * Training forward in double: writes y, mean and invStd, returns the biased variances.
 * Channel by channel, both passes over x before y is written, so y may be x.
 */
export function batchNormForward64(
  x: ArrayLike<number>, n: number, c: number, hw: number, gamma: ArrayLike<number>, beta: ArrayLike<number>,
  eps: number, y: Writable, mean: Writable, invStd: Writable,
): Float64Array {
  const m = n * hw;
  const variances = new Float64Array(c);
  for (let j = 0; j < c; j++) {
    let sum = 0;
    for (let i = 0; i < n; i++) for (let s = 0; s < hw; s++) sum += x[(i * c + j) * hw + s]!;
    const mu = sum / m;
    let squares = 0;
    for (let i = 0; i < n; i++) for (let s = 0; s < hw; s++) squares += (x[(i * c + j) * hw + s]! - mu) ** 2;
    const variance = squares / m;
    const is = 1 / Math.sqrt(variance + eps);
    for (let i = 0; i < n; i++) {
      for (let s = 0; s < hw; s++) {
        const e = (i * c + j) * hw + s;
        y[e] = gamma[j]! * ((x[e]! - mu) * is) + beta[j]!;
      }
    }
    mean[j] = mu;
    invStd[j] = is;
    variances[j] = variance;
  }
  return variances;
}

/**
 * Backward in double (m, not m − 1). x̂ = (x − mean − δ)·invStd with δ the batch mean of
 * x − mean: exactly 0 when mean is the batch mean, and the correction when it was rounded.
 */
export function batchNormBackward64(
  x: ArrayLike<number>, dy: ArrayLike<number>, n: number, c: number, hw: number, gamma: ArrayLike<number>,
  mean: ArrayLike<number>, invStd: ArrayLike<number>, dx: Writable, dgamma: Writable, dbeta: Writable,
): void {
  const m = n * hw;
  for (let j = 0; j < c; j++) {
    if (m === 0) {
      dgamma[j] = 0;
      dbeta[j] = 0;
      continue;
    }
    const shift = mean[j]!;
    const is = invStd[j]!;
    let sumCentred = 0;
    let sumDy = 0;
    let sumDyCentred = 0;
    for (let i = 0; i < n; i++) {
      for (let s = 0; s < hw; s++) {
        const e = (i * c + j) * hw + s;
        const d = x[e]! - shift;
        sumCentred += d;
        sumDy += dy[e]!;
        sumDyCentred += dy[e]! * d;
      }
    }
    const delta = sumCentred / m;
    const sumDyXhat = (sumDyCentred - delta * sumDy) * is;
    const scale = gamma[j]! * is;
    const meanDy = sumDy / m;
    const meanDyXhat = sumDyXhat / m;
    for (let i = 0; i < n; i++) {
      for (let s = 0; s < hw; s++) {
        const e = (i * c + j) * hw + s;
        const xhat = (x[e]! - shift - delta) * is;
        dx[e] = scale * (dy[e]! - meanDy - xhat * meanDyXhat);
      }
    }
    dgamma[j] = sumDyXhat;
    dbeta[j] = sumDy;
  }
}

export function batchNormTrain(
  this: ReferenceContext, x: Floats, n: number, c: number, hw: number, gamma: Floats, beta: Floats,
  runningMean: Floats, runningVar: Floats, eps: number, momentum: number, y: Floats, mean: Floats, invStd: Floats,
): void {
  const m = n * hw;
  const mean64 = new Float64Array(c);
  const variances = batchNormForward64(x, n, c, hw, gamma, beta, eps, y, mean64, invStd);
  for (let j = 0; j < c; j++) {
    mean[j] = mean64[j]!;
    runningMean[j] = (1 - momentum) * runningMean[j]! + momentum * mean64[j]!;
    runningVar[j] = (1 - momentum) * runningVar[j]! + momentum * ((variances[j]! * m) / (m - 1));
  }
}

export function batchNormEval(
  this: ReferenceContext, x: Floats, n: number, c: number, hw: number, gamma: Floats, beta: Floats,
  runningMean: Floats, runningVar: Floats, eps: number, y: Floats,
): void {
  for (let j = 0; j < c; j++) {
    const is = 1 / Math.sqrt(runningVar[j]! + eps);
    for (let i = 0; i < n; i++) {
      for (let s = 0; s < hw; s++) {
        const e = (i * c + j) * hw + s;
        y[e] = gamma[j]! * ((x[e]! - runningMean[j]!) * is) + beta[j]!;
      }
    }
  }
}

export function batchNormBackward(
  this: ReferenceContext, x: Floats, dy: Floats, n: number, c: number, hw: number, gamma: Floats,
  mean: Floats, invStd: Floats, dx: Floats, dgamma: Floats, dbeta: Floats,
): void {
  batchNormBackward64(x, dy, n, c, hw, gamma, mean, invStd, dx, dgamma, dbeta);
}
