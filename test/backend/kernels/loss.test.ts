// Softmax and the losses on every backend: known values (1/C, ln C, C − 1, ln 2), extreme and
// infinite logits, label smoothing and class weights against float64 formulas written here,
// gradients against float64 analytic formulas and against centered differences of the
// reference forward, the empty batch; then native against the reference on random inputs.
import { beforeAll, describe, expect, it } from 'vitest';
import { nativeBackend, referenceBackend, setSimdLevel } from '../../../lib/backend';
import type { Backend, KernelName } from '../../../lib/backend';
import { nativePaths } from '../native-paths';
import { backendsUnderTest, selectSimd } from '../backends';
import { expectBackendsAgree } from '../compare-backends';
import { expectClose } from '../expect-close';
import { makeRandom, randomArray } from '../random-inputs';

const f32 = (values: number[]) => Float32Array.from(values);
const NONE = new Float32Array(0);
/** Relative 1e-6 (the contract's bound for exp/log paths), with an absolute floor. */
const rel = (expected: ArrayLike<number>, floor = 0) =>
  Float64Array.from(expected, (v) => 1e-6 * (Math.abs(v) + floor) + Number.MIN_VALUE);

const SHAPES: [number, number][] = [[1, 1], [1, 2], [7, 10], [7, 1000], [128, 2], [128, 10]];

function randomLabels(rows: number, cols: number, seed: number): Int32Array {
  const random = makeRandom(seed);
  return Int32Array.from({ length: rows }, () => Math.floor(random() * cols));
}

/** Logits with a spread wider than [−1, 1]. */
function randomLogits(length: number, seed: number, scale = 4): Float32Array {
  return randomArray(length, makeRandom(seed)).map((v) => v * scale);
}

/** log-softmax of each row in float64. */
function logSoftmax64(x: Float32Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    let m = -Infinity;
    for (let j = 0; j < cols; j++) m = Math.max(m, x[i * cols + j]!);
    let s = 0;
    for (let j = 0; j < cols; j++) s += Math.exp(x[i * cols + j]! - m);
    for (let j = 0; j < cols; j++) out[i * cols + j] = x[i * cols + j]! - m - Math.log(s);
  }
  return out;
}

/** PyTorch's cross_entropy(weight, label_smoothing, reduction='mean') in float64, and its gradient. */
function crossEntropy64(
  x: Float32Array, labels: Int32Array, rows: number, cols: number, weights: Float32Array, eps: number,
): { loss: number; grad: Float64Array; massOverW: Float64Array } {
  const lp = logSoftmax64(x, rows, cols);
  const w = (c: number) => (weights.length ? weights[c]! : 1);
  let nll = 0;
  let smooth = 0;
  let denominator = 0;
  for (let i = 0; i < rows; i++) {
    nll -= w(labels[i]!) * lp[i * cols + labels[i]!]!;
    for (let c = 0; c < cols; c++) smooth -= w(c) * lp[i * cols + c]!;
    denominator += w(labels[i]!);
  }
  const loss = (1 - eps) * (nll / denominator) + (eps / cols) * (smooth / denominator);
  // d/dz_ic of −Σ_c a_ic log p_ic is p_ic·Σ_c a_ic − a_ic.
  const grad = new Float64Array(rows * cols);
  const massOverW = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const a = (c: number) => w(c) * (eps / cols + (c === labels[i] ? 1 - eps : 0));
    let mass = 0;
    for (let c = 0; c < cols; c++) mass += a(c);
    for (let c = 0; c < cols; c++) grad[i * cols + c] = (Math.exp(lp[i * cols + c]!) * mass - a(c)) / denominator;
    massOverW[i] = mass / denominator;
  }
  return { loss, grad, massOverW };
}

/**
 * Centered differences of a scalar function of x (the reference forward, in float32), with the
 * step actually taken after rounding: h = 2^−7 relative to the scale of x.
 */
function centeredDifferences(x: Float32Array, f: (x: Float32Array) => number, indices: number[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const k of indices) {
    const h = 2 ** -7 * Math.max(1, Math.abs(x[k]!));
    const plus = x.slice();
    const minus = x.slice();
    plus[k] = x[k]! + h;
    minus[k] = x[k]! - h;
    out.set(k, (f(plus) - f(minus)) / (plus[k]! - minus[k]!));
  }
  return out;
}

function sampleIndices(length: number, count: number, seed: number): number[] {
  const random = makeRandom(seed);
  return Array.from({ length: Math.min(count, length) }, () => Math.floor(random() * length));
}

describe.each(backendsUnderTest())('softmax and the losses on $label', (entry) => {
  beforeAll(() => selectSimd(entry));
  const backend = entry.backend;
  const reference = referenceBackend;

  describe('softmax and logSoftmax', () => {
    it.each([1, 2, 10, 1000])('give 1/C and −ln C for equal logits, C = %i', (c) => {
      const x = new Float32Array(3 * c).fill(0.75);
      const y = new Float32Array(3 * c);
      backend().softmax(x, 3, c, y);
      expectClose(y, new Float64Array(3 * c).fill(1 / c), 1e-6 / c, 'softmax');
      backend().logSoftmax(x, 3, c, y);
      expectClose(y, new Float64Array(3 * c).fill(-Math.log(c)), 1e-6 * (Math.log(c) + 1), 'logSoftmax');
    });

    it('survives logits of ±1e4 and −Inf without overflow, log(0) or inf − inf', () => {
      const x = f32([1e4, 0, -1e4, -Infinity, 3, -Infinity, 1e4, 1e4 - 1, -Infinity]);
      const y = new Float32Array(9);
      backend().softmax(x, 3, 3, y);
      expectClose(y, [1, 0, 0, 0, 1, 0, 1 / (1 + Math.exp(-1)), 1 / (1 + Math.E), 0], 1e-6, 'softmax');
      backend().logSoftmax(x, 3, 3, y);
      const lse = Math.log1p(Math.exp(-1));
      expectClose(y, [0, -1e4, -2e4, -Infinity, 0, -Infinity, -lse, -1 - lse, -Infinity], 1e-6 * (2e4 + 1), 'logSoftmax');
    });

    it('gives NaN in a row holding +Inf or NaN (or all −Inf), and leaves the other rows alone', () => {
      const x = f32([1, Infinity, 0, NaN, 2, 3, -Infinity, -Infinity, -Infinity, 0, 0, 0]);
      for (const kernel of ['softmax', 'logSoftmax'] as const) {
        const y = new Float32Array(12);
        backend()[kernel](x, 4, 3, y);
        expect(Array.from(y.subarray(0, 9)).every(Number.isNaN), kernel).toBe(true);
        expectClose(y.subarray(9), new Float64Array(3).fill(kernel === 'softmax' ? 1 / 3 : -Math.log(3)), 1e-6, kernel);
      }
    });

    it('works in place and on empty shapes', () => {
      const x = f32([0, Math.log(3)]);
      backend().softmax(x, 1, 2, x);
      expectClose(x, [0.25, 0.75], 1e-6, 'in place');
      backend().softmax(new Float32Array(0), 0, 5, new Float32Array(0));
      backend().logSoftmax(new Float32Array(0), 4, 0, new Float32Array(0));
    });

    it.each(SHAPES)('match float64 formulas on random %i×%i logits, forward and backward', (r, c) => {
      const x = randomLogits(r * c, r * 13 + c);
      const dy = randomArray(r * c, makeRandom(r + 5 * c));
      const lp = logSoftmax64(x, r, c);
      const p = lp.map(Math.exp);
      const y = new Float32Array(r * c);
      const ly = new Float32Array(r * c);
      backend().softmax(x, r, c, y);
      backend().logSoftmax(x, r, c, ly);
      expectClose(y, p, rel(p), 'softmax');
      expectClose(ly, lp, rel(lp, 1), 'logSoftmax');
      // dx = y ⊙ (dy − Σ dy·y) and dx = dy − softmax·Σ dy, in float64 from the float32 outputs.
      const dx = new Float32Array(r * c);
      const expected = new Float64Array(r * c);
      const bound = new Float64Array(r * c);
      backend().softmaxBackward(y, dy, r, c, dx);
      for (let i = 0; i < r; i++) {
        let dot = 0;
        let abs = 0;
        for (let j = 0; j < c; j++) dot += dy[i * c + j]! * y[i * c + j]!;
        for (let j = 0; j < c; j++) abs += Math.abs(dy[i * c + j]! * y[i * c + j]!);
        for (let j = 0; j < c; j++) {
          expected[i * c + j] = y[i * c + j]! * (dy[i * c + j]! - dot);
          bound[i * c + j] = 1e-6 * y[i * c + j]! * (Math.abs(dy[i * c + j]!) + abs) + Number.MIN_VALUE;
        }
      }
      expectClose(dx, expected, bound, 'softmaxBackward');
      backend().logSoftmaxBackward(ly, dy, r, c, dx);
      for (let i = 0; i < r; i++) {
        let sum = 0;
        let abs = 0;
        for (let j = 0; j < c; j++) sum += dy[i * c + j]!;
        for (let j = 0; j < c; j++) abs += Math.abs(dy[i * c + j]!);
        for (let j = 0; j < c; j++) {
          expected[i * c + j] = dy[i * c + j]! - Math.exp(ly[i * c + j]!) * sum;
          bound[i * c + j] = 1e-6 * (Math.abs(dy[i * c + j]!) + Math.exp(ly[i * c + j]!) * abs) + Number.MIN_VALUE;
        }
      }
      expectClose(dx, expected, bound, 'logSoftmaxBackward');
    });

    it('backward kernels agree with centered differences of the reference forward', () => {
      const [r, c] = [3, 5];
      const x = randomLogits(r * c, 99, 2);
      const dy = randomArray(r * c, makeRandom(98));
      for (const [forward, backward] of [['softmax', 'softmaxBackward'], ['logSoftmax', 'logSoftmaxBackward']] as const) {
        // L(x) = Σ dy·f(x): its gradient is backward(f(x), dy).
        const objective = (z: Float32Array) => {
          const out = new Float32Array(r * c);
          reference[forward](z, r, c, out);
          return out.reduce((s, v, k) => s + v * dy[k]!, 0);
        };
        const y = new Float32Array(r * c);
        backend()[forward](x, r, c, y);
        const dx = new Float32Array(r * c);
        backend()[backward](y, dy, r, c, dx);
        for (const [k, numeric] of centeredDifferences(x, objective, [...Array(r * c).keys()])) {
          expect(Math.abs(dx[k]! - numeric), `${backward} at ${k}`).toBeLessThan(2e-3 * (1 + Math.abs(numeric)));
        }
      }
    });
  });

  describe('softmaxCrossEntropy', () => {
    it('gives ln C for zero logits: 2.302585 for C = 10, with p = 1/C and dlogits = (p − onehot)/N', () => {
      const [r, c] = [4, 10];
      const labels = Int32Array.from([0, 3, 9, 3]);
      const probs = new Float32Array(r * c);
      const loss = new Float32Array(1);
      backend().softmaxCrossEntropy(new Float32Array(r * c), labels, r, c, NONE, 0, probs, loss);
      expect(loss[0]).toBeCloseTo(2.302585, 6);
      expectClose(loss, [Math.log(10)], 1e-6 * Math.log(10), 'loss');
      expectClose(probs, new Float64Array(r * c).fill(0.1), 1e-7, 'probs');
      const dlogits = new Float32Array(r * c);
      backend().softmaxCrossEntropyBackward(probs, labels, r, c, NONE, 0, 1, dlogits);
      const expected = Float64Array.from({ length: r * c }, (_, k) => (0.1 - (k % c === labels[Math.floor(k / c)] ? 1 : 0)) / r);
      expectClose(dlogits, expected, rel(expected), 'dlogits');
    });

    it('is exact for logits of ±1e4 and finite with −Inf away from the label', () => {
      const probs = new Float32Array(6);
      const loss = new Float32Array(1);
      const x = f32([1e4, -1e4, 0, -Infinity]);
      backend().softmaxCrossEntropy(x, Int32Array.from([0, 0]), 2, 2, NONE, 0, probs.subarray(0, 4), loss);
      expect(loss[0]).toBe(0);
      expect(Array.from(probs.subarray(0, 4))).toEqual([1, 0, 1, 0]);
      backend().softmaxCrossEntropy(x, Int32Array.from([1, 1]), 2, 2, NONE, 0, probs.subarray(0, 4), loss);
      expect(loss[0]).toBe(Infinity); // (2e4 + ∞)/2: the label's logit is −Inf
      backend().softmaxCrossEntropy(x.subarray(0, 2), Int32Array.from([1]), 1, 2, NONE, 0, probs.subarray(0, 2), loss);
      expect(loss[0]).toBe(2e4);
      expect(Array.from(probs.subarray(0, 2))).toEqual([1, 0]);
    });

    it('gives NaN for a row holding NaN or +Inf', () => {
      const loss = new Float32Array(1);
      backend().softmaxCrossEntropy(f32([0, NaN, 0, 0]), Int32Array.from([0, 1]), 2, 2, NONE, 0, new Float32Array(4), loss);
      expect(loss[0]).toBeNaN();
      backend().softmaxCrossEntropy(f32([Infinity, 0]), Int32Array.from([0]), 1, 2, NONE, 0, new Float32Array(2), loss);
      expect(loss[0]).toBeNaN();
    });

    it.each([
      [7, 10, 0, false], [7, 10, 0.1, false], [7, 10, 0, true], [7, 10, 0.2, true], [1, 1, 0.3, false],
      [128, 2, 0.05, true], [7, 1000, 0.1, true], [128, 10, 1, false],
    ])('matches PyTorch\'s formula in float64 on %i×%i, smoothing %f, class weights %s', (r, c, eps, weighted) => {
      const x = randomLogits(r * c, r * 3 + c);
      const labels = randomLabels(r, c, r + c);
      const weights = weighted ? randomArray(c, makeRandom(c)).map((v) => 0.25 + Math.abs(v)) : NONE;
      const { loss: loss64, grad, massOverW } = crossEntropy64(x, labels, r, c, weights, eps);
      const probs = new Float32Array(r * c);
      const loss = new Float32Array(1);
      backend().softmaxCrossEntropy(x, labels, r, c, weights, eps, probs, loss);
      expectClose(loss, [loss64], 1e-6 * Math.abs(loss64), 'loss');
      const p = logSoftmax64(x, r, c).map(Math.exp);
      expectClose(probs, p, rel(p), 'probs');
      const dlogits = new Float32Array(r * c);
      backend().softmaxCrossEntropyBackward(probs, labels, r, c, weights, eps, 0.5, dlogits);
      const expected = grad.map((g) => 0.5 * g);
      // The kernel reads float32 probs: their error (≤ 1e-6·p) enters times 0.5·A_i/W.
      const bound = Float64Array.from(expected, (g, k) =>
        1e-6 * (Math.abs(g) + 0.5 * p[k]! * Math.abs(massOverW[Math.floor(k / c)]!)) + Number.MIN_VALUE);
      expectClose(dlogits, expected, bound, 'dlogits');
    });

    it('backward agrees with centered differences of the reference forward, weighted and smoothed', () => {
      const [r, c] = [4, 6];
      const x = randomLogits(r * c, 5, 2);
      const labels = randomLabels(r, c, 6);
      const weights = f32([1, 0.5, 2, 1.5, 0.25, 1]);
      const objective = (z: Float32Array) => {
        const loss = new Float32Array(1);
        reference.softmaxCrossEntropy(z, labels, r, c, weights, 0.1, new Float32Array(r * c), loss);
        return loss[0]!;
      };
      const probs = new Float32Array(r * c);
      backend().softmaxCrossEntropy(x, labels, r, c, weights, 0.1, probs, new Float32Array(1));
      const dlogits = new Float32Array(r * c);
      backend().softmaxCrossEntropyBackward(probs, labels, r, c, weights, 0.1, 1, dlogits);
      for (const [k, numeric] of centeredDifferences(x, objective, [...Array(r * c).keys()])) {
        expect(Math.abs(dlogits[k]! - numeric), `dlogits at ${k}`).toBeLessThan(2e-3 * (0.1 + Math.abs(numeric)));
      }
    });

    it('refuses a label out of range, naming its row, and an empty batch', () => {
      const call = (labels: number[], rows = 2) =>
        backend().softmaxCrossEntropy(new Float32Array(rows * 3), Int32Array.from(labels), rows, 3, NONE, 0, new Float32Array(rows * 3), new Float32Array(1));
      expect(() => call([0, 3])).toThrow(new RangeError('softmaxCrossEntropy: Expected labels in [0, cols) = [0, 3) but labels[1] is 3'));
      expect(() => call([-1, 0])).toThrow(/labels\[0\] is -1/);
      expect(() => call([], 0)).toThrow(new RangeError('softmaxCrossEntropy: Expected rows > 0 for a mean but received 0'));
      expect(() =>
        backend().softmaxCrossEntropyBackward(new Float32Array(3), Int32Array.from([7]), 1, 3, NONE, 0, 1, new Float32Array(3)),
      ).toThrow(/labels\[0\] is 7/);
    });

    it('gives NaN when the labels\' weights sum to 0, as PyTorch', () => {
      const loss = new Float32Array(1);
      backend().softmaxCrossEntropy(f32([1, 2]), Int32Array.from([0]), 1, 2, f32([0, 1]), 0, new Float32Array(2), loss);
      expect(loss[0]).toBeNaN();
    });
  });

  describe('hingeLoss', () => {
    it.each([1, 2, 10, 1000])('gives C − 1 for all-zero scores, C = %i (not divided by C as PyTorch)', (c) => {
      const r = 7;
      const labels = randomLabels(r, c, c);
      const loss = new Float32Array(1);
      backend().hingeLoss(new Float32Array(r * c), labels, r, c, 1, loss);
      expect(loss[0]).toBe(c - 1);
      const d = new Float32Array(r * c);
      backend().hingeLossBackward(new Float32Array(r * c), labels, r, c, 1, 1, d);
      const expected = Float64Array.from({ length: r * c }, (_, k) => (k % c === labels[Math.floor(k / c)] ? -(c - 1) : 1) / r);
      expectClose(d, expected, rel(expected), 'dscores');
    });

    it('matches a hand computation, margin 0 counting as inactive', () => {
      // Row 0, label 1: margins 3 − 2 + 1 = 2, 1 − 2 + 1 = 0 → L = 2. Row 1, label 0: 0.5 + 1 − 4 < 0, 5 − 4 + 1 = 2 → L = 2.
      const scores = f32([3, 2, 1, 4, 0.5, 5]);
      const labels = Int32Array.from([1, 0]);
      const loss = new Float32Array(1);
      backend().hingeLoss(scores, labels, 2, 3, 1, loss);
      expect(loss[0]).toBe(2);
      const d = new Float32Array(6);
      backend().hingeLossBackward(scores, labels, 2, 3, 1, 2, d);
      expect(Array.from(d)).toEqual([1, -1, 0, -1, 0, 1]);
    });

    it('propagates NaN and refuses a bad label', () => {
      const loss = new Float32Array(1);
      backend().hingeLoss(f32([NaN, 0]), Int32Array.from([1]), 1, 2, 1, loss);
      expect(loss[0]).toBeNaN();
      expect(() => backend().hingeLoss(f32([0, 0]), Int32Array.from([2]), 1, 2, 1, loss)).toThrow(/labels\[0\] is 2/);
    });

    it.each(SHAPES)('matches the float64 formula and centered differences on random %i×%i scores', (r, c) => {
      const s = randomLogits(r * c, r * 5 + c, 1);
      const labels = randomLabels(r, c, r * c);
      let total = 0;
      const grad = new Float64Array(r * c);
      for (let i = 0; i < r; i++) {
        const y = labels[i]!;
        for (let j = 0; j < c; j++) {
          if (j === y) continue;
          const m = s[i * c + j]! - s[i * c + y]! + 0.5;
          total += Math.max(0, m);
          if (m > 0) {
            grad[i * c + j] += 1 / r;
            grad[i * c + y] -= 1 / r;
          }
        }
      }
      const loss = new Float32Array(1);
      backend().hingeLoss(s, labels, r, c, 0.5, loss);
      expectClose(loss, [total / r], 1e-6 * (total / r) + Number.MIN_VALUE, 'loss');
      const d = new Float32Array(r * c);
      backend().hingeLossBackward(s, labels, r, c, 0.5, 1, d);
      expectClose(d, grad, rel(grad), 'dscores');
      if (r * c <= 70) {
        const objective = (z: Float32Array) => {
          const out = new Float32Array(1);
          reference.hingeLoss(z, labels, r, c, 0.5, out);
          return out[0]!;
        };
        // Away from the kinks (|margin| > h), the difference quotient is the gradient.
        for (const [k, numeric] of centeredDifferences(s, objective, sampleIndices(r * c, 20, r))) {
          const i = Math.floor(k / c);
          const nearKink = [...Array(c).keys()].some((j) => j !== labels[i] && Math.abs(s[i * c + j]! - s[i * c + labels[i]!]! + 0.5) < 0.02);
          if (!nearKink) expect(Math.abs(d[k]! - numeric), `dscores at ${k}`).toBeLessThan(1e-4);
        }
      }
    });
  });

  describe('bceWithLogits', () => {
    it('gives ln 2 at x = 0 for any target, with gradient σ(0) − t', () => {
      const t = f32([0, 0.25, 0.5, 1]);
      const loss = new Float32Array(1);
      backend().bceWithLogits(new Float32Array(4), t, 2, 2, NONE, true, loss);
      expectClose(loss, [Math.LN2], 1e-6 * Math.LN2, 'mean');
      backend().bceWithLogits(new Float32Array(4), t, 2, 2, NONE, false, loss);
      expectClose(loss, [4 * Math.LN2], 4e-6 * Math.LN2, 'sum');
      const dx = new Float32Array(4);
      backend().bceWithLogitsBackward(new Float32Array(4), t, 2, 2, NONE, true, 1, dx);
      expect(Array.from(dx)).toEqual([0.125, 0.0625, 0, -0.125]);
    });

    it('stays finite and exact for logits of ±1e4, and infinite logits on the right side cost 0', () => {
      const loss = new Float32Array(1);
      backend().bceWithLogits(f32([1e4, -1e4, 1e4, -1e4]), f32([1, 0, 0, 1]), 1, 4, NONE, false, loss);
      expect(loss[0]).toBe(2e4);
      backend().bceWithLogits(f32([Infinity, -Infinity]), f32([1, 0]), 1, 2, NONE, false, loss);
      expect(loss[0]).toBe(0);
      const dx = new Float32Array(4);
      backend().bceWithLogitsBackward(f32([1e4, -1e4, 1e4, -1e4]), f32([1, 0, 0, 1]), 1, 4, NONE, false, 1, dx);
      expect(Array.from(dx)).toEqual([0, 0, 1, -1]);
    });

    it('propagates NaN and refuses targets outside [0, 1], naming the index', () => {
      const loss = new Float32Array(1);
      backend().bceWithLogits(f32([0, 1]), f32([NaN, 1]), 1, 2, NONE, true, loss);
      expect(loss[0]).toBeNaN();
      expect(() => backend().bceWithLogits(f32([0, 1]), f32([0, 1.5]), 1, 2, NONE, true, loss)).toThrow(
        new RangeError('bceWithLogits: Expected t in [0, 1] but t[1] is 1.5'),
      );
    });

    it.each([[1, 1, false], [7, 10, true], [128, 10, true], [7, 1000, false]])(
      'matches the float64 formula with soft targets on %i×%i, posWeight %s',
      (r, c, weighted) => {
        const x = randomLogits(r * c, r + c * 3, 6);
        const t = randomArray(r * c, makeRandom(r * c + 1)).map(Math.abs);
        const pw = weighted ? randomArray(c, makeRandom(c + 2)).map((v) => 0.5 + 2 * Math.abs(v)) : NONE;
        let sum = 0;
        const grad = new Float64Array(r * c);
        for (let k = 0; k < r * c; k++) {
          const w = weighted ? pw[k % c]! : 1;
          const sig = 1 / (1 + Math.exp(-x[k]!));
          // −[w·t·log σ(x) + (1 − t)·log(1 − σ(x))], in float64 (x is at most 6 here).
          sum -= w * t[k]! * Math.log(sig) + (1 - t[k]!) * Math.log(1 - sig);
          grad[k] = ((1 - t[k]!) * sig - w * t[k]! * (1 - sig)) / (r * c);
        }
        const loss = new Float32Array(1);
        backend().bceWithLogits(x, t, r, c, pw, true, loss);
        expectClose(loss, [sum / (r * c)], 1e-6 * sum / (r * c), 'loss');
        const dx = new Float32Array(r * c);
        backend().bceWithLogitsBackward(x, t, r, c, pw, true, 1, dx);
        expectClose(dx, grad, rel(grad, 1e-9), 'dx');
        const objective = (z: Float32Array) => {
          const out = new Float32Array(1);
          reference.bceWithLogits(z, t, r, c, pw, false, out);
          return out[0]!;
        };
        // The summed loss is rounded to float32 once per evaluation: that noise, over the step 2h.
        const noise = (2 * 2 ** -24 * sum) / (2 * 2 ** -7);
        for (const [k, numeric] of centeredDifferences(x, objective, sampleIndices(r * c, 10, r))) {
          expect(Math.abs(dx[k]! * r * c - numeric), `dx at ${k}`).toBeLessThan(2e-3 * (0.1 + Math.abs(numeric)) + noise);
        }
      },
    );
  });

  describe('mse and l1', () => {
    const prediction = f32([1, -2, 3, 0.5, 0]);
    const target = f32([0, -2, 1, 1, 0]);

    it('give the sum and mean of squared and absolute differences', () => {
      const loss = new Float32Array(1);
      backend().mse(prediction, target, false, loss);
      expect(loss[0]).toBe(5.25);
      backend().mse(prediction, target, true, loss);
      expect(loss[0]).toBe(Math.fround(1.05));
      backend().l1(prediction, target, false, loss);
      expect(loss[0]).toBe(3.5);
      backend().l1(prediction, target, true, loss);
      expect(loss[0]).toBe(Math.fround(0.7));
    });

    it('give 2(p − t) and sign(p − t) as gradients, with sign(0) = 0 as PyTorch', () => {
      const d = new Float32Array(5);
      backend().mseBackward(prediction, target, false, 1, d);
      expect(Array.from(d)).toEqual([2, 0, 4, -1, 0]);
      backend().mseBackward(prediction, target, true, 2, d);
      expectClose(d, [0.8, 0, 1.6, -0.4, 0], 1e-7, 'mse mean');
      backend().l1Backward(prediction, target, false, 1, d);
      expect(Array.from(d)).toEqual([1, 0, 1, -1, 0]);
      backend().l1Backward(prediction, target, true, 1, d);
      expectClose(d, [0.2, 0, 0.2, -0.2, 0], 1e-8, 'l1 mean');
    });

    it('propagate NaN, allow the sum of nothing, refuse the mean of nothing', () => {
      const loss = new Float32Array(1);
      const d = new Float32Array(2);
      backend().l1Backward(f32([NaN, 1]), f32([0, 1]), false, 1, d);
      expect(d[0]).toBeNaN();
      backend().mse(f32([NaN]), f32([0]), true, loss);
      expect(loss[0]).toBeNaN();
      backend().mse(NONE, NONE, false, loss);
      expect(loss[0]).toBe(0);
      expect(() => backend().l1(NONE, NONE, true, loss)).toThrow(
        new RangeError('l1: Expected prediction.length > 0 for a mean but received 0'),
      );
    });
  });
});

describe.each(nativePaths())('softmax and the losses: native (%s) against the reference', (simd) => {
  let native: Backend;
  const reference = referenceBackend;
  beforeAll(() => {
    setSimdLevel(simd);
    native = nativeBackend();
  });

  /** Runs the kernel on both with copies of args; compares each output with the contract's bound. */
  function compare(name: KernelName, args: unknown[]): void {
    expectBackendsAgree(native, reference, name, args);
  }

  it.each([[1, 1], [1, 2], [7, 10], [7, 1000], [128, 10], [128, 1000], [3, 9], [33, 17]])('agree on random %i×%i inputs', (r, c) => {
    const x = randomLogits(r * c, r * 101 + c);
    x[0] = -Infinity;
    if (x.length > 5) x[5] = 1e4;
    const dy = randomArray(r * c, makeRandom(r + c));
    const labels = randomLabels(r, c, r * c + 3);
    const weights = randomArray(c, makeRandom(c)).map((v) => 0.5 + Math.abs(v));
    const t = randomArray(r * c, makeRandom(r * 2 + c)).map(Math.abs);
    const y = new Float32Array(r * c);
    reference.softmax(x, r, c, y);
    const ly = new Float32Array(r * c);
    reference.logSoftmax(x, r, c, ly);
    const out = () => new Float32Array(r * c);
    compare('softmax', [x, r, c, out()]);
    compare('logSoftmax', [x, r, c, out()]);
    compare('softmaxBackward', [y, dy, r, c, out()]);
    compare('logSoftmaxBackward', [ly, dy, r, c, out()]);
    for (const [w, eps] of [[NONE, 0], [weights, 0.1]] as const) {
      compare('softmaxCrossEntropy', [x, labels, r, c, w, eps, out(), new Float32Array(1)]);
      compare('softmaxCrossEntropyBackward', [y, labels, r, c, w, eps, 0.75, out()]);
    }
    compare('hingeLoss', [dy, labels, r, c, 1, new Float32Array(1)]);
    compare('hingeLossBackward', [dy, labels, r, c, 1, 3, out()]);
    for (const [pw, mean] of [[NONE, true], [weights, false]] as const) {
      compare('bceWithLogits', [x.map((v) => (Number.isFinite(v) ? v : 0)), t, r, c, pw, mean, new Float32Array(1)]);
      compare('bceWithLogitsBackward', [x, t, r, c, pw, mean, 2, out()]);
    }
    for (const mean of [true, false]) {
      compare('mse', [dy, t, mean, new Float32Array(1)]);
      compare('mseBackward', [dy, t, mean, 0.5, out()]);
      compare('l1', [dy, t, mean, new Float32Array(1)]);
      compare('l1Backward', [dy, t, mean, 0.5, out()]);
    }
  });
});
