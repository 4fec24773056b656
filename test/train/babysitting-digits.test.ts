// Babysitting on real data, the shipped 8×8 digits (1400 training rows, 397 validation rows):
// the learning-rate finder's suggestion lands inside the range of rates that train (measured here
// with fixed-rate runs), a coarse-to-fine random search finds a trial better than its median,
// and the layer diagnostics flag saturated tanh layers under W = randn and dead ReLUs under a
// large negative bias.
import { describe, expect, it } from 'vitest';
import {
  ExplosionGuard, Tensor, Trainer, add, data, formatLayerStats, layerStats, lrFinder, manualSeed, mul, nn, optim, sanityCheck, search, searchSpace,
} from '../../lib';
import type { Params, TrialResult } from '../../lib';

const digits = data.datasets.digits({ scale: true });
const order = data.shuffledIndices(1797, 1, 0);
const split = (from: number, to: number) => new data.TensorDataset(digits.x.gather(order.subarray(from, to)), digits.y.gather(order.subarray(from, to)));
const trainSet = split(0, 1400);
const valSet = split(1400, 1797);
const crossEntropy = (output: Tensor, target: Tensor) => nn.functional.crossEntropy(output, target);

/** 64-128-10 ReLU with PyTorch's default Linear init, from seed. */
function mlp(seed: number): nn.Sequential {
  manualSeed(seed);
  return new nn.Sequential(new nn.Linear(64, 128), new nn.ReLU(), new nn.Linear(128, 10));
}

/** Validation accuracy after `epochs` epochs of Adam at a fixed rate (with λ·½Σw² when reg > 0); exploded when the guard stops it. */
async function train(lr: number, epochs: number, reg = 0): Promise<TrialResult> {
  const model = mlp(0);
  const weights = model.parameters().filter((p) => p.ndim === 2);
  const loss = reg > 0 ? (o: Tensor, t: Tensor) => add(crossEntropy(o, t), mul(nn.functional.l2Penalty(weights), reg)) : crossEntropy;
  const trainer = new Trainer({ model, loss, optimizer: new optim.Adam(model.parameters(), { lr }), metrics: ['accuracy'], callbacks: [new ExplosionGuard()] });
  const { history, stoppedEarly } = await trainer.fit(new data.DataLoader(trainSet, { batchSize: 50, shuffle: true, seed: 2 }), {
    epochs, validation: new data.DataLoader(valSet, { batchSize: 400 }),
  });
  return { score: history.at(-1)?.val?.['accuracy'] ?? Number.NaN, exploded: stoppedEarly !== undefined };
}

describe('babysitting on digits', () => {
  it('lrFinder suggests an Adam rate inside the range where 3 epochs reach 90% validation accuracy', async () => {
    // The range, measured: 3 epochs of Adam at fixed rates. Too low barely moves (1e-4: 0.34,
    // 1e-3: 0.88), too high blows up (3e-1: the guard stops it at 0.10); 1e-2 and 3e-2 give 0.97.
    const grid = [1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1, 1];
    const accuracy: number[] = [];
    for (const lr of grid) accuracy.push((await train(lr, 3)).score);
    const good = grid.filter((_, i) => accuracy[i]! >= 0.9);
    expect(good).toEqual([3e-3, 1e-2, 3e-2, 1e-1]);
    expect(Math.max(...accuracy)).toBeGreaterThan(0.96);

    // The finder over three shuffles suggests 1.7e-2 to 2.0e-2, the loss exploding at 0.43 to 0.57
    // (1.5e-2 to 2.2e-2 over eight seeds).
    for (const seed of [1, 2, 3]) {
      const model = mlp(seed);
      const before = model.parameters().map((p) => p.data.slice());
      const optimizer = new optim.Adam(model.parameters());
      const result = lrFinder({ model, loss: crossEntropy, optimizer, loader: new data.DataLoader(trainSet, { batchSize: 50, shuffle: true, seed }) });
      expect(result.diverged).toBe(true);
      expect(result.lrs.at(-1)!).toBeGreaterThan(0.1);
      expect(result.lrs.at(-1)!).toBeLessThan(1);
      expect(result.suggestion).toBeGreaterThanOrEqual(good[0]!);
      expect(result.suggestion).toBeLessThanOrEqual(good.at(-1)!);
      expect(model.parameters().map((p) => p.data)).toEqual(before);
      if (seed === 1) {
        // And the suggestion itself trains: two decades lower is far too slow.
        expect((await train(result.suggestion, 3)).score).toBeGreaterThan(0.95);
        expect((await train(result.suggestion / 100, 3)).score).toBeLessThan(0.9);
      }
    }
  });

  it('a coarse and a fine random search over lr and reg: the best trial beats the median and trains', async () => {
    const objective = (p: Params) => train(p['lr'] as number, 2, p['reg'] as number);
    const space = { lr: searchSpace.logUniform(1e-5, 1), reg: searchSpace.logUniform(1e-5, 10) };
    const result = await search({ space, trials: 10, rounds: 2, seed: 1, objective });
    expect(result.trials).toHaveLength(20);
    const scores = (round: number) => result.trials.filter((t) => t.round === round && t.result && !t.result.exploded).map((t) => t.result!.score);
    const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
    // Ranked best first, explosions last: the median trial is the 11th of 20.
    const medianTrial = result.trials[10]!;
    expect(medianTrial.result!.exploded).toBe(false);
    const best = result.best!;
    expect(best.result!.score).toBeGreaterThan(medianTrial.result!.score + 0.1);
    expect(best.result!.score).toBeGreaterThan(0.92); // 0.93 after 2 epochs
    // It sits in the good range of the finder's test, with a small reg.
    expect(best.params['lr']).toBeGreaterThanOrEqual(3e-3);
    expect(best.params['lr']).toBeLessThanOrEqual(1e-1);
    expect(best.params['reg']).toBeLessThan(0.1);
    // The fine round searched a narrower space and did better: median 0.86 against 0.14.
    expect(result.spaces).toHaveLength(2);
    const range = (round: number, name: string) => result.spaces[round]![name] as { low: number; high: number };
    expect(range(1, 'lr').low).toBeGreaterThan(range(0, 'lr').low);
    expect(range(1, 'lr').high).toBeLessThan(range(0, 'lr').high);
    expect(range(1, 'reg').high).toBeLessThan(range(0, 'reg').high);
    expect(median(scores(1))).toBeGreaterThan(median(scores(0)) + 0.3);
    // Rates near 0.2 and above explode within 2 epochs; they are kept, last.
    const exploded = result.trials.filter((t) => t.result?.exploded);
    expect(exploded.length).toBeGreaterThan(0);
    for (const t of exploded) expect(t.params['lr']).toBeGreaterThan(0.15);
    expect(result.trials.slice(-exploded.length)).toEqual(exploded);
  });

  it('flags saturated tanh layers under W = randn, and none under Xavier with the tanh gain', () => {
    const deepTanh = (init: (w: Tensor) => void) => {
      manualSeed(3);
      const model = new nn.Sequential(
        new nn.Linear(64, 256), new nn.Tanh(), new nn.Linear(256, 256), new nn.Tanh(), new nn.Linear(256, 256), new nn.Tanh(), new nn.Linear(256, 10));
      for (const p of model.parameters()) {
        if (p.ndim === 2) init(p);
        else nn.init.zeros(p);
      }
      return layerStats(model, digits.x, { target: digits.y, loss: crossEntropy }).filter((r) => r.type === 'Tanh');
    };
    // W = randn: pre-activations of std 4 (first layer, 64 pixels in [0, 1]) then 14–16 (256
    // inputs of ±1): half, then about 85%, of the units beyond |h| > 0.99 (the notes: "saturates").
    const randn = deepTanh((w) => nn.init.normal(w, 0, 1));
    expect(randn.map((r) => r.saturated)).toEqual([expect.closeTo(0.49, 1), expect.closeTo(0.85, 1), expect.closeTo(0.86, 1)]);
    for (const r of randn.slice(1)) {
      expect(r.saturated).toBeGreaterThan(0.8);
      expect(r.activation.std).toBeGreaterThan(0.95);
    }
    expect(formatLayerStats(randn)).toMatch(/^3 +mean +-?0\.\d{6} std 0\.9\d{5} +saturated 8\d\.\d%, grad std/m);
    const xavier = deepTanh((w) => nn.init.xavierNormal(w, nn.init.calculateGain('tanh')));
    for (const r of xavier) {
      expect(r.saturated).toBeLessThan(0.01);
      expect(r.activation.std).toBeGreaterThan(0.3);
      expect(r.activation.std).toBeLessThan(0.7);
    }
  });

  it('flags dead ReLUs under a large negative bias, and such a net cannot overfit 20 examples', () => {
    const withBias = (bias: number | null) => {
      manualSeed(4);
      const model = new nn.Sequential(new nn.Linear(64, 128), new nn.ReLU(), new nn.Linear(128, 128), new nn.ReLU(), new nn.Linear(128, 10));
      if (bias !== null) (model[0] as nn.Linear).bias!.data.fill(bias);
      return model;
    };
    const dead = (model: nn.Module) => layerStats(model, digits.x, { target: digits.y, loss: crossEntropy });
    // Default init: a few units never fire on these 1797 images (2.3% and 6.3%).
    const healthy = dead(withBias(null)).filter((r) => r.type === 'ReLU');
    expect(healthy[0]!.dead).toBeLessThan(0.05);
    expect(healthy[1]!.dead).toBeLessThan(0.15);
    // Bias −3 against pre-activations of std 0.28: every first-layer unit is dead, no gradient
    // reaches the first Linear, and the second ReLU sees a constant input (48% dead).
    const rows = dead(withBias(-3));
    const [first, second] = rows.filter((r) => r.type === 'ReLU');
    expect(first!.dead).toBe(1);
    expect(first!.activation.max).toBe(0);
    expect(rows[0]!.gradient!.std).toBe(0);
    expect(second!.dead).toBeGreaterThan(0.3);
    expect(formatLayerStats(rows)).toMatch(/^1 +mean +0\.000000 std 0\.000000 +dead 100\.0%/m);
    // What the sanity check makes of it: every row gives the same scores.
    const overfit = sanityCheck(withBias(-3), crossEntropy, digits, { checks: ['overfit'] })[0]!;
    expect(overfit.passed).toBe(false);
    expect(overfit.values!['accuracy']).toBe(0.1);
    expect(sanityCheck(withBias(null), crossEntropy, digits, { checks: ['overfit'] })[0]!.passed).toBe(true);
  });
});
