// Optimizer updates on every backend: closed forms from the seed checklist, NaN and Inf
// propagation, 100-step trajectories against float64 textbook formulas written in the test
// (optim-cases.ts), and native against the reference over 100 steps within 1e-6 relative.
import { beforeAll, describe, expect, it } from 'vitest';
import { nativeBackend, referenceBackend, setSimdLevel } from '../../../lib/backend';
import type { Backend } from '../../../lib/backend';
import { accumulationTolerance } from '../../../lib/backend/compare';
import { nativePaths } from '../native-paths';
import { backendsUnderTest, selectSimd } from '../backends';
import { expectClose } from '../expect-close';
import { makeRandom, randomArray } from '../random-inputs';
import { OPTIM_CASES, type OptimCase } from './optim-cases';

const f32 = (values: number[]) => Float32Array.from(values);
const STEPS = 100;
const EMPTY = new Float32Array(0);

/** A float32 value within a few roundings of x (the kernels round 2–5 times per element). */
const nearly = (x: number) => 8 * 2 ** -24 * Math.abs(x) + Number.MIN_VALUE;

function freshStates(c: OptimCase, n: number): Float32Array[] {
  return c.states.map(([, used]) => new Float32Array(used ? n : 0).fill(c.initial ?? 0));
}

describe.each(backendsUnderTest())('optim on $label', (entry) => {
  beforeAll(() => selectSimd(entry));
  const backend = entry.backend;

  it('SGD takes the gradient step of the checklist example: [2, 1] → [1.8, 0.7]', () => {
    // L(x, y) = x² − y² − 2x + 5y at [2, 1]: ∇L = [2x − 2, −2y + 5] = [2, 3].
    const param = f32([2, 1]);
    backend().sgdStep(param, f32([2, 3]), EMPTY, 0.1, 0, 0, 0, false, 1);
    expectClose(param, [1.8, 0.7], [nearly(1.8), nearly(0.7)], 'sgd');
  });

  it('SGD with momentum 0 is plain SGD, and its first momentum step is a plain step too', () => {
    const random = makeRandom(5);
    const p0 = randomArray(19, random);
    const g = randomArray(19, random);
    const plain = p0.slice();
    backend().sgdStep(plain, g, EMPTY, 0.3, 0, 0, 0, false, 7);
    const expected = Array.from(p0, (p, i) => p - 0.3 * g[i]!);
    expectClose(plain, expected, expected.map(nearly), 'momentum 0');
    const first = p0.slice();
    const buffer = new Float32Array(19).fill(NaN); // never read at step 1
    backend().sgdStep(first, g, buffer, 0.3, 0.9, 0.5, 0, false, 1);
    expectClose(first, expected, expected.map(nearly), 'first momentum step');
    expectClose(buffer, g, 0, 'the buffer starts as the gradient');
  });

  it('SGD with nesterov is Sutskever\'s lookahead form, re-parametrised, on a quadratic', () => {
    // f(x) = ½·a·x²: v = μv − lr·∇f(x + μv), x += v. PyTorch's param is x + μv.
    const [a, lr, mu] = [3, 0.05, 0.9];
    let [x, v] = [2, 0];
    const param = f32([x]);
    const buffer = new Float32Array(1);
    for (let t = 1; t <= 30; t++) {
      v = mu * v - lr * a * (x + mu * v);
      x += v;
      backend().sgdStep(param, f32([a * param[0]!]), buffer, lr, mu, 0, 0, true, t);
      expect(param[0], `step ${t}`).toBeCloseTo(x + mu * v, 5);
    }
  });

  it('names the state that an option leaves unused, and the range a hyper-parameter must lie in', () => {
    const F = (n: number) => new Float32Array(n);
    expect(() => backend().sgdStep(F(3), F(3), F(3), 0.1, 0, 0, 0, false, 1)).toThrow(new RangeError(
      'sgdStep: Expected an empty Float32Array for momentumBuffer (unused when momentum is 0) but received a Float32Array of length 3'));
    expect(() => backend().adamStep(F(3), F(3), F(3), F(3), F(3), 0.1, 0.9, 0.999, 1e-8, 0, false, true, 1)).toThrow(new RangeError(
      'adamStep: Expected an empty Float32Array for maxExpAvgSq (unused when amsgrad is false) but received a Float32Array of length 3'));
    expect(() => backend().adamwStep(F(3), F(3), F(3), F(3), F(0), 0.1, 1, 0.999, 1e-8, 0, false, true, 1)).toThrow(new RangeError(
      'adamwStep: Expected a number in [0, 1) for beta1 but received 1'));
    expect(() => backend().adagradStep(F(3), F(3), F(3), 0.1, 0, 0, 1e-10, 0)).toThrow(new RangeError(
      'adagradStep: Expected a step number of at least 1 for step but received 0'));
  });

  it('Adam\'s first step is lr·g/(|g| + eps) ≈ lr·sign(g) with bias correction', () => {
    const g = f32([0.5, -2, 1e-3, -1e-6, 0]);
    const param = new Float32Array(5);
    const [m, v] = [new Float32Array(5), new Float32Array(5)];
    backend().adamStep(param, g, m, v, EMPTY, 0.01, 0.9, 0.999, 1e-8, 0, false, true, 1);
    const expected = Array.from(g, (x) => -0.01 * x / (Math.abs(x) + 1e-8));
    expectClose(param, expected, expected.map(nearly), 'first Adam step');
    expect(Array.from(param.subarray(0, 3), (x) => Math.round(x * 1e4) / 1e4)).toEqual([-0.01, 0.01, -0.01]);
  });

  it('Adam without bias correction takes the notes\' smaller first step lr·(1−β1)g/(√(1−β2)|g| + eps)', () => {
    const param = new Float32Array(1);
    backend().adamStep(param, f32([2]), new Float32Array(1), new Float32Array(1), EMPTY, 0.01, 0.9, 0.999, 1e-8, 0, false, false, 1);
    const expected = -0.01 * 0.1 * 2 / (Math.sqrt(0.001) * 2 + 1e-8);
    expectClose(param, [expected], [nearly(expected)], 'uncorrected step');
  });

  it('Adagrad\'s step decays like 1/√t under a constant gradient', () => {
    const param = new Float32Array(1);
    const sum = new Float32Array(1);
    let previous = 0;
    for (let t = 1; t <= 64; t++) {
      backend().adagradStep(param, f32([0.5]), sum, 0.1, 0, 0, 0, t);
      const step = previous - param[0]!;
      previous = param[0]!;
      if ((t & (t - 1)) === 0) expect(step * Math.sqrt(t), `step ${t}·√t`).toBeCloseTo(0.1, 4);
    }
  });

  it('Adadelta\'s first step has magnitude √ε/√((1 − ρ)g² + ε)·|g|', () => {
    const g = f32([0.5, -3]);
    const param = new Float32Array(2);
    backend().adadeltaStep(param, g, new Float32Array(2), new Float32Array(2), 1, 0.9, 1e-6, 0);
    const expected = Array.from(g, (x) => -Math.sqrt(1e-6) / Math.sqrt(0.1 * x * x + 1e-6) * x);
    expectClose(param, expected, expected.map((x) => 32 * 2 ** -24 * Math.abs(x)), 'first Adadelta step');
  });

  it.each(OPTIM_CASES)('$label: NaN and Inf in the gradient reach param and state, and nothing else', (c) => {
    const n = 11;
    const param = randomArray(n, makeRandom(3));
    const before = param.slice();
    const grad = randomArray(n, makeRandom(4));
    grad[0] = NaN;
    grad[9] = Infinity;
    const states = freshStates(c, n);
    c.call(backend(), param, grad, states, 1);
    expect(Number.isNaN(param[0])).toBe(true);
    expect(Number.isFinite(param[9])).toBe(false);
    for (const i of [1, 5, 8, 10]) {
      expect(Number.isFinite(param[i]), `param[${i}]`).toBe(true);
      expect(param[i], `param[${i}] moved`).not.toBe(before[i]);
    }
    for (const state of states) if (state.length) expect(Number.isNaN(state[0]), 'state[0]').toBe(true);
  });

  it('Adam matches the reference where state or step is infinite, in every lane of a vector', () => {
    // 24 floats: three whole vectors (AVX2), the infinities in lanes the vector loop computes.
    const n = 24;
    const random = makeRandom(12);
    const param = randomArray(n, random);
    const grad = randomArray(n, random);
    const m = randomArray(n, random).map((x) => x * 0.1);
    const v = randomArray(n, random).map((x) => x * x * 0.01);
    m[3] = Infinity;
    m[12] = -Infinity;
    v[5] = Infinity;
    grad[17] = Infinity; // m, v and the step all infinite
    const outputs = () => [param.slice(), m.slice(), v.slice()];
    const [p1, m1, v1] = outputs();
    const [p2, m2, v2] = outputs();
    backend().adamStep(p1!, grad, m1!, v1!, EMPTY, 1e-2, 0.9, 0.999, 0, 0.01, false, true, 4);
    referenceBackend.adamStep(p2!, grad, m2!, v2!, EMPTY, 1e-2, 0.9, 0.999, 0, 0.01, false, true, 4);
    for (const [got, want, name] of [[p1!, p2!, 'param'], [m1!, m2!, 'expAvg'], [v1!, v2!, 'expAvgSq']] as const) {
      for (let i = 0; i < n; i++) {
        if (!Number.isFinite(want[i]!)) expect(got[i], `${name}[${i}]`).toBe(want[i]);
        else expect(Math.abs(got[i]! - want[i]!), `${name}[${i}]`).toBeLessThanOrEqual(8 * 2 ** -24 * (Math.abs(want[i]!) + 1));
      }
    }
    // Infinite m (or gradient) makes an infinite step; an infinite v alone a zero one.
    expect([p1![3], p1![5], p1![12], p1![17]].map((x) => Number.isFinite(x))).toEqual([false, true, false, false]);
  });

  it.each(OPTIM_CASES)('$label: accepts empty arrays', (c) => {
    c.call(backend(), new Float32Array(0), new Float32Array(0), freshStates(c, 0), 1);
  });

  it.each(OPTIM_CASES)('$label: 100 steps follow the float64 textbook trajectory', (c) => {
    const n = 37;
    const random = makeRandom(c.label.length * 101);
    const param = randomArray(n, random);
    const p64 = Array.from(param);
    const s64 = p64.map(() => ({}));
    const states = freshStates(c, n);
    // The error bound: the largest magnitude the parameter took plus the distance it moved,
    // with a few float32 roundings per step (accumulationTolerance's γ for 4 terms a step).
    const largest = p64.map(Math.abs);
    const path = p64.map(() => 0);
    for (let t = 1; t <= STEPS; t++) {
      const grad = randomArray(n, random);
      c.call(backend(), param, grad, states, t);
      for (let i = 0; i < n; i++) {
        const next = c.oracle(p64[i]!, grad[i]!, s64[i]!, t);
        path[i] += Math.abs(next - p64[i]!);
        largest[i] = Math.max(largest[i]!, Math.abs(next));
        p64[i] = next;
      }
      if (t % 10 === 0) {
        const bound = largest.map((x, i) => x + path[i]!);
        expectClose(param, p64, accumulationTolerance(bound, 4 * t), `${c.label}, step ${t}`);
      }
    }
  });
});

/** 100 steps of one case on one backend, with the bound of each output's 1e-6 comparison. */
function run(backend: Backend, c: OptimCase, n: number, seed: number) {
  const random = makeRandom(seed);
  const param = randomArray(n, random);
  const states = freshStates(c, n);
  const outputs = [param, ...states];
  // Per element: the largest magnitude each output took plus the distance it moved, the
  // scale of the rounding errors that 100 steps accumulate.
  const largest = outputs.map((x) => Float64Array.from(x, Math.abs));
  const bounds = outputs.map((x) => Float64Array.from(x, Math.abs));
  for (let t = 1; t <= STEPS; t++) {
    const before = outputs.map((x) => x.slice());
    c.call(backend, param, randomArray(n, random), states, t);
    outputs.forEach((x, k) => {
      for (let i = 0; i < x.length; i++) {
        const grew = Math.max(0, Math.abs(x[i]!) - largest[k]![i]!);
        largest[k]![i] += grew;
        bounds[k]![i] += grew + Math.abs(x[i]! - before[k]![i]!);
      }
    });
  }
  return { outputs, bounds };
}

describe.each(nativePaths())('optim: native (%s) against the reference', (simd) => {
  let native: Backend;
  beforeAll(() => {
    setSimdLevel(simd);
    native = nativeBackend();
  });

  it.each(OPTIM_CASES)('$label: within 1e-6 relative after 100 steps', (c) => {
    for (const n of [1, 8, 15, 1037]) {
      const expected = run(referenceBackend, c, n, n + 7);
      const actual = run(native, c, n, n + 7);
      const names = ['param', ...c.states.map(([name]) => name)];
      actual.outputs.forEach((x, k) => {
        const tolerance = expected.bounds[k]!.map((b) => 1e-6 * b + Number.MIN_VALUE);
        expectClose(x, expected.outputs[k]!, tolerance, `${c.label}: ${names[k]}, n=${n}`);
      });
    }
  });
});
