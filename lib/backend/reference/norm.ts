/**
 * Reference batch normalization: two-pass statistics and every element in double, rounded once
 * when stored. The double-precision cores are exported so tests can run the same forward and
 * backward on Float64Arrays (finite differences need more than float32 holds).
 */
import type { NormKernels } from '../contract/norm';
import {
  checkCount, checkDisjoint, checkLength, checkSameOrDisjoint, describe, f32, finiteDouble, index, product,
} from '../validate';

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

type Named = [string, Float32Array];

/**
 * Every output must not share memory with any other array argument, except the one input it
 * may be exactly (elementwise in place). The same order of checks as native/exports/norm.cc.
 */
export function checkOutputs(fn: string, arrays: Named[], outputs: string[], inPlace: [string, string]): void {
  for (const [outName, out] of arrays) {
    if (!outputs.includes(outName)) continue;
    for (const [name, array] of arrays) {
      if (name === outName) continue;
      if (outName === inPlace[0] && name === inPlace[1]) checkSameOrDisjoint(fn, outName, out, name, array);
      else checkDisjoint(fn, outName, out, name, array);
    }
  }
}

/** n, c, hw and the lengths they imply: returns [n·c·hw, n·hw]. */
function checkShape(fn: string, x: Float32Array, n: number, c: number, hw: number): [number, number] {
  const size = product(fn, product(fn, n, c, 'n*c'), hw, 'n*c*hw');
  const m = product(fn, n, hw, 'n*hw');
  checkLength(fn, 'x', x, size, 'n*c*hw');
  return [size, m];
}

function positive(fn: string, name: string, value: number): void {
  if (!(value > 0)) throw new RangeError(`${fn}: Expected a positive number for ${name} but received ${describe(value)}`);
}

/** A probability-like number in [0, 1] (momentum, dropProb). */
export function unitInterval(fn: string, name: string, value: number): void {
  if (!(value >= 0 && value <= 1)) {
    throw new RangeError(`${fn}: Expected a number in [0, 1] for ${name} but received ${describe(value)}`);
  }
}

export const referenceNorm: NormKernels = {
  batchNormTrain(x, n, c, hw, gamma, beta, runningMean, runningVar, eps, momentum, y, mean, invStd) {
    const fn = 'batchNormTrain';
    checkCount(fn, arguments.length, 13);
    f32(fn, 'x', x);
    index(fn, 'n', n);
    index(fn, 'c', c);
    index(fn, 'hw', hw);
    f32(fn, 'gamma', gamma);
    f32(fn, 'beta', beta);
    f32(fn, 'runningMean', runningMean);
    f32(fn, 'runningVar', runningVar);
    finiteDouble(fn, 'eps', eps);
    finiteDouble(fn, 'momentum', momentum);
    f32(fn, 'y', y);
    f32(fn, 'mean', mean);
    f32(fn, 'invStd', invStd);
    const [size, m] = checkShape(fn, x, n, c, hw);
    for (const [name, array] of [['gamma', gamma], ['beta', beta], ['runningMean', runningMean], ['runningVar', runningVar]] as Named[]) {
      checkLength(fn, name, array, c, 'c');
    }
    checkLength(fn, 'y', y, size, 'n*c*hw');
    checkLength(fn, 'mean', mean, c, 'c');
    checkLength(fn, 'invStd', invStd, c, 'c');
    positive(fn, 'eps', eps);
    unitInterval(fn, 'momentum', momentum);
    if (m < 2) {
      throw new RangeError(`${fn}: Expected at least 2 values per channel but received n*hw = ${m}`);
    }
    checkOutputs(fn, [
      ['x', x], ['gamma', gamma], ['beta', beta], ['runningMean', runningMean], ['runningVar', runningVar],
      ['y', y], ['mean', mean], ['invStd', invStd],
    ], ['runningMean', 'runningVar', 'y', 'mean', 'invStd'], ['y', 'x']);
    const mean64 = new Float64Array(c);
    const variances = batchNormForward64(x, n, c, hw, gamma, beta, eps, y, mean64, invStd);
    for (let j = 0; j < c; j++) {
      mean[j] = mean64[j]!;
      runningMean[j] = (1 - momentum) * runningMean[j]! + momentum * mean64[j]!;
      runningVar[j] = (1 - momentum) * runningVar[j]! + momentum * ((variances[j]! * m) / (m - 1));
    }
  },

  batchNormEval(x, n, c, hw, gamma, beta, runningMean, runningVar, eps, y) {
    const fn = 'batchNormEval';
    checkCount(fn, arguments.length, 10);
    f32(fn, 'x', x);
    index(fn, 'n', n);
    index(fn, 'c', c);
    index(fn, 'hw', hw);
    f32(fn, 'gamma', gamma);
    f32(fn, 'beta', beta);
    f32(fn, 'runningMean', runningMean);
    f32(fn, 'runningVar', runningVar);
    finiteDouble(fn, 'eps', eps);
    f32(fn, 'y', y);
    const [size] = checkShape(fn, x, n, c, hw);
    for (const [name, array] of [['gamma', gamma], ['beta', beta], ['runningMean', runningMean], ['runningVar', runningVar]] as Named[]) {
      checkLength(fn, name, array, c, 'c');
    }
    checkLength(fn, 'y', y, size, 'n*c*hw');
    positive(fn, 'eps', eps);
    checkOutputs(fn, [
      ['x', x], ['gamma', gamma], ['beta', beta], ['runningMean', runningMean], ['runningVar', runningVar], ['y', y],
    ], ['y'], ['y', 'x']);
    for (let j = 0; j < c; j++) {
      const is = 1 / Math.sqrt(runningVar[j]! + eps);
      for (let i = 0; i < n; i++) {
        for (let s = 0; s < hw; s++) {
          const e = (i * c + j) * hw + s;
          y[e] = gamma[j]! * ((x[e]! - runningMean[j]!) * is) + beta[j]!;
        }
      }
    }
  },

  batchNormBackward(x, dy, n, c, hw, gamma, mean, invStd, dx, dgamma, dbeta) {
    const fn = 'batchNormBackward';
    checkCount(fn, arguments.length, 11);
    f32(fn, 'x', x);
    f32(fn, 'dy', dy);
    index(fn, 'n', n);
    index(fn, 'c', c);
    index(fn, 'hw', hw);
    f32(fn, 'gamma', gamma);
    f32(fn, 'mean', mean);
    f32(fn, 'invStd', invStd);
    f32(fn, 'dx', dx);
    f32(fn, 'dgamma', dgamma);
    f32(fn, 'dbeta', dbeta);
    const [size] = checkShape(fn, x, n, c, hw);
    checkLength(fn, 'dy', dy, size, 'n*c*hw');
    for (const [name, array] of [['gamma', gamma], ['mean', mean], ['invStd', invStd]] as Named[]) {
      checkLength(fn, name, array, c, 'c');
    }
    checkLength(fn, 'dx', dx, size, 'n*c*hw');
    checkLength(fn, 'dgamma', dgamma, c, 'c');
    checkLength(fn, 'dbeta', dbeta, c, 'c');
    checkOutputs(fn, [
      ['x', x], ['dy', dy], ['gamma', gamma], ['mean', mean], ['invStd', invStd],
      ['dx', dx], ['dgamma', dgamma], ['dbeta', dbeta],
    ], ['dx', 'dgamma', 'dbeta'], ['dx', 'dy']);
    batchNormBackward64(x, dy, n, c, hw, gamma, mean, invStd, dx, dgamma, dbeta);
  },
};
