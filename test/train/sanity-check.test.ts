// sanityCheck on the shipped digits with a 64-128-10 ReLU MLP: the notes' three checks pass on a
// correct model with the notes' 0.0001·randn init, with the figures in detail; each fails, with the
// reason, on a model or loss with the bug it exists to catch; the caller's model comes back bit
// for bit.
import { describe, expect, it } from 'vitest';
import {
  Tensor, data, getRngState, manualSeed, mul, neg, nn, noGrad, optim, randn, sanityCheck, setRngState,
} from '../../lib';
import type { SanityCheckResult } from '../../lib';

const digits = data.datasets.digits({ scale: true });
const crossEntropy = (output: Tensor, target: Tensor) => nn.functional.crossEntropy(output, target);
const LN10 = Math.log(10);

/** 64-128-10 ReLU; 'small' is the notes' sanity init: weights 0.0001·randn, biases 0. */
function mlp(seed: number, init: 'small' | 'default', scale = 1): nn.Sequential {
  manualSeed(seed);
  const model = new nn.Sequential(new nn.Linear(64, 128), new nn.ReLU(), new nn.Linear(128, 10));
  for (const p of model.parameters()) {
    if (init === 'small') {
      if (p.ndim === 2) nn.init.normal(p, 0, 1e-4);
      else nn.init.zeros(p);
    }
    for (let i = 0; i < p.size; i++) p.data[i]! *= scale;
  }
  return model;
}

function byName(results: SanityCheckResult[]): Record<'initial' | 'reg' | 'overfit', SanityCheckResult> {
  expect(results.map((r) => r.name)).toEqual(['initial loss ≈ ln C', 'regularization raises the loss', 'overfits 20 examples']);
  return { initial: results[0]!, reg: results[1]!, overfit: results[2]! };
}

/** Every byte of every parameter, gradient and buffer, each module's mode, and the generator. */
function fingerprint(model: nn.Module): unknown {
  const bytes = (t: Tensor | null) => (t ? Array.from(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength)) : null);
  return {
    params: model.namedParameters().map(([name, p]) => [name, bytes(p), p.grad, bytes(p.grad), p.requiresGrad]),
    buffers: model.namedBuffers().map(([name, t]) => [name, t, bytes(t)]),
    modes: model.namedModules().map(([name, m]) => [name, m.training]),
    rng: getRngState(),
  };
}

describe('sanityCheck', () => {
  it('passes on a correct digits MLP with the notes\' small init, figures in detail', () => {
    const model = mlp(0, 'small');
    const { initial, reg, overfit } = byName(sanityCheck(model, crossEntropy, digits));
    // The notes: 2.302585 expected, 2.30261216167 observed; their target |L₀ − ln C| < 1e-3.
    expect(initial.passed).toBe(true);
    expect(Math.abs(initial.values!['loss']! - LN10)).toBeLessThan(1e-5);
    expect(initial.values!['tolerance']).toBeCloseTo(0.1 * LN10, 12);
    expect(initial.detail).toMatch(/^initial loss 2\.30258\d on 1000 rows vs ln 10 = 2\.302585: within 0\.230259/);
    // λ defaults to ⅓·ln C / R(W): the notes' proportion (2.3026 → 3.0686).
    expect(reg.passed).toBe(true);
    expect(reg.values!['regularizedLoss']! - reg.values!['loss']!).toBeCloseTo(LN10 / 3, 5);
    expect(reg.detail).toMatch(/^loss 2\.30258\d → 3\.0701\d\d with λ = 1\.\d{3}e\+4 \(λ·\|R\| = ⅓·ln C\) and R\(W\) = 4\.\d{3}e-5$/);
    // The notes: 200 epochs to cost 0.0026 and accuracy 1.00 with SGD; Adam (lr 1e-2) takes 34
    // steps on these 20 rows (30 to 42 on other seeds and subsets).
    expect(overfit.passed).toBe(true);
    expect(overfit.values!['accuracy']).toBe(1);
    expect(overfit.values!['loss']).toBeLessThanOrEqual(0.01);
    expect(overfit.values!['steps']).toBeGreaterThanOrEqual(20);
    expect(overfit.values!['steps']).toBeLessThanOrEqual(60);
    expect(overfit.values!['firstLoss']).toBeCloseTo(LN10, 2);
    expect(overfit.detail).toMatch(/^accuracy 1\.00 and loss ≤ 0\.01 after \d+ of at most 200 full-batch steps \(loss 2\.30\d+ after step 1, 0\.00\d+ after step \d+; training accuracy 1\.00\)$/);
  });

  it('adds λ·½Σw² over the weights (biases excluded) with an explicit reg, as the notes\' reg = 1e3', () => {
    const model = mlp(1, 'small');
    let sumSquares = 0;
    for (const p of model.parameters()) if (p.ndim === 2) for (const w of p.data) sumSquares += w * w;
    (model[0] as nn.Linear).bias!.data.fill(1); // would add ½·1e3·128 if biases were counted
    const [reg] = sanityCheck(model, crossEntropy, digits, { checks: ['regularization'], reg: 1e3 });
    expect(reg!.passed).toBe(true);
    expect(reg!.values!['reg']).toBe(1e3);
    expect(reg!.values!['penalty']).toBeCloseTo(sumSquares / 2, 9);
    // 9 472 weights of variance 1e-8: ½·1e3·ΣW² ≈ 0.047 on top of the data loss.
    expect(reg!.values!['regularizedLoss']! - reg!.values!['loss']!).toBeCloseTo(1e3 * sumSquares / 2, 5);
    expect(reg!.detail).toMatch(/with λ = 1000\.000000 and R/);
  });

  it('accepts PyTorch\'s default Linear init on scaled digits and refuses it on raw 0–16 pixels', () => {
    // Measured over seeds 0–9 on all 1797 rows: 2.2932 to 2.3293 scaled, 2.94 to 5.21 raw.
    const [scaled] = sanityCheck(mlp(0, 'default'), crossEntropy, digits, { checks: ['initialLoss'] });
    expect(scaled!.passed).toBe(true);
    expect(Math.abs(scaled!.values!['difference']!)).toBeLessThan(0.03);
    const [raw] = sanityCheck(mlp(0, 'default'), crossEntropy, data.datasets.digits(), { checks: ['initialLoss'] });
    expect(raw!.passed).toBe(false);
    expect(raw!.values!['difference']).toBeGreaterThan(0.6);
    expect(raw!.detail).toMatch(/off by more than 0\.230259 .*inputs not scaled/);
  });

  it('fails the initial loss, with both numbers, when the weights are 10× too large', () => {
    const { initial, overfit } = byName(sanityCheck(mlp(0, 'default', 10), crossEntropy, digits));
    expect(initial.passed).toBe(false);
    expect(initial.values!['loss']).toBeGreaterThan(10); // 14 to 32 over seeds 0–9
    expect(initial.detail).toMatch(/^initial loss 1\d\.\d{6} on 1000 rows vs ln 10 = 2\.302585: off by more than 0\.230259 \(difference 1\d\.\d+\); the scores start too large/);
    expect(overfit.passed).toBe(true); // still trainable: only the start is wrong
  });

  it('fails to overfit with the last layer frozen (small init) and names the frozen parameters', () => {
    const model = mlp(0, 'small');
    (model[2] as nn.Linear).weight.requiresGrad = false;
    (model[2] as nn.Linear).bias!.requiresGrad = false;
    const { initial, overfit } = byName(sanityCheck(model, crossEntropy, digits));
    expect(initial.passed).toBe(true);
    expect(overfit.passed).toBe(false);
    expect(overfit.values!['steps']).toBe(200);
    expect(overfit.values!['loss']).toBeGreaterThan(2); // 2.265: gradients through 1e-4 weights
    expect(overfit.detail).toMatch(/^not overfitted in 200 full-batch steps: needs accuracy 1\.00 and loss ≤ 0\.01 \(.*\); 2 parameter\(s\) are frozen$/);
  });

  it('fails to overfit a model whose output ignores its input', () => {
    class IgnoresInput extends nn.Module {
      net = mlp(0, 'default');
      forward(x: Tensor): Tensor {
        return this.net.call(mul(x, 0)); // a mask that should have been ones
      }
    }
    const { overfit } = byName(sanityCheck(new IgnoresInput(), crossEntropy, digits));
    expect(overfit.passed).toBe(false);
    // One prediction for every row: the first 20 digits hold each class twice.
    expect(overfit.values!['accuracy']).toBe(0.1);
    expect(overfit.values!['loss']).toBeGreaterThan(LN10 - 1e-4); // no constant beats the label entropy
    expect(overfit.detail).toMatch(/training accuracy 0\.10\): the loss barely moved, so the learning rate is too low or the gradients do not reach the weights$/);
  });

  it('fails on a loss with the wrong sign: below chance at the start, and no overfitting', () => {
    const { initial, overfit } = byName(sanityCheck(mlp(0, 'small'), (o, t) => neg(crossEntropy(o, t)), digits));
    expect(initial.passed).toBe(false);
    expect(initial.values!['loss']).toBeCloseTo(-LN10, 5);
    expect(initial.detail).toMatch(/initial loss -2\.30258\d .*; the loss starts below chance: the loss or its sign is wrong$/);
    expect(overfit.passed).toBe(false);
    expect(overfit.values!['accuracy']).toBeLessThanOrEqual(0.1);
  });

  it('fails the regularization check on a penalty with a sign error, and on all-zero weights', () => {
    const signBug = (m: nn.Module) => neg(nn.functional.l2Penalty(m.parameters()));
    const [reg] = sanityCheck(mlp(0, 'small'), crossEntropy, digits, { checks: ['regularization'], penalty: signBug });
    expect(reg!.passed).toBe(false);
    expect(reg!.values!['regularizedLoss']).toBeLessThan(reg!.values!['loss']!);
    expect(reg!.detail).toMatch(/^loss 2\.30258\d → 1\.5350\d\d with .*R\(W\) = -4\.\d+e-5: the penalty is negative, a sign error$/);
    // The notes' warning about zero init: the loss starts at exactly ln C, but R(W) = 0 and the
    // symmetric hidden units get no gradient, so 20 examples cannot be fitted.
    const zero = mlp(0, 'small', 0);
    const { initial, reg: zeroReg, overfit } = byName(sanityCheck(zero, crossEntropy, digits));
    expect(initial.passed).toBe(true);
    expect(initial.values!['loss']).toBeCloseTo(LN10, 6);
    expect(zeroReg.passed).toBe(false);
    expect(zeroReg.detail).toMatch(/R\(W\) is 0 .*all weights zero/);
    expect(overfit.passed).toBe(false);
  });

  it('fails every check on a model with every parameter frozen, and on one whose scores are NaN', () => {
    const frozen = mlp(0, 'small');
    for (const p of frozen.parameters()) p.requiresGrad = false;
    const { initial, reg, overfit } = byName(sanityCheck(frozen, crossEntropy, digits));
    expect(initial.passed).toBe(true); // the start is fine; nothing can move
    expect(reg.passed).toBe(false);
    expect(reg.detail).toMatch(/R\(W\) is 0 .*no trainable parameters/);
    expect(overfit.passed).toBe(false);
    expect(overfit.detail).toBe('the model has no trainable parameters (every requiresGrad is false)');

    const broken = mlp(0, 'small');
    (broken[2] as nn.Linear).weight.data[0] = Number.NaN;
    const nan = byName(sanityCheck(broken, crossEntropy, digits));
    expect(nan.initial.passed).toBe(false);
    expect(nan.initial.detail).toMatch(/^initial loss NaN .*not finite, tolerance 0\.230259 .*; the scores overflow or the loss takes log\(0\)$/);
    expect(nan.reg.passed).toBe(false);
    expect(nan.reg.detail).toMatch(/R\(W\) is NaN/);
    expect(nan.overfit.passed).toBe(false);
    expect(nan.overfit.values!['steps']).toBe(1);
    expect(nan.overfit.detail).toMatch(/^the loss became NaN at step 1 /);
  });

  it('fails to overfit with the notes\' plain SGD lr 1e-3 on a small-init digits MLP (why Adam is the default)', () => {
    const [overfit] = sanityCheck(mlp(0, 'small'), crossEntropy, digits, { checks: ['overfit'], optimizer: (p) => new optim.SGD(p, { lr: 1e-3 }) });
    expect(overfit!.passed).toBe(false);
    expect(overfit!.values!['loss']).toBeCloseTo(LN10, 4); // gradients of the order of the 1e-4 weights
    // As an exploding loss says "too high", a loss that barely moves says "too low".
    expect(overfit!.detail).toMatch(/: the loss barely moved, so the learning rate is too low or the gradients do not reach the weights$/);
    // lr 1 moves it: SGD's good rate depends on the input and init scales, Adam's does not.
    const [fast] = sanityCheck(mlp(0, 'small'), crossEntropy, digits, { checks: ['overfit'], optimizer: (p) => new optim.SGD(p, { lr: 1 }), maxSteps: 400 });
    expect(fast!.passed).toBe(true);
  });

  it('puts back parameters, gradients, buffers, modes and the generator bit for bit', () => {
    manualSeed(5);
    const model = new nn.Sequential(new nn.Linear(64, 32), new nn.BatchNorm1d(32), new nn.ReLU(), new nn.Dropout(0.3), new nn.Linear(32, 10));
    // Running statistics and gradients already in use, and modes mixed.
    noGrad(() => model.call(randn([16, 64])));
    crossEntropy(model.call(digits.x.gather([0, 1, 2, 3])), digits.y.gather([0, 1, 2, 3])).backward();
    model.eval();
    model[3]!.train();
    (model[4] as nn.Linear).weight.grad = null; // one parameter without a gradient
    setRngState({ seed: 11, offset: 4096 });
    const before = fingerprint(model);
    const gradObjects = model.parameters().map((p) => p.grad);
    const results = sanityCheck(model, crossEntropy, digits);
    expect(results.map((r) => r.passed)).toEqual([true, true, true]);
    expect(fingerprint(model)).toEqual(before);
    expect(model.parameters().map((p) => p.grad)).toEqual(gradObjects);
    model.parameters().forEach((p, i) => expect(p.grad).toBe(gradObjects[i]));
    expect(getRngState()).toEqual({ seed: 11, offset: 4096 });

    // Also when the loss throws halfway through training.
    let calls = 0;
    const failing = (o: Tensor, t: Tensor) => {
      if (++calls === 10) throw new Error('loss failed');
      return crossEntropy(o, t);
    };
    expect(() => sanityCheck(model, failing, digits)).toThrow('loss failed');
    expect(calls).toBe(10);
    expect(fingerprint(model)).toEqual(before);
  });

  it('runs the checks asked for, in that order, on the subset and batch asked for', () => {
    const results = sanityCheck(mlp(0, 'small'), crossEntropy, digits, { checks: ['overfit', 'initialLoss'], subset: 10, batchSize: 50, tolerance: 1e-3 });
    expect(results.map((r) => r.name)).toEqual(['overfits 10 examples', 'initial loss ≈ ln C']);
    expect(results[0]!.values!['rows']).toBe(10);
    expect(results[1]!.values!['rows']).toBe(50);
    expect(results[1]!.detail).toMatch(/within 0\.001000/);
    const [short] = sanityCheck(mlp(0, 'small'), crossEntropy, digits, { checks: ['overfit'], maxSteps: 5 });
    expect(short!.passed).toBe(false);
    expect(short!.values!['steps']).toBe(5);
  });

  it('refuses bad input with errors that say what was expected', () => {
    const model = mlp(0, 'small');
    expect(() => sanityCheck({} as nn.Module, crossEntropy, digits)).toThrow('sanityCheck: Expected a Module for model but received an object');
    expect(() => sanityCheck(model, 3 as never, digits)).toThrow(/Expected a loss function/);
    expect(() => sanityCheck(model, crossEntropy, { x: digits.x } as never)).toThrow(/Expected data as \{ x: Tensor, y: Tensor \}/);
    expect(() => sanityCheck(model, crossEntropy, { x: digits.x, y: digits.y.gather([0, 1]) })).toThrow('sanityCheck: Expected 1797 labels y of shape [1797] (one per row of x) but received shape [2]');
    const halves = new Tensor(new Float32Array(4).fill(0.5), [4]);
    expect(() => sanityCheck(model, crossEntropy, { x: digits.x.gather([0, 1, 2, 3]), y: halves })).toThrow('labels y to be non-negative integers (class indices) but y[0] is 0.5');
    expect(() => sanityCheck(model, crossEntropy, digits, { subset: 0 })).toThrow('sanityCheck: Expected a positive integer for subset but received 0');
    expect(() => sanityCheck(model, crossEntropy, digits, { tolerance: -1 })).toThrow(/finite positive number for tolerance but received -1/);
    expect(() => sanityCheck(model, crossEntropy, digits, { classes: 5 })).toThrow('Expected labels below classes = 5 but the largest label is 9');
    expect(() => sanityCheck(model, crossEntropy, digits, { checks: ['initial' as never] })).toThrow(/Expected checks among initialLoss, regularization, overfit/);
    // Labels 0–4 only, a 10-way model: ln 5 would be the wrong target.
    const fewer = new Tensor(digits.y.data.map((v) => v % 5), [1797]);
    expect(() => sanityCheck(model, crossEntropy, { x: digits.x, y: fewer })).toThrow('the model gives 10 scores per row but the labels\' largest is 4 (5 classes); pass options.classes');
    expect(sanityCheck(model, crossEntropy, { x: digits.x, y: fewer }, { classes: 10, checks: ['initialLoss'] })[0]!.passed).toBe(true);
    expect(() => sanityCheck(model, (o) => o, digits)).toThrow('Expected the loss function to return a one-element tensor but it returned shape [1000, 10]');
    expect(() => noGrad(() => sanityCheck(model, crossEntropy, digits))).toThrow(/gradient recording is off/);
  });
});
