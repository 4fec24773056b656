// The transcendental elementwise kernels and the activations with a backward, on every backend:
// closed forms, special values and thresholds, random arrays against float64 oracles computed
// here, in-place calls, backward kernels against the analytic derivative in double and against
// centered finite differences of the reference forward.
import { beforeAll, describe, expect, it } from 'vitest';
import { nativeBackend, referenceBackend, setSimdLevel } from '../../../lib/backend';
import type { Backend } from '../../../lib/backend';
import { TRANSCENDENTAL_RELATIVE_ERROR as T } from '../../../lib/backend/kernels/elementwise';
import { backendsUnderTest, selectSimd } from '../backends';
import { expectClose, expectSame } from '../expect-close';
import { nativePaths } from '../native-paths';
import { makeRandom } from '../random-inputs';
import { FLT_MIN, MATH, relativeTolerance, ROUNDING, sigmoid64, softplus64 } from './elementwise-oracles';

const f32 = (values: number[]) => Float32Array.from(values);
const SIZES = [0, 1, 7, 8, 9, 15, 16, 17, 1023, 100_003];
type Name = keyof typeof MATH;
const NAMES = Object.keys(MATH) as Name[];

/** Each forward with fixed parameters: elu alpha 1.5, softplus beta 2 and threshold 15. */
const FORWARD: Record<Name, (b: Backend, x: Float32Array, out: Float32Array) => void> = {
  exp: (b, x, out) => b.exp(x, out),
  log: (b, x, out) => b.log(x, out),
  sqrt: (b, x, out) => b.sqrt(x, out),
  tanh: (b, x, out) => b.tanh(x, out),
  sigmoid: (b, x, out) => b.sigmoid(x, out),
  elu: (b, x, out) => b.elu(x, 1.5, out),
  softplus: (b, x, out) => b.softplus(x, 2, 15, out),
  gelu: (b, x, out) => b.gelu(x, out),
  geluTanh: (b, x, out) => b.geluTanh(x, out),
};

/** Each backward, given the input x, the forward's output y and dy. */
const BACKWARD: Record<Name, (b: Backend, x: Float32Array, y: Float32Array, dy: Float32Array, dx: Float32Array) => void> = {
  exp: (b, _x, y, dy, dx) => b.expBackward(y, dy, dx),
  log: (b, x, _y, dy, dx) => b.logBackward(x, dy, dx),
  sqrt: (b, _x, y, dy, dx) => b.sqrtBackward(y, dy, dx),
  tanh: (b, _x, y, dy, dx) => b.tanhBackward(y, dy, dx),
  sigmoid: (b, _x, y, dy, dx) => b.sigmoidBackward(y, dy, dx),
  elu: (b, x, _y, dy, dx) => b.eluBackward(x, dy, 1.5, dx),
  softplus: (b, x, _y, dy, dx) => b.softplusBackward(x, dy, 2, 15, dx),
  gelu: (b, x, _y, dy, dx) => b.geluBackward(x, dy, dx),
  geluTanh: (b, x, _y, dy, dx) => b.geluTanhBackward(x, dy, dx),
};

/** Forward error bounds against the float64 oracle: the contract's bound plus one rounding. */
const BOUND: Record<Name, number> = {
  exp: T + ROUNDING,
  log: T + ROUNDING,
  sqrt: ROUNDING,
  tanh: T + ROUNDING,
  sigmoid: T + ROUNDING,
  elu: 2.42 * T + 3 * ROUNDING,
  softplus: 2 * T + 4 * ROUNDING,
  gelu: 5 * ROUNDING,
  geluTanh: 5 * ROUNDING,
};

/** Random inputs where each function is interesting, magnitudes spread over many binades. */
function inputs(name: Name, n: number, seed: number): Float32Array {
  const random = makeRandom(seed);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = random();
    if (name === 'log' || name === 'sqrt') x[i] = 2 ** (random() * 270 - 145) * (1 + u); // denormal to huge
    else if (name === 'exp') x[i] = random() * 200 - 108; // past both thresholds
    else x[i] = (u < 0.5 ? -1 : 1) * 10 ** (random() * 10 - 8.5); // 3e-9 … 30
  }
  return x;
}

function run(b: Backend, name: Name, x: Float32Array): Float32Array {
  const out = new Float32Array(x.length);
  FORWARD[name](b, x, out);
  return out;
}

describe.each(backendsUnderTest())('elementwise math on $label', (entry) => {
  beforeAll(() => selectSimd(entry));
  const backend = entry.backend;
  const one = (name: Name, v: number) => run(backend(), name, f32([v]))[0]!;

  it('has the closed forms', () => {
    expect(one('exp', 0)).toBe(1);
    expect(one('log', 1)).toBe(0);
    expect(one('sqrt', 4)).toBe(2);
    expect(Object.is(one('tanh', 0), 0) && Object.is(one('tanh', -0), -0)).toBe(true);
    expect(one('sigmoid', 0)).toBe(0.5);
    expect(one('softplus', 0)).toBe(Math.fround(Math.LN2 / 2)); // beta 2
    const out = new Float32Array(1);
    backend().softplus(f32([0]), 1, 20, out);
    expect(out[0]).toBe(Math.fround(Math.LN2)); // PyTorch's defaults: ln 2
    expect(one('gelu', 0)).toBe(0);
    expect(one('geluTanh', 0)).toBe(0);
    expectClose([one('geluTanh', 1)], [0.8411919906082768], 2 * ROUNDING, 'geluTanh(1)');
    expect(one('elu', 0)).toBe(0);
    expect(one('elu', -Infinity)).toBe(-1.5);
    expectClose([one('exp', 1)], [Math.E], T * Math.E, 'exp(1)');
    expectClose([one('log', Math.fround(Math.E))], [Math.log(Math.fround(Math.E))], T, 'log(e)');
    expectClose([one('gelu', 1)], [0.8413447460685429], 2 * ROUNDING, 'gelu(1) = Φ(1)');
    expectClose([one('gelu', -1)], [-0.15865525393145707], 2 * ROUNDING * 0.16, 'gelu(−1) = −Φ(−1)');
  });

  it('handles ±0, ±Inf, NaN and the exp overflow and underflow thresholds', () => {
    const big = 88.72283172607422; // the largest x with a finite float32 e^x
    const tiny = -103.97207641601562; // the smallest x with a nonzero float32 e^x
    const next = (v: number, up: boolean) => {
      const b = new Float32Array([v]);
      const u = new Uint32Array(b.buffer);
      u[0] = u[0]! + ((v > 0) === up ? 1 : -1);
      return b[0]!;
    };
    const ex = run(backend(), 'exp', f32([NaN, Infinity, -Infinity, -0, big, next(big, true), tiny, next(tiny, false), -100, 1e30]));
    expectClose(ex, [NaN, Infinity, 0, 1, Math.exp(big), Infinity, 2 ** -149, 0, Math.exp(-100), Infinity], relativeTolerance([0, 0, 0, 1, 3.4e38, 0, 0, 0, FLT_MIN, 0], T), 'exp');
    expect(ex[4]).toBeLessThan(Infinity);
    expect(ex[8]).toBeGreaterThan(0); // a denormal result, not flushed
    const lg = run(backend(), 'log', f32([NaN, Infinity, -Infinity, 0, -0, -1, 2 ** -149, 3.4028234663852886e38, 1]));
    expectClose(lg, [NaN, Infinity, NaN, -Infinity, -Infinity, NaN, -149 * Math.LN2, Math.log(3.4028234663852886e38), 0], relativeTolerance([0, 0, 0, 0, 0, 0, 103.3, 88.7, 0], T), 'log');
    const sq = run(backend(), 'sqrt', f32([NaN, Infinity, -0, -1, 2 ** -149]));
    expectSame(sq, [NaN, Infinity, -0, NaN, Math.fround(Math.sqrt(2 ** -149))], 'sqrt');
    expect(Object.is(sq[2], -0)).toBe(true);
    expectSame(run(backend(), 'tanh', f32([NaN, Infinity, -Infinity, 1e30, -20])), [NaN, 1, -1, 1, -1], 'tanh');
    const sg = run(backend(), 'sigmoid', f32([NaN, Infinity, -Infinity, 1e30, -1e30, -100, 100]));
    expectClose(sg, [NaN, 1, 0, 1, 0, sigmoid64(-100), 1], relativeTolerance([0, 0, 0, 0, 0, FLT_MIN, 0], T), 'sigmoid');
    expect(sg[5]).toBeGreaterThan(0); // e^−100, a denormal
  });

  it('softplus and elu stay finite, follow the threshold and propagate NaN', () => {
    const x = f32([1e30, -1e30, 7.5, 8, NaN, -100, 3.4e38, -3.4e38]);
    const out = new Float32Array(x.length);
    backend().softplus(x, 2, 15, out); // z = 2x > 15 returns x: 8 does, 7.5 does not
    expectClose(out, [1e30, 0, softplus64(7.5, 2, 15), 8, NaN, softplus64(-100, 2, 15), 3.4e38, 0].map(Math.fround),
      relativeTolerance([0, 0, 7.5, 0, 0, FLT_MIN, 0, 0], 2 * T), 'softplus');
    backend().softplus(x, 1e-30, 20, out); // a tiny beta: log(2)/beta is huge but finite
    expect(out.slice(0, 4).every((v) => Number.isFinite(v))).toBe(true);
    backend().elu(x, 1.5, out);
    expectSame(out, [1e30, -1.5, 7.5, 8, NaN, -1.5, 3.4e38, -1.5].map(Math.fround), 'elu');
    const small = f32([-1e-7, -1e-3, -0.3, -0.4, -5]);
    expectClose(run(backend(), 'elu', small), Array.from(small, (v) => 1.5 * Math.expm1(v)),
      relativeTolerance(Array.from(small, (v) => 1.5 * Math.expm1(v)), BOUND.elu), 'elu near 0 (expm1, no cancellation)');
    expectSame(run(backend(), 'gelu', f32([Infinity, -Infinity, NaN])), [Infinity, NaN, NaN], 'gelu at ±Inf (NaN at −Inf as in PyTorch)');
  });

  it('tanh is odd and sigmoid(−x) = 1 − sigmoid(x)', () => {
    const x = inputs('tanh', 1000, 3);
    const neg = x.map((v) => -v);
    expectSame(run(backend(), 'tanh', neg), run(backend(), 'tanh', x).map((v) => -v), 'tanh(−x) = −tanh(x)');
    const s = run(backend(), 'sigmoid', x);
    const sn = run(backend(), 'sigmoid', neg);
    expectClose(sn, s.map((v) => 1 - v), 3 * ROUNDING, 'sigmoid symmetry');
  });

  describe.each(NAMES)('%s', (name) => {
    it.each(SIZES)('matches the float64 oracle on %i random elements, in place too', (n) => {
      const x = inputs(name, n, n + name.length);
      const expected = Array.from(x, MATH[name].f);
      const tolerance = relativeTolerance(expected, BOUND[name]);
      const out = run(backend(), name, x);
      expectClose(out, expected, tolerance, name);
      const inPlace = x.slice();
      FORWARD[name](backend(), inPlace, inPlace);
      expectSame(inPlace, out, `${name} in place`);
    });

    it('has a backward equal to dy·f′(x) in double, in place too', () => {
      const random = makeRandom(name.length);
      const n = 1000;
      const positive = name === 'log' || name === 'sqrt';
      const x = Float32Array.from({ length: n }, () => (positive ? 0.01 + 10 * random() : 6 * random() - 3));
      const dy = Float32Array.from({ length: n }, () => 2 * random() - 1);
      const y = run(backend(), name, x);
      const dx = new Float32Array(n);
      BACKWARD[name](backend(), x, y, dy, dx);
      const expected = Array.from(x, (v, i) => dy[i]! * MATH[name].df(v));
      // The float32 steps' error, from the error of y where the kernel uses it.
      const tolerance = expected.map((e, i) => {
        const yi = y[i]!;
        const g = Math.abs(dy[i]!);
        switch (name) {
          case 'exp': return (T + 2 * ROUNDING) * Math.abs(e);
          case 'log': return ROUNDING * Math.abs(e);
          case 'sqrt': return 3 * ROUNDING * Math.abs(e);
          case 'tanh': return g * 2 * yi * yi * T + 3 * ROUNDING * Math.abs(e) + 1e-12 * g;
          case 'sigmoid': return g * Math.abs(1 - 2 * yi) * yi * T + 4 * ROUNDING * Math.abs(e) + 1e-12 * g;
          case 'gelu':
          case 'geluTanh': return 4 * ROUNDING * Math.abs(e) + 1e-12 * g;
          default: return (T + 4 * ROUNDING) * Math.abs(e); // elu, softplus
        }
      });
      expectClose(dx, expected, tolerance, `${name}Backward`);
      const inPlace = dy.slice();
      BACKWARD[name](backend(), x, y, inPlace, inPlace);
      expectSame(inPlace, dx, `${name}Backward in place (dx = dy)`);
    });
  });
});

describe('elementwise backward against centered differences of the reference forward', () => {
  const reference = referenceBackend;
  /** Richardson-extrapolated centered difference of the reference forward at x (float32 outputs). */
  function derivative(forward: (x: Float32Array, out: Float32Array) => void, x: number): number {
    const at = (v: number) => {
      const out = new Float32Array(1);
      forward(f32([v]), out);
      return out[0]!;
    };
    const d = (h: number) => (at(x + h) - at(x - h)) / (2 * h);
    const h = 2 ** -6; // x ± h exact in float32 for the points below
    return (4 * d(h / 2) - d(h)) / 3;
  }

  it.each(NAMES)('%s', (name) => {
    const points = name === 'log' || name === 'sqrt' ? [0.5, 1.25, 3] : [-2.5, -0.75, 0.375, 1.25, 2.5];
    for (const p of points) {
      const x = f32([p]);
      const y = run(reference, name, x);
      const dx = new Float32Array(1);
      BACKWARD[name](reference, x, y, f32([1]), dx);
      const fd = derivative((v, out) => FORWARD[name](reference, v, out), p);
      expect(Math.abs(dx[0]! - fd), `${name}' at ${p}: ${dx[0]} vs ${fd}`).toBeLessThan(2e-5 * Math.max(1, Math.abs(y[0]!)));
    }
  });

  it('leakyRelu and prelu, both gradients', () => {
    for (const p of [-1.5, 2]) {
      const dx = new Float32Array(1);
      reference.leakyReluBackward(f32([p]), f32([1]), 0.1, dx);
      expect(Math.abs(dx[0]! - derivative((v, out) => reference.leakyRelu(v, 0.1, out), p))).toBeLessThan(1e-5);
    }
    const x = f32([-1, 2, -0.5, 3, -2, -4]); // 3 rows × 2 channels
    const slope = f32([0.25, 0.5]);
    const dy = f32([1, -2, 0.5, 1, 2, 3]);
    const dx = new Float32Array(6);
    const dslope = new Float32Array(2);
    reference.preluBackward(x, slope, dy, 3, 2, dx, dslope);
    for (let c = 0; c < 2; c++) {
      // d/dslope[c] of Σ dy·prelu(x, slope)
      const loss = (s: number) => {
        const perturbed = slope.slice();
        perturbed[c] = s;
        const out = new Float32Array(6);
        reference.prelu(x, perturbed, 3, 2, out);
        return out.reduce((sum, v, i) => sum + v * dy[i]!, 0);
      };
      const h = 2 ** -6;
      expect(Math.abs(dslope[c]! - (loss(slope[c]! + h) - loss(slope[c]! - h)) / (2 * h))).toBeLessThan(1e-5);
    }
  });
});

describe.each(nativePaths())('elementwise math: native (%s) against the reference', (simd) => {
  let native: Backend;
  beforeAll(() => {
    setSimdLevel(simd);
    native = nativeBackend();
  });

  it.each([0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 1023, 100_003])('every kernel within its bound on %i elements', (n) => {
    for (const name of NAMES) {
      const x = inputs(name, n, 2 * n + 1);
      const expected = run(referenceBackend, name, x);
      expectClose(run(native, name, x), expected, relativeTolerance(expected, BOUND[name]), `${name}, n=${n}`);
      const dy = inputs('tanh', n, n + 5);
      const referenceDx = new Float32Array(n);
      const nativeDx = new Float32Array(n);
      BACKWARD[name](referenceBackend, x, expected, dy, referenceDx);
      BACKWARD[name](native, x, expected, dy, nativeDx);
      const exact = ['exp', 'log', 'sqrt', 'tanh', 'sigmoid'].includes(name);
      expectClose(nativeDx, referenceDx, exact ? 0 : relativeTolerance(referenceDx, BOUND[name]), `${name}Backward, n=${n}`);
    }
  });
});
