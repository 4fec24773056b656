/**
 * Batch normalization of x stored [n, c, hw] (row-major: element (i, j, s) at (i·c + j)·hw + s):
 * one mean and variance per channel j over the m = n·hw values of the n samples and hw
 * positions, as BatchNorm1d (hw = 1: x is [n, c], one statistic per feature) and BatchNorm2d
 * (hw = height·width) do. Statistics are computed in double by two passes, so features offset
 * far from 0 with a tiny spread keep their precision.
 *
 * Outputs must not share memory with any other argument, except that y may be x itself (in
 * place) and dx may be dy itself. NaN or ±Inf in a channel's x makes that channel's statistics
 * and outputs NaN; other channels are unaffected.
 */
import type { Tolerance } from '../compare';
import { double, index, inout, input, kernel, output, type Rerun } from '../declare';
import * as reference from '../reference/norm';

type TrainArgs = Parameters<typeof reference.batchNormTrain>;
type EvalArgs = Parameters<typeof reference.batchNormEval>;
type BackwardArgs = Parameters<typeof reference.batchNormBackward>;

// Error bounds. A native kernel may sum in double in another order than the reference
// ((m + 4)·2^−52 relative: negligible, but counted) and rounds each statistic once to float32
// (one ulp each side). For the elementwise outputs the bound is 8 units of 2^−24 of
// |γ·x̂| + |β| (and of dx's terms), room for a float32 path that normalizes as
// (x − μ_hi − μ_lo)·fl(γ·invStd) + β with μ split in two floats (a few roundings, and 2^−48·|μ|
// from the split); the current native kernels compute these in double, like the reference.
const U = 2 ** -24;
const TINY = Number.MIN_VALUE;

interface Moments {
  m: number;
  mean: Float64Array;
  variance: Float64Array;
  /** Σ|x|/m per channel: what the mean's summation error is proportional to. */
  meanAbs: Float64Array;
}

function moments(x: ArrayLike<number>, n: number, c: number, hw: number): Moments {
  const m = n * hw;
  const mean = new Float64Array(c);
  const variance = new Float64Array(c);
  const meanAbs = new Float64Array(c);
  for (let j = 0; j < c; j++) {
    let sum = 0;
    let abs = 0;
    for (let i = 0; i < n; i++) {
      for (let s = 0; s < hw; s++) {
        const v = x[(i * c + j) * hw + s]!;
        sum += v;
        abs += Math.abs(v);
      }
    }
    mean[j] = sum / m;
    meanAbs[j] = abs / m;
    let sq = 0;
    for (let i = 0; i < n; i++) for (let s = 0; s < hw; s++) sq += (x[(i * c + j) * hw + s]! - mean[j]!) ** 2;
    variance[j] = sq / m;
  }
  return { m, mean, variance, meanAbs };
}

/** |γ·x̂| + |β| per element, plus what an error in μ (order, rounding to float32) adds. */
function normalizeBound(
  x: ArrayLike<number>, n: number, c: number, hw: number, gamma: ArrayLike<number>, beta: ArrayLike<number>,
  centre: ArrayLike<number>, invStd: ArrayLike<number>, centreError: ArrayLike<number>, sumTerms: number,
): Float64Array {
  const out = new Float64Array(x.length);
  const rel = 8 * U + (sumTerms + 4) * 2 ** -52;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < c; j++) {
      const g = Math.abs(gamma[j]!) * invStd[j]!;
      for (let s = 0; s < hw; s++) {
        const e = (i * c + j) * hw + s;
        out[e] = rel * (g * Math.abs(x[e]! - centre[j]!) + Math.abs(beta[j]!)) + g * centreError[j]! + TINY;
      }
    }
  }
  return out;
}

function trainTolerance(before: TrainArgs, output: string): Tolerance {
  {
    const [x, n, c, hw, gamma, beta, runningMean, runningVar, eps, momentum] = before;
    const { m, mean, variance, meanAbs } = moments(x, n, c, hw);
    const meanRel = (m + 2) * 2 ** -52;
    const varRel = 2 * U + (m + 4) * 2 ** -52;
    const invStd = variance.map((v) => 1 / Math.sqrt(v + eps));
    switch (output) {
      case 'mean':
        return meanAbs.map((a) => (2 * U + meanRel) * a + TINY);
      case 'invStd':
        return invStd.map((s) => varRel * s + TINY);
      case 'runningMean':
        return meanAbs.map((a, j) => (2 * U + meanRel) * (Math.abs((1 - momentum) * runningMean[j]!) + momentum * a) + TINY);
      case 'runningVar':
        return variance.map((v, j) => varRel * (Math.abs((1 - momentum) * runningVar[j]!) + (momentum * v * m) / (m - 1)) + TINY);
      default: {
        // y. The float32 split μ_hi + μ_lo is within 2^−48·|μ| of μ; the order within m·2^−52·Σ|x|/m.
        const centreError = mean.map((mu, j) => 2 ** -46 * Math.abs(mu) + meanRel * meanAbs[j]!);
        return normalizeBound(x, n, c, hw, gamma, beta, mean, invStd, centreError, m);
      }
    }
  }
}

function evalTolerance(before: EvalArgs): Tolerance {
  const [x, n, c, hw, gamma, beta, runningMean, runningVar, eps] = before;
  const invStd = Array.from(runningVar, (v) => 1 / Math.sqrt(v + eps));
  return normalizeBound(x, n, c, hw, gamma, beta, runningMean, invStd, new Float64Array(c), 0);
}

/**
 * The sums Σ|dy|, Σ|dy·x̂| and, per element, |γ·invStd|·(|dy| + |Σdy|/m + |x̂|·|Σdy·x̂|/m):
 * the native path forms x̂ in float32 (a few roundings) and sums in double in its own order.
 */
function backwardTolerance(before: BackwardArgs, output: string, rerun: Rerun): Tolerance {
  {
    const [x, dy, n, c, hw, gamma, mean, invStd] = before;
    const m = n * hw;
    const dx = new Float32Array(x.length);
    const dgamma = new Float32Array(c);
    const dbeta = new Float32Array(c);
    rerun(x, dy, n, c, hw, gamma, mean, invStd, dx, dgamma, dbeta);
    const rel = 8 * U + (m + 4) * 2 ** -52;
    const absDy = new Float64Array(c);
    const absDyXhat = new Float64Array(c);
    const centre = moments(x, n, c, hw).mean;
    const xhat = (e: number, j: number) => Math.abs((x[e]! - centre[j]!) * invStd[j]!);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < c; j++) {
        for (let s = 0; s < hw; s++) {
          const e = (i * c + j) * hw + s;
          absDy[j] += Math.abs(dy[e]!);
          absDyXhat[j] += Math.abs(dy[e]!) * xhat(e, j);
        }
      }
    }
    if (output === 'dbeta') return absDy.map((a) => rel * a + TINY);
    if (output === 'dgamma') return absDyXhat.map((a) => rel * a + TINY);
    const out = new Float64Array(x.length);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < c; j++) {
        const g = Math.abs(gamma[j]!) * invStd[j]!;
        for (let s = 0; s < hw; s++) {
          const e = (i * c + j) * hw + s;
          out[e] = rel * g * (Math.abs(dy[e]!) + absDy[j]! / m + (xhat(e, j) * absDyXhat[j]!) / m) + TINY;
        }
      }
    }
    return out;
  }
}

const data = () => input('x', 'n*c*hw');
const perChannel = (name: string) => input(name, 'c');
const eps = () => double('eps', { min: 0, minOpen: true, expected: 'a positive number', example: 1e-5 });

export const NORM = {
  /**
   * Training forward. Per channel: mean μ = Σx/m, BIASED variance σ² = Σ(x − μ)²/m,
   * invStd = 1/√(σ² + eps); y = γ·(x − μ)·invStd + β. Writes mean and invStd (for
   * batchNormBackward) and updates the running statistics in place, fused because the
   * unbiased variance needs σ² before eps and rounding (recovering it from invStd loses it
   * when σ² ≪ eps):
   *   runningMean ← (1 − momentum)·runningMean + momentum·μ
   *   runningVar  ← (1 − momentum)·runningVar  + momentum·σ²·m/(m − 1)   (unbiased, as PyTorch)
   * each in double, rounded once. m = n·hw must be at least 2: with one value per channel the
   * unbiased variance is 0/0 (PyTorch's kernel writes NaN, its module refuses the call; we
   * refuse it with a RangeError). eps > 0; momentum ∈ [0, 1] (0 leaves finite running
   * statistics unchanged). gamma, beta, runningMean, runningVar, mean, invStd have length c.
   */
  batchNormTrain: kernel({
    args: [
      data(), index('n'), index('c'), index('hw'), perChannel('gamma'), perChannel('beta'),
      inout('runningMean', 'c'), inout('runningVar', 'c'), eps(), double('momentum', { min: 0, max: 1, example: 0.1 }),
      output('y', 'n*c*hw', { inPlace: ['x'] }), output('mean', 'c'), output('invStd', 'c'),
    ],
    requires: [{ that: 'n*hw >= 2', message: 'Expected at least 2 values per channel but received n*hw = {n*hw}' }],
    reference: reference.batchNormTrain,
    tolerance: trainTolerance,
  }),
  /**
   * Evaluation forward with the running statistics: y = γ·(x − runningMean)/√(runningVar + eps)
   * + β, each element independent of the rest of the batch (deterministic; any n, even 0).
   */
  batchNormEval: kernel({
    args: [
      data(), index('n'), index('c'), index('hw'), perChannel('gamma'), perChannel('beta'),
      perChannel('runningMean'), perChannel('runningVar'), eps(), output('y', 'n*c*hw', { inPlace: ['x'] }),
    ],
    reference: reference.batchNormEval,
    tolerance: evalTolerance,
  }),
  /**
   * Backward of batchNormTrain from the mean and invStd it saved, with m = n·hw (not m − 1:
   * the forward variance is the biased one). Per channel, with x̂ = (x − μ)·invStd:
   *   dβ = Σ dy,  dγ = Σ dy·x̂,  dx = γ·invStd/m · (m·dy − Σdy − x̂·Σ(dy·x̂)).
   * One pass for the sums, one for dx. x̂ is recentred on its batch mean (Σx̂ = 0 in exact
   * arithmetic), so the rounding of the saved mean to float32, large next to a tiny spread on
   * an offset feature, does not reach the gradient. dgamma and dbeta are written, not
   * accumulated; with m = 0 they are 0.
   */
  batchNormBackward: kernel({
    args: [
      data(), input('dy', 'n*c*hw'), index('n'), index('c'), index('hw'), perChannel('gamma'), perChannel('mean'),
      perChannel('invStd'), output('dx', 'n*c*hw', { inPlace: ['dy'] }), output('dgamma', 'c'), output('dbeta', 'c'),
    ],
    reference: reference.batchNormBackward,
    tolerance: backwardTolerance,
  }),
};
