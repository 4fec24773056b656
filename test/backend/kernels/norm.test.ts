// Batch normalization on every backend: closed forms, the seed's sanity checks (BN-9 unit
// statistics, BN-2 identity), [n, c, hw] per-channel statistics, running statistics along a
// hand-computed trajectory, eval independent of the batch, special values, and the backward
// against float64 formulas; then the gradient in double against centered differences (and the
// m − 1 mistake of the notes failing that check), and native against the reference.
import { beforeAll, describe, expect, it } from 'vitest';
import { nativeBackend, referenceBackend, setSimdLevel } from '../../../lib/backend';
import type { Backend } from '../../../lib/backend';
import { expectBackendsAgree } from '../compare-backends';
import { batchNormBackward64, batchNormForward64 } from '../../../lib/backend/reference/norm';
import { nativePaths } from '../native-paths';
import { backendsUnderTest, selectSimd } from '../backends';
import { expectClose, expectSame } from '../expect-close';
import { makeRandom, randomArray } from '../random-inputs';

const f32 = (values: number[]) => Float32Array.from(values);
const U = 2 ** -24;
const EPS = 1e-5;

/** Float64 statistics of channel j of an [n, c, hw] array: the test's own oracle. */
function channel(x: ArrayLike<number>, n: number, c: number, hw: number, j: number): number[] {
  const values: number[] = [];
  for (let i = 0; i < n; i++) for (let s = 0; s < hw; s++) values.push(x[(i * c + j) * hw + s]!);
  return values;
}
function meanOf(v: number[]): number {
  return v.reduce((a, b) => a + b, 0) / v.length;
}
function biasedVar(v: number[]): number {
  const mu = meanOf(v);
  return v.reduce((a, b) => a + (b - mu) ** 2, 0) / v.length;
}

interface TrainResult {
  y: Float32Array;
  mean: Float32Array;
  invStd: Float32Array;
  runningMean: Float32Array;
  runningVar: Float32Array;
}

function train(
  backend: Backend, x: Float32Array, n: number, c: number, hw: number,
  gamma: Float32Array = new Float32Array(c).fill(1), beta: Float32Array = new Float32Array(c), momentum = 0.1, eps = EPS,
): TrainResult {
  const r: TrainResult = {
    y: new Float32Array(x.length), mean: new Float32Array(c), invStd: new Float32Array(c),
    runningMean: new Float32Array(c), runningVar: new Float32Array(c).fill(1),
  };
  backend.batchNormTrain(x, n, c, hw, gamma, beta, r.runningMean, r.runningVar, eps, momentum, r.y, r.mean, r.invStd);
  return r;
}

/**
 * A [n, c] batch whose features have different scales: N(0, 1)-like, wide, an offset of 1e4
 * with a spread of 1e-2 (float32 steps of 2^-10 there), and a tiny spread around 0.
 */
function mixedFeatures(n: number, seed: number): Float32Array {
  const random = makeRandom(seed);
  const offsets = [0, 3, 1e4, 0, -50];
  const scales = [1, 100, 1e-2, 1e-3, 0.5];
  const x = new Float32Array(n * offsets.length);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < offsets.length; j++) x[i * offsets.length + j] = offsets[j]! + scales[j]! * (random() * 2 - 1);
  }
  return x;
}

describe.each(backendsUnderTest())('norm on $label', (entry) => {
  beforeAll(() => selectSimd(entry));
  const backend = entry.backend;

  describe('batchNormTrain', () => {
    it('normalizes a [4, 2] batch: closed form, a constant feature gives beta', () => {
      const x = f32([1, 7, 2, 7, 3, 7, 4, 7]);
      const gamma = f32([2, 3]);
      const beta = f32([0.5, -1]);
      const r = train(backend(), x, 4, 2, 1, gamma, beta);
      const is0 = 1 / Math.sqrt(1.25 + EPS);
      const is1 = 1 / Math.sqrt(EPS);
      expectClose(r.mean, [2.5, 7], 0, 'mean');
      expectClose(r.invStd, [is0, is1], [2 * U * is0, 2 * U * is1], 'invStd');
      const expected = [1, 2, 3, 4].flatMap((v) => [2 * (v - 2.5) * is0 + 0.5, -1]);
      expectClose(r.y, expected, 8 * U * 4, 'y');
      // running: (1 − 0.1)·0 + 0.1·μ and 0.9·1 + 0.1·σ²·m/(m − 1) with σ² = 1.25, m = 4.
      expectClose(r.runningMean, [0.25, 0.7], [2 * U * 0.25, 2 * U * 0.7], 'runningMean');
      expectClose(r.runningVar, [0.9 + 0.1 * (5 / 3), 0.9], 2 * U * 1.1, 'runningVar');
    });

    it('gives every feature mean 0 and std sqrt(var/(var + eps)) with gamma = 1, beta = 0 (SEED BN-9)', () => {
      const n = 256;
      const c = 5;
      const x = mixedFeatures(n, 9);
      for (const [g, b] of [[1, 0], [2.5, -1]] as const) {
        const r = train(backend(), x, n, c, 1, new Float32Array(c).fill(g), new Float32Array(c).fill(b));
        for (let j = 0; j < c; j++) {
          const v = channel(x, n, c, 1, j);
          const variance = biasedVar(v);
          const y = channel(r.y, n, c, 1, j);
          const xhatMax = Math.max(...v.map((e) => Math.abs(e - meanOf(v)))) / Math.sqrt(variance + EPS);
          // Each y within the contract's bound: 8u(|γx̂| + |β|) plus the mean's double error.
          const bound = 8 * U * (g * xhatMax + Math.abs(b)) + (g * (n + 4) * 2 ** -52 * meanOf(v.map(Math.abs))) / Math.sqrt(variance + EPS);
          expect(Math.abs(meanOf(y) - b), `feature ${j} mean`).toBeLessThanOrEqual(bound);
          expect(Math.abs(Math.sqrt(biasedVar(y)) - g * Math.sqrt(variance / (variance + EPS))), `feature ${j} std`).toBeLessThanOrEqual(2 * bound);
        }
      }
    });

    it('reproduces the input with gamma = sqrt(var + eps) and beta = mean (SEED BN-2)', () => {
      const n = 64;
      const c = 5;
      const x = mixedFeatures(n, 2);
      const gamma = new Float32Array(c);
      const beta = new Float32Array(c);
      for (let j = 0; j < c; j++) {
        const v = channel(x, n, c, 1, j);
        gamma[j] = Math.sqrt(biasedVar(v) + EPS);
        beta[j] = meanOf(v);
      }
      const r = train(backend(), x, n, c, 1, gamma, beta);
      // γ and β rounded to float32 (u each) plus the kernel's 8u on |γx̂| + |β|.
      const tolerance = Array.from(x, (v, e) => 10 * U * (Math.abs(v - beta[e % c]!) + Math.abs(beta[e % c]!)));
      expectClose(r.y, x, tolerance, 'y = x');
    });

    it('computes per-channel statistics of [n, c, hw] over n and hw jointly, as [n·hw, c] does', () => {
      const [n, c, hw] = [3, 4, 5];
      const random = makeRandom(45);
      const x = randomArray(n * c * hw, random).map((v, e) => v * (1 + Math.floor(e / hw) % c) + Math.floor(e / hw) % c);
      const r = train(backend(), x, n, c, hw);
      const flat = new Float32Array(n * hw * c); // [n·hw, c]: the same values per channel
      for (let i = 0; i < n; i++) for (let j = 0; j < c; j++) for (let s = 0; s < hw; s++) flat[(i * hw + s) * c + j] = x[(i * c + j) * hw + s]!;
      const f = train(backend(), flat, n * hw, c, 1);
      for (let j = 0; j < c; j++) {
        const v = channel(x, n, c, hw, j);
        const mu = meanOf(v);
        expectClose([r.mean[j]!], [mu], 2 * U * meanOf(v.map(Math.abs)), `mean of channel ${j}`);
        expectClose([r.invStd[j]!], [1 / Math.sqrt(biasedVar(v) + EPS)], 2 * U * r.invStd[j]!, `invStd of channel ${j}`);
      }
      // Two roundings of double means summed in different orders (|x| ≤ 7 here).
      const meanBound = Array.from(f.mean, (v) => 2 * U * Math.abs(v) + (n * hw + 2) * 2 ** -52 * 7);
      expectClose(r.mean, f.mean, meanBound, 'mean as [n·hw, c]');
      const back = new Float32Array(x.length);
      for (let i = 0; i < n; i++) for (let j = 0; j < c; j++) for (let s = 0; s < hw; s++) back[(i * c + j) * hw + s] = f.y[(i * hw + s) * c + j]!;
      expectClose(r.y, back, 16 * U * Math.sqrt(n * hw - 1), 'y as [n·hw, c]'); // |x̂| ≤ √(m − 1)
      expectClose(r.runningVar, f.runningVar, 4 * U * 2, 'runningVar as [n·hw, c]');
    });

    it('follows a hand-computed running-statistics trajectory (unbiased variance, momentum 0.1)', () => {
      const runningMean = f32([0]);
      const runningVar = f32([1]);
      const gamma = f32([1]);
      const beta = f32([0]);
      // Batches [1, 2, 3] (μ 2, unbiased 1), [4, 6] (μ 5, unbiased 2), [0, 0, 0, 0] (μ 0, 0).
      const batches = [[1, 2, 3], [4, 6], [0, 0, 0, 0]];
      const expectedMean = [0.2, 0.68, 0.612];
      const expectedVar = [1, 1.1, 0.99];
      batches.forEach((batch, k) => {
        const x = f32(batch);
        const m = batch.length;
        backend().batchNormTrain(x, m, 1, 1, gamma, beta, runningMean, runningVar, EPS, 0.1, new Float32Array(m), new Float32Array(1), new Float32Array(1));
        // One rounding per step, (k + 1) steps: within (k + 2)·u relative of the exact values.
        expectClose(runningMean, [expectedMean[k]!], (k + 2) * U * expectedMean[k]!, `running mean after ${k + 1}`);
        expectClose(runningVar, [expectedVar[k]!], (k + 2) * U * expectedVar[k]!, `running var after ${k + 1}`);
      });
    });

    it('leaves running statistics unchanged with momentum 0 and replaces them with momentum 1', () => {
      const x = f32([1, 10, 2, 20, 6, 60]);
      const rm = f32([0.3, -4]);
      const rv = f32([2, 5]);
      const out = () => [new Float32Array(6), new Float32Array(2), new Float32Array(2)] as const;
      backend().batchNormTrain(x, 3, 2, 1, f32([1, 1]), f32([0, 0]), rm, rv, EPS, 0, ...out());
      expectSame(rm, [0.3, -4].map(Math.fround), 'momentum 0 mean');
      expectSame(rv, [2, 5], 'momentum 0 var');
      backend().batchNormTrain(x, 3, 2, 1, f32([1, 1]), f32([0, 0]), rm, rv, EPS, 1, ...out());
      expectClose(rm, [3, 30], [2 * U * 3, 2 * U * 30], 'momentum 1 mean: the batch mean');
      expectClose(rv, [7, 700], [2 * U * 7, 2 * U * 700], 'momentum 1 var: the unbiased batch variance');
    });

    it('refuses one value per channel (no unbiased variance), as PyTorch does', () => {
      expect(() => train(backend(), f32([1, 2, 3]), 1, 3, 1)).toThrow(
        new RangeError('batchNormTrain: Expected at least 2 values per channel but received n*hw = 1'),
      );
      expect(() => train(backend(), f32([1, 2]), 1, 1, 2)).not.toThrow(); // n = 1 with hw = 2 is m = 2
    });

    it('poisons only the channel that holds NaN or Inf; normalizes ±1e38 and denormals', () => {
      // Channels: [NaN, 1, 2], [Inf, 2, 3], [1e38, −1e38, 1e38], [1e-40, 2e-40, 3e-40].
      const x = f32([NaN, Infinity, 1e38, 1e-40, 1, 2, -1e38, 2e-40, 2, 3, 1e38, 3e-40]);
      const r = train(backend(), x, 3, 4, 1);
      for (const j of [0, 1]) {
        expect(Number.isNaN(r.invStd[j]!), `invStd of channel ${j}`).toBe(true);
        expect([0, 4, 8].every((e) => Number.isNaN(r.y[e + j]!)), `y of channel ${j}`).toBe(true);
        expect(Number.isNaN(r.runningVar[j]!), `runningVar of channel ${j}`).toBe(true);
      }
      expect(Number.isNaN(r.mean[0]!)).toBe(true);
      expect(r.mean[1]).toBe(Infinity);
      // [a, −a, a]: deviations 2a/3, −4a/3, 2a/3 over σ = a·√(8/9): 1/√2, −√2, 1/√2 (eps negligible).
      expectClose([r.y[2]!, r.y[6]!, r.y[10]!], [Math.SQRT1_2, -Math.SQRT2, Math.SQRT1_2], 8 * U * 1.5, 'channel of ±1e38');
      const tiny = channel(x, 3, 4, 1, 3);
      const mu = meanOf(tiny);
      const is = 1 / Math.sqrt(biasedVar(tiny) + EPS);
      expectClose([r.y[3]!, r.y[7]!, r.y[11]!], tiny.map((v) => (v - mu) * is), 8 * U * 1e-37, 'channel of denormals');
    });

    it('writes y over x in place with the same result', () => {
      const x = mixedFeatures(33, 5);
      const r = train(backend(), x, 33, 5, 1);
      const inPlace = x.slice();
      backend().batchNormTrain(inPlace, 33, 5, 1, new Float32Array(5).fill(1), new Float32Array(5), new Float32Array(5), new Float32Array(5).fill(1), EPS, 0.1, inPlace, new Float32Array(5), new Float32Array(5));
      expectSame(inPlace, r.y, 'in place');
    });

    it('accepts no channels', () => {
      const r = train(backend(), new Float32Array(0), 4, 0, 3);
      expect(r.y.length + r.mean.length).toBe(0);
    });
  });

  describe('batchNormEval', () => {
    it('normalizes with the running statistics: closed form against float64', () => {
      const [n, c, hw] = [3, 2, 4];
      const x = randomArray(n * c * hw, makeRandom(11)).map((v) => 5 * v);
      const gamma = f32([1.5, -0.5]);
      const beta = f32([0.25, 3]);
      const rm = f32([0.5, -2]);
      const rv = f32([4, 0.01]);
      const y = new Float32Array(x.length);
      backend().batchNormEval(x, n, c, hw, gamma, beta, rm, rv, EPS, y);
      const expected = Array.from(x, (v, e) => {
        const j = Math.floor(e / hw) % c;
        return (gamma[j]! * (v - rm[j]!)) / Math.sqrt(rv[j]! + EPS) + beta[j]!;
      });
      const tolerance = Array.from(x, (v, e) => {
        const j = Math.floor(e / hw) % c;
        return 8 * U * (Math.abs((gamma[j]! * (v - rm[j]!)) / Math.sqrt(rv[j]! + EPS)) + Math.abs(beta[j]!));
      });
      expectClose(y, expected, tolerance, 'eval');
    });

    it('gives each sample the same bits whatever else is in the batch', () => {
      const [n, c] = [6, 5];
      const x = mixedFeatures(n, 21);
      const other = mixedFeatures(n, 22);
      const gamma = f32([1, 2, 0.5, 1, -1]);
      const beta = f32([0, 1, 2, 3, 4]);
      const rm = f32([0, 3, 1e4, 0, -50]);
      const rv = f32([1, 3000, 1e-4, 1e-6, 0.1]);
      const whole = new Float32Array(x.length);
      backend().batchNormEval(x, n, c, 1, gamma, beta, rm, rv, EPS, whole);
      for (let i = 0; i < n; i++) {
        const alone = new Float32Array(c);
        backend().batchNormEval(x.slice(i * c, (i + 1) * c), 1, c, 1, gamma, beta, rm, rv, EPS, alone);
        expectSame(alone, whole.subarray(i * c, (i + 1) * c), `sample ${i} alone`);
        const mixed = other.slice();
        mixed.set(x.subarray(i * c, (i + 1) * c), ((i + 1) % n) * c);
        const y = new Float32Array(x.length);
        backend().batchNormEval(mixed, n, c, 1, gamma, beta, rm, rv, EPS, y);
        expectSame(y.subarray(((i + 1) % n) * c, ((i + 1) % n + 1) * c), alone, `sample ${i} among others`);
      }
    });

    it('accepts an empty batch and writes y over x in place', () => {
      backend().batchNormEval(new Float32Array(0), 0, 3, 2, f32([1, 1, 1]), f32([0, 0, 0]), f32([0, 0, 0]), f32([1, 1, 1]), EPS, new Float32Array(0));
      const x = f32([1, 2, 3, 4]);
      backend().batchNormEval(x, 2, 2, 1, f32([2, 2]), f32([1, 1]), f32([1, 2]), f32([1, 1]), 1e-30, x);
      expectSame(x, [1, 1, 5, 5], 'in place');
    });
  });

  describe('batchNormBackward', () => {
    /** The float64 gradient from the exact batch statistics, and its error bound. */
    function oracle(x: Float32Array, dy: Float32Array, n: number, c: number, hw: number, gamma: Float32Array) {
      const m = n * hw;
      const dx = new Float64Array(x.length);
      const dxBound = new Float64Array(x.length);
      const dgamma = new Float64Array(c);
      const dbeta = new Float64Array(c);
      const gammaBound = new Float64Array(c);
      const betaBound = new Float64Array(c);
      const rel = (n: number) => n * U + (m + 4) * 2 ** -52;
      for (let j = 0; j < c; j++) {
        const v = channel(x, n, c, hw, j);
        const g = channel(dy, n, c, hw, j);
        const mu = meanOf(v);
        const is = 1 / Math.sqrt(biasedVar(v) + EPS);
        const xhat = v.map((e) => (e - mu) * is);
        const sumDy = g.reduce((a, b) => a + b, 0);
        const sumDyXhat = g.reduce((a, b, k) => a + b * xhat[k]!, 0);
        const absDy = g.reduce((a, b) => a + Math.abs(b), 0);
        const absDyXhat = g.reduce((a, b, k) => a + Math.abs(b * xhat[k]!), 0);
        dgamma[j] = sumDyXhat;
        dbeta[j] = sumDy;
        // The saved invStd is rounded (u): once in dγ, up to three times in dx.
        gammaBound[j] = rel(10) * absDyXhat;
        betaBound[j] = rel(8) * absDy;
        let k = 0;
        for (let i = 0; i < n; i++) {
          for (let s = 0; s < hw; s++, k++) {
            const e = (i * c + j) * hw + s;
            dx[e] = ((gamma[j]! * is) / m) * (m * g[k]! - sumDy - xhat[k]! * sumDyXhat);
            dxBound[e] = rel(12) * Math.abs(gamma[j]! * is) * (Math.abs(g[k]!) + absDy / m + (Math.abs(xhat[k]!) * absDyXhat) / m);
          }
        }
      }
      return { dx, dxBound, dgamma, dbeta, gammaBound, betaBound };
    }

    it.each([[8, 3, 1], [64, 5, 1], [4, 3, 7], [2, 2, 33]])('matches the float64 formulas on [%i, %i, %i], offset features included', (n, c, hw) => {
      const random = makeRandom(n * 100 + c * 10 + hw);
      const x = c === 5 && hw === 1 ? mixedFeatures(n, 7) : randomArray(n * c * hw, random).map((v, e) => v + 1e3 * (Math.floor(e / hw) % c));
      const dy = randomArray(n * c * hw, random);
      const gamma = randomArray(c, random).map((v) => v + 1.5);
      const saved = train(backend(), x, n, c, hw, gamma);
      const dx = new Float32Array(x.length);
      const dgamma = new Float32Array(c);
      const dbeta = new Float32Array(c);
      backend().batchNormBackward(x, dy, n, c, hw, gamma, saved.mean, saved.invStd, dx, dgamma, dbeta);
      const want = oracle(x, dy, n, c, hw, gamma);
      expectClose(dx, want.dx, want.dxBound, 'dx');
      expectClose(dgamma, want.dgamma, want.gammaBound, 'dgamma');
      expectClose(dbeta, want.dbeta, want.betaBound, 'dbeta');
      const inPlace = dy.slice();
      backend().batchNormBackward(x, inPlace, n, c, hw, gamma, saved.mean, saved.invStd, inPlace, dgamma, dbeta);
      expectSame(inPlace, dx, 'dx written over dy');
    });

    it('propagates NaN in dy to its channel only, and gives zero sums over an empty batch', () => {
      const x = f32([1, 2, 3, 5, 4, 9]);
      const saved = train(backend(), x, 3, 2, 1);
      const dy = f32([NaN, 1, 0, 2, 0, 3]);
      const dx = new Float32Array(6);
      const dgamma = new Float32Array(2);
      const dbeta = new Float32Array(2);
      backend().batchNormBackward(x, dy, 3, 2, 1, f32([1, 1]), saved.mean, saved.invStd, dx, dgamma, dbeta);
      expect([0, 2, 4].every((e) => Number.isNaN(dx[e]!))).toBe(true);
      expect([1, 3, 5].every((e) => Number.isFinite(dx[e]!))).toBe(true);
      expect(Number.isNaN(dgamma[0]!) && Number.isNaN(dbeta[0]!)).toBe(true);
      expect(dbeta[1]).toBe(6);
      const sums = f32([7, 7]);
      const sums2 = f32([7, 7]);
      backend().batchNormBackward(new Float32Array(0), new Float32Array(0), 0, 2, 3, f32([1, 1]), f32([0, 0]), f32([1, 1]), new Float32Array(0), sums, sums2);
      expect(Array.from(sums).concat(Array.from(sums2))).toEqual([0, 0, 0, 0]);
    });
  });
});

describe('batch-norm gradient in double (SEED BN-3)', () => {
  const [m, d] = [8, 3];
  const random = makeRandom(83);
  const x = Float64Array.from({ length: m * d }, () => random() * 4 - 2);
  const gamma = Float64Array.from({ length: d }, () => 0.5 + random());
  const beta = Float64Array.from({ length: d }, () => random() - 0.5);
  const w = Float64Array.from({ length: m * d }, () => random() * 2 - 1); // L = Σ w·y, so dy = w

  function loss(xs: Float64Array, g: Float64Array, b: Float64Array): number {
    const y = new Float64Array(m * d);
    batchNormForward64(xs, m, d, 1, g, b, EPS, y, new Float64Array(d), new Float64Array(d));
    return y.reduce((acc, v, i) => acc + v * w[i]!, 0);
  }

  /** Centered differences of the reference forward in double, h = 1e-5. */
  function numeric(which: 'x' | 'gamma' | 'beta'): Float64Array {
    const h = 1e-5;
    const target = which === 'x' ? x : which === 'gamma' ? gamma : beta;
    return target.map((v, i) => {
      const plus = target.slice();
      const minus = target.slice();
      plus[i] = v + h;
      minus[i] = v - h;
      const at = (t: Float64Array) => loss(which === 'x' ? t : x, which === 'gamma' ? t : gamma, which === 'beta' ? t : beta);
      return (at(plus) - at(minus)) / (2 * h);
    });
  }

  /** The largest difference over the largest numeric value. */
  function relativeError(analytic: ArrayLike<number>, reference: ArrayLike<number>): number {
    let diff = 0;
    let scale = 0;
    for (let i = 0; i < reference.length; i++) {
      diff = Math.max(diff, Math.abs(analytic[i]! - reference[i]!));
      scale = Math.max(scale, Math.abs(reference[i]!));
    }
    return diff / scale;
  }

  /** The staged backward of the notes (001), with `denominator` where 001 writes m − 1. */
  function staged(denominator: number): Float64Array {
    const dx = new Float64Array(m * d);
    for (let j = 0; j < d; j++) {
      const v = Array.from({ length: m }, (_, i) => x[i * d + j]!);
      const mu = meanOf(v);
      const variance = biasedVar(v);
      const is = 1 / Math.sqrt(variance + EPS);
      const dxhat = v.map((_, i) => w[i * d + j]! * gamma[j]!);
      const dvar = v.reduce((a, e, i) => a + dxhat[i]! * (e - mu) * -0.5 * (variance + EPS) ** -1.5, 0);
      const dmu = v.reduce((a, _, i) => a - dxhat[i]! * is, 0) + (dvar * v.reduce((a, e) => a - 2 * (e - mu), 0)) / denominator;
      v.forEach((e, i) => {
        dx[i * d + j] = dxhat[i]! * is + (dvar * 2 * (e - mu)) / denominator + dmu / m;
      });
    }
    return dx;
  }

  const numericDx = numeric('x');

  it('matches centered differences to about 1e-10 with m', () => {
    const mean = new Float64Array(d);
    const invStd = new Float64Array(d);
    batchNormForward64(x, m, d, 1, gamma, beta, EPS, new Float64Array(m * d), mean, invStd);
    const dx = new Float64Array(m * d);
    const dgamma = new Float64Array(d);
    const dbeta = new Float64Array(d);
    batchNormBackward64(x, w, m, d, 1, gamma, mean, invStd, dx, dgamma, dbeta);
    expect(relativeError(dx, numericDx)).toBeLessThan(1e-8);
    expect(relativeError(dgamma, numeric('gamma'))).toBeLessThan(1e-8);
    expect(relativeError(dbeta, numeric('beta'))).toBeLessThan(1e-8);
    expect(relativeError(staged(m), numericDx)).toBeLessThan(1e-8);
  });

  it('fails the same check with the notes\' m − 1', () => {
    expect(relativeError(staged(m - 1), numericDx)).toBeGreaterThan(1e-3);
  });
});

describe.each(nativePaths())('norm: native (%s) against the reference', (simd) => {
  let native: Backend;
  const reference = referenceBackend;
  beforeAll(() => {
    setSimdLevel(simd);
    native = nativeBackend();
  });

  const SHAPES: [number, number, number][] = [
    [2, 1, 1], [3, 7, 1], [8, 9, 1], [17, 16, 1], [100, 33, 1], [257, 4, 1], [1, 3, 2], [2, 3, 5],
    [4, 5, 17], [3, 2, 100], [2, 3, 1023], [1, 1, 100_003], [64, 8, 65],
  ];

  function compare(kernel: 'batchNormTrain' | 'batchNormEval' | 'batchNormBackward', args: unknown[], what: string): void {
    expectBackendsAgree(native, reference, kernel, args, what);
  }

  it.each(SHAPES)('batchNormTrain, batchNormEval and batchNormBackward agree on [%i, %i, %i]', (n, c, hw) => {
    const random = makeRandom(n * 7 + c * 131 + hw);
    const size = n * c * hw;
    const x = randomArray(size, random).map((v, e) => (Math.floor(e / hw) % c) % 3 === 2 ? 1e4 + 1e-2 * v : v * (1 + (Math.floor(e / hw) % c)));
    const dy = randomArray(size, random);
    const gamma = randomArray(c, random);
    const beta = randomArray(c, random);
    const rm = randomArray(c, random);
    const rv = randomArray(c, random).map((v) => v + 1.5);
    const shape = `[${n}, ${c}, ${hw}]`;
    compare('batchNormTrain', [x, n, c, hw, gamma, beta, rm, rv, EPS, 0.1, new Float32Array(size), new Float32Array(c), new Float32Array(c)], shape);
    compare('batchNormEval', [x, n, c, hw, gamma, beta, rm, rv, EPS, new Float32Array(size)], shape);
    const saved = train(reference, x, n, c, hw, gamma, beta);
    compare('batchNormBackward', [x, dy, n, c, hw, gamma, saved.mean, saved.invStd, new Float32Array(size), new Float32Array(c), new Float32Array(c)], shape);
  });
});
