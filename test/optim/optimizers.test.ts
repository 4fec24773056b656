// The concrete optimizers on every backend: 60-step trajectories against float64 textbook
// formulas written in test/optim/textbook.ts, the closed forms of the seed checklist (§9), state
// dicts that resume bit for bit, parameter groups, skipped parameters and hyper-parameters
// changed between steps.
import { describe, expect, it } from 'vitest';
import { add, matmul, mul, optim, sum, tensor } from '../../lib';
import type { Tensor } from '../../lib';
import { backendsUnderTest } from '../backend/backends';
import { expectClose, expectSame } from '../backend/expect-close';
import { CASES } from './cases';
import { THETA0, gradient, loss, optimizerTrajectory, parameter, textbookTrajectory, useBackendUnderTest } from './problem';
import * as textbook from './textbook';

const STEPS = 60;

/** float32 tolerance of a trajectory: a few dozen roundings of the larger of |value| and 1. */
const F32 = (expected: ArrayLike<number>) => Array.from(expected, (x) => 4e-6 * Math.max(1, Math.abs(x)));

function expectTrajectory(actual: Float64Array[], expected: Float64Array[], tolerance: (e: ArrayLike<number>) => number[], what: string): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((p, t) => expectClose(p, expected[t]!, tolerance(expected[t]!), `${what}, step ${t + 1}`));
}

/** θ ↦ Σ cᵢθᵢ: a constant gradient c. */
const linear = (theta: Tensor, c: number[]) => sum(mul(theta, tensor(c)));

describe.each(backendsUnderTest())('optimizers on $label', (entry) => {
  useBackendUnderTest(entry);

  describe.each(CASES)('$label', (c) => {
    it(`follows its textbook formula for ${STEPS} steps in float32`, () => {
      const theta = parameter(THETA0);
      const actual = optimizerTrajectory(c.make([theta]), theta, STEPS);
      const expected = textbookTrajectory(c.oracle(), STEPS);
      expectTrajectory(actual, expected, F32, c.label);
      // The run went somewhere: the comparison is not between two parameters that stayed put.
      expect(Math.max(...expected[STEPS - 1]!.map((x, i) => Math.abs(x - THETA0[i]!)))).toBeGreaterThan(0.1);
    });

    it('resumes from its state dict bit for bit (saved mid-run, loaded into fresh objects)', () => {
      const theta = parameter(THETA0);
      const first = c.make([theta]);
      optimizerTrajectory(first, theta, 25);
      const saved = first.stateDict();
      const copy = parameter(Array.from(theta.data));
      const second = c.make([copy]);
      second.paramGroups[0]!.lr = 123; // replaced by the saved group
      second.loadStateDict(saved);
      expect(second.paramGroups[0]!.lr).toBe(first.paramGroups[0]!.lr);
      const a = optimizerTrajectory(first, theta, 25);
      const b = optimizerTrajectory(second, copy, 25);
      b.forEach((p, t) => expectSame(p, a[t]!, `step ${26 + t}`));
      expect(second.stateDict()).toEqual(first.stateDict());
    });
  });

  it('takes the notes\' worked gradient step: L = x² − y² − 2x + 5y, [2, 1] → [1.8, 0.7], L 4 → 2.65', () => {
    const theta = parameter([2, 1]);
    const L = () => add(sum(mul(mul(theta, theta), tensor([1, -1]))), sum(mul(theta, tensor([-2, 5]))));
    const opt = new optim.SGD([theta], { lr: 0.1 });
    const before = L();
    expect(before.item()).toBe(4);
    before.backward();
    expect(Array.from(theta.grad!.data)).toEqual([2, 3]);
    opt.step();
    expectClose(theta.data, [1.8, 0.7], [2e-7, 1e-7], 'θ₁');
    expect(L().item()).toBeCloseTo(2.65, 6);
  });

  it('momentum 0 is plain SGD, and PyTorch\'s momentum equals the notes\' v = μv − lr·g, x += v', () => {
    const plain = parameter(THETA0);
    const zero = parameter(THETA0);
    const a = optimizerTrajectory(new optim.SGD([plain], { lr: 0.05 }), plain, 30);
    const b = optimizerTrajectory(new optim.SGD([zero], { lr: 0.05, momentum: 0, dampening: 0.5 }), zero, 30);
    b.forEach((p, t) => expectSame(p, a[t]!, `momentum 0, step ${t + 1}`));
    // The notes' (000) form in float64: velocity v, constant learning rate.
    for (const mu of [0, 0.5, 0.9]) {
      const x = Float64Array.from(THETA0);
      const v = new Float64Array(x.length);
      const notes: textbook.Textbook = (p, g) => {
        for (let i = 0; i < p.length; i++) {
          v[i] = mu * v[i]! - 0.05 * g[i]!;
          p[i] = p[i]! + v[i]!;
        }
      };
      const theta = parameter(THETA0);
      const actual = optimizerTrajectory(new optim.SGD([theta], { lr: 0.05, momentum: mu }), theta, 30);
      expectTrajectory(actual, textbookTrajectory(notes, 30, Array.from(x)), F32, `momentum ${mu}`);
    }
  });

  it('Nesterov\'s re-parametrized form equals the explicit look-ahead on a quadratic', () => {
    // f(x) = ½ Σ aᵢxᵢ²; Sutskever's form: v = μv − lr·∇f(x + μv), x += v. SGD's parameter is x + μv.
    const a = [1, 4, 0.25, 2];
    const [lr, mu] = [0.1, 0.9];
    const x = [1, -2, 3, 0.5];
    const v = [0, 0, 0, 0];
    const theta = parameter(x);
    const opt = new optim.SGD([theta], { lr, momentum: mu, nesterov: true });
    for (let t = 1; t <= 40; t++) {
      for (let i = 0; i < 4; i++) {
        v[i] = mu * v[i]! - lr * a[i]! * (x[i]! + mu * v[i]!);
        x[i]! += v[i]!;
      }
      opt.zeroGrad();
      sum(mul(mul(theta, theta), tensor(a.map((ai) => ai / 2)))).backward();
      opt.step();
      const lookahead = x.map((xi, i) => xi + mu * v[i]!);
      expectClose(theta.data, lookahead, lookahead.map((y) => 2e-6 * Math.max(1, Math.abs(y))), `step ${t}`);
    }
  });

  it('Adam\'s first step is lr·g/(|g| + ε) ≈ lr·sign(g); without bias correction it is (1 − β₁)/√(1 − β₂) times larger', () => {
    const g = [0.5, -2, 1e-3, -1e-6, 300];
    for (const biasCorrection of [true, false]) {
      const theta = parameter([0, 0, 0, 0, 0]);
      const opt = new optim.Adam([theta], { lr: 0.01, biasCorrection });
      linear(theta, g).backward();
      opt.step();
      const scale = biasCorrection ? 1 : 0.1 / Math.sqrt(0.001);
      const expected = g.map((gi) => -0.01 * scale * gi / (Math.abs(gi) + (biasCorrection ? 1e-8 : 1e-8 / Math.sqrt(0.001))));
      expectClose(theta.data, expected, expected.map((e) => 4e-7 * Math.abs(e)), `biasCorrection ${biasCorrection}`);
      if (biasCorrection) expectClose(theta.data, g.map((gi) => -0.01 * Math.sign(gi)), 0.02 * 0.01, 'lr·sign(g) within 2%');
    }
  });

  it('Adagrad\'s step shrinks like 1/√t under a constant gradient', () => {
    const c = [2, -0.5, 1e-3];
    const theta = parameter([0, 0, 0]);
    const opt = new optim.Adagrad([theta], { lr: 0.1 });
    let previous = Array.from(theta.data);
    for (let t = 1; t <= 100; t++) {
      opt.zeroGrad();
      linear(theta, c).backward();
      opt.step();
      // Δθ = −lr·c/√(t·c²) = −lr·sign(c)/√t: the step times √t stays lr.
      const scaled = Array.from(theta.data, (p, i) => (previous[i]! - p) * Math.sqrt(t));
      expectClose(scaled, c.map((ci) => 0.1 * Math.sign(ci)), 1e-6 * Math.sqrt(t), `step ${t}`);
      previous = Array.from(theta.data);
    }
  });

  it('Adadelta\'s first step is lr·√ε/√((1 − ρ)g² + ε)·|g|', () => {
    const g = [1, -3, 0.01, 1e-4];
    for (const [lr, rho, eps] of [[1, 0.9, 1e-6], [2, 0.95, 1e-4]] as const) {
      const theta = parameter([0, 0, 0, 0]);
      const opt = new optim.Adadelta([theta], { lr, rho, eps });
      linear(theta, g).backward();
      opt.step();
      const expected = g.map((gi) => -lr * Math.sqrt(eps) / Math.sqrt((1 - rho) * gi * gi + eps) * gi);
      expectClose(theta.data, expected, expected.map((e) => 4e-7 * Math.abs(e)), `lr ${lr}, rho ${rho}, eps ${eps}`);
    }
    // With the defaults a unit gradient moves the parameter by about √(1e-6/0.1) ≈ 3.16e-3.
    const theta = parameter([0]);
    const opt = new optim.Adadelta([theta]);
    linear(theta, [1]).backward();
    opt.step();
    expect(theta.data[0]).toBeCloseTo(-Math.sqrt(1e-5), 7);
  });

  it('steps each parameter group with its own hyper-parameters, and reads them again at every step', () => {
    const a = parameter(THETA0);
    const b = parameter(THETA0);
    const opt = new optim.Adam([{ params: [a] }, { params: [b], lr: 0.01, betas: [0.5, 0.9] }], { lr: 0.05 });
    const optionsA = { lr: 0.05 };
    const optionsB = { lr: 0.01, betas: [0.5, 0.9] as [number, number] };
    const oracleA = textbook.adam(optionsA);
    const oracleB = textbook.adam(optionsB);
    const pa = Float64Array.from(THETA0);
    const pb = Float64Array.from(THETA0);
    for (let t = 1; t <= 40; t++) {
      if (t === 21) {
        opt.paramGroups[0]!.lr = optionsA.lr = 0.002;
        opt.paramGroups[1]!.lr = optionsB.lr = 0.1;
      }
      opt.zeroGrad();
      add(loss(a), loss(b)).backward();
      opt.step();
      oracleA(pa, gradient(pa));
      oracleB(pb, gradient(pb));
      expectClose(a.data, pa, F32(pa), `group 0, step ${t}`);
      expectClose(b.data, pb, F32(pb), `group 1, step ${t}`);
    }
  });

  it('skips parameters without a gradient: their state and step count wait for their next gradient', () => {
    const a = parameter(THETA0);
    const b = parameter(THETA0);
    const opt = new optim.NAdam([a, b], { lr: 0.05 });
    const oracleA = textbook.nadam({ lr: 0.05 });
    const oracleB = textbook.nadam({ lr: 0.05 });
    const pa = Float64Array.from(THETA0);
    const pb = Float64Array.from(THETA0);
    for (let t = 1; t <= 30; t++) {
      opt.zeroGrad();
      const withB = t % 3 === 0; // b has a gradient every third step only
      (withB ? add(loss(a), loss(b)) : loss(a)).backward();
      expect(b.grad === null).toBe(!withB);
      const before = Array.from(b.data);
      opt.step();
      oracleA(pa, gradient(pa));
      if (withB) oracleB(pb, gradient(pb));
      else expect(Array.from(b.data)).toEqual(before);
      expectClose(a.data, pa, F32(pa), `a, step ${t}`);
      expectClose(b.data, pb, F32(pb), `b, step ${t}`);
      if (t === 1) expect(opt.state.has(b)).toBe(false);
    }
    expect(opt.state.get(a)!['step']).toBe(30);
    expect(opt.state.get(b)!['step']).toBe(10);
  });

  it('creates the state an option needs when the option is switched on between steps', () => {
    // SGD: the momentum buffer starts as the gradient of the first step with momentum.
    const theta = parameter(THETA0);
    const opt = new optim.SGD([theta], { lr: 0.02 });
    const p = Float64Array.from(THETA0);
    const plain = textbook.sgd({ lr: 0.02 });
    const heavy = textbook.sgd({ lr: 0.02, momentum: 0.9, dampening: 0.3 });
    for (let t = 1; t <= 30; t++) {
      if (t === 11) Object.assign(opt.paramGroups[0]!, { momentum: 0.9, dampening: 0.3 });
      opt.zeroGrad();
      loss(theta).backward();
      opt.step();
      (t <= 10 ? plain : heavy)(p, gradient(p));
      expectClose(theta.data, p, F32(p), `SGD, step ${t}`);
      expect('momentumBuffer' in opt.state.get(theta)!).toBe(t > 10);
    }
    // Adam: AMSGrad's running maximum starts from zero when amsgrad is switched on (as on a fresh start).
    const phi = parameter(THETA0);
    const adam = new optim.Adam([phi], { lr: 0.05 });
    optimizerTrajectory(adam, phi, 10);
    adam.paramGroups[0]!.amsgrad = true;
    optimizerTrajectory(adam, phi, 10);
    const state = adam.state.get(phi)!;
    expect(state['maxExpAvgSq']).toBeInstanceOf(Float32Array);
    expect(Array.from(state['maxExpAvgSq'] as Float32Array).every((m, i) => m >= (state['expAvgSq'] as Float32Array)[i]!)).toBe(true);
  });

  it('loadStateDict checks group sizes and the state\'s entries, and changes nothing when it refuses', () => {
    const theta = parameter(THETA0);
    const sgd = new optim.SGD([theta], { lr: 0.1, momentum: 0.9 });
    optimizerTrajectory(sgd, theta, 3);
    const adam = new optim.Adam([parameter(THETA0)]);
    expect(() => adam.loadStateDict(sgd.stateDict() as never)).toThrow(
      new TypeError('Adam.loadStateDict: Expected a number for state "step" of parameter 0 but received undefined'));
    expect(adam.state.size).toBe(0);
    expect(() => new optim.SGD([theta, parameter([1])]).loadStateDict(sgd.stateDict())).toThrow(
      /group 0 has 2 parameters but the state dict's has 1/);
    expect(() => new optim.SGD([{ params: [theta] }, { params: [parameter([1])] }]).loadStateDict(sgd.stateDict())).toThrow(
      /Expected 2 parameter groups but the state dict has 1/);
    const short = sgd.stateDict();
    short.state[0]!['momentumBuffer'] = new Float32Array(2);
    expect(() => new optim.SGD([theta]).loadStateDict(short)).toThrow(
      /state "momentumBuffer" of parameter 0 has 2 values but the parameter has 6/);
    const badLr = sgd.stateDict();
    badLr.paramGroups[0]!.lr = -1;
    const target = new optim.SGD([theta], { lr: 0.5, momentum: 0.9 });
    expect(() => target.loadStateDict(badLr)).toThrow(new RangeError('SGD: Expected a finite number >= 0 for lr but received -1'));
    expect(target.paramGroups[0]!.lr).toBe(0.5);
    expect(target.state.size).toBe(0);
  });

  it('a state dict is a snapshot: later steps and edits do not reach it, nor it the optimizer', () => {
    const theta = parameter(THETA0);
    const opt = new optim.Adam([theta], { lr: 0.05, betas: [0.8, 0.9] });
    optimizerTrajectory(opt, theta, 5);
    const saved = opt.stateDict();
    const m = Float32Array.from(saved.state[0]!['expAvg'] as Float32Array);
    optimizerTrajectory(opt, theta, 5);
    expectSame(saved.state[0]!['expAvg'] as Float32Array, m, 'saved expAvg');
    expect(saved.state[0]!['step']).toBe(5);
    opt.paramGroups[0]!.betas = [0.5, 0.5];
    expect(saved.paramGroups[0]!.betas).toEqual([0.8, 0.9]);
    const fresh = new optim.Adam([parameter(THETA0)]);
    fresh.loadStateDict(saved);
    (saved.paramGroups[0]!.betas as unknown as number[])[0] = 0.1;
    expect(fresh.paramGroups[0]!.betas).toEqual([0.8, 0.9]);
  });

  it('a two-layer product of matrices trains with every optimizer (matmul gradients reach the state)', () => {
    // min ‖A·B − T‖² over A [2,3], B [3,2]: shapes other than a vector, through matmul's backward.
    const target = tensor([[1, -1], [0.5, 2]]);
    const minusT = mul(target, tensor([[-1, -1], [-1, -1]]));
    for (const c of CASES) {
      const A = tensor([[0.3, -0.2, 0.5], [0.1, 0.4, -0.3]], undefined, { requiresGrad: true });
      const B = tensor([[0.2, 0.1], [-0.4, 0.3], [0.5, -0.1]], undefined, { requiresGrad: true });
      const objective = () => {
        const d = add(matmul(A, B), minusT);
        return sum(mul(d, d));
      };
      const opt = c.make([A, B]);
      const start = objective().item();
      for (let t = 0; t < 20; t++) {
        opt.zeroGrad();
        objective().backward();
        opt.step();
      }
      expect(objective().item(), c.label).toBeLessThan(start);
      expect(opt.state.get(A), c.label).toBeDefined();
    }
  });
});
