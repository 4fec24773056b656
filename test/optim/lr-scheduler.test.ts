// Schedules produce their documented sequences, warn when stepped before the optimizer, and
// resume exactly from a state dict.
import { describe, expect, it, vi } from 'vitest';
import { optim, tensor } from '../../lib';
import { PlainSGD } from './plain-sgd';

const { lrScheduler } = optim;

function optimizer(lr = 1): PlainSGD {
  return new PlainSGD([tensor([0], undefined, { requiresGrad: true })], lr);
}

/** The learning rate at epochs 0 … n−1, stepping the optimizer first each time. */
function sequence(scheduler: { step(): void; getLastLr(): number[]; optimizer: { step(): void } }, n: number): number[] {
  const out = [scheduler.getLastLr()[0]!];
  for (let i = 1; i < n; i++) {
    scheduler.optimizer.step();
    scheduler.step();
    out.push(scheduler.getLastLr()[0]!);
  }
  return out;
}

const close = (actual: number[], expected: number[]) => actual.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 12));

describe('learning-rate schedules', () => {
  it('StepLR: base·γ^⌊epoch/step⌋', () => {
    close(sequence(new lrScheduler.StepLR(optimizer(), { stepSize: 2, gamma: 0.5 }), 6), [1, 1, 0.5, 0.5, 0.25, 0.25]);
  });

  it('MultiStepLR: γ at each milestone', () => {
    close(sequence(new lrScheduler.MultiStepLR(optimizer(), { milestones: [1, 3], gamma: 0.1 }), 5), [1, 0.1, 0.1, 0.01, 0.01]);
    expect(() => new lrScheduler.MultiStepLR(optimizer(), { milestones: [3, 1] })).toThrow(/increasing/);
  });

  it('ExponentialLR: τ₀·γ^epoch', () => {
    close(sequence(new lrScheduler.ExponentialLR(optimizer(0.1), { gamma: 0.9 }), 4), [0.1, 0.09, 0.081, 0.0729]);
  });

  it('InverseTimeLR: τ₀/(1 + λ·epoch)', () => {
    close(sequence(new lrScheduler.InverseTimeLR(optimizer(0.5), { decay: 0.5 }), 4), [0.5, 0.5 / 1.5, 0.25, 0.5 / 2.5]);
  });

  it('CosineAnnealingLR: from base to ηmin over Tmax', () => {
    close(sequence(new lrScheduler.CosineAnnealingLR(optimizer(1), { tMax: 4, etaMin: 0.2 }), 5), [
      1, 0.2 + 0.8 * (1 + Math.SQRT1_2) / 2, 0.6, 0.2 + 0.8 * (1 - Math.SQRT1_2) / 2, 0.2,
    ]);
  });

  it('LambdaLR: base·λ(epoch)', () => {
    close(sequence(new lrScheduler.LambdaLR(optimizer(2), { lambda: (e) => 1 / (e + 1) }), 3), [2, 1, 2 / 3]);
    expect(() => new lrScheduler.LambdaLR(optimizer(), { lambda: () => Number.NaN })).toThrow(/non-negative number/);
  });

  it('LinearWarmup: linear ramp, then the wrapped schedule from its epoch 0', () => {
    const opt = optimizer(1);
    const after = new lrScheduler.StepLR(opt, { stepSize: 1, gamma: 0.5 });
    close(sequence(new lrScheduler.LinearWarmup(opt, { warmupEpochs: 4, startFactor: 0.2, after }), 7), [0.2, 0.4, 0.6, 0.8, 1, 0.5, 0.25]);
    close(sequence(new lrScheduler.LinearWarmup(optimizer(1), { warmupEpochs: 2, startFactor: 0.5 }), 4), [0.5, 0.75, 1, 1]);
  });

  it('ReduceLROnPlateau: reduces after patience bad epochs, then cools down', () => {
    const opt = optimizer(1);
    const plateau = new lrScheduler.ReduceLROnPlateau(opt, { patience: 2, factor: 0.5, cooldown: 1, minLr: 0.2 });
    const lrs = [5, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4].map((loss) => {
      plateau.step(loss);
      return plateau.getLastLr()[0];
    });
    expect(lrs).toEqual([1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25]);
    for (let i = 0; i < 10; i++) plateau.step(4);
    expect(plateau.getLastLr()[0]).toBe(0.2); // floor at minLr
    expect(() => plateau.step(Number.NaN)).toThrow(/metric/);
    const max = new lrScheduler.ReduceLROnPlateau(optimizer(1), { mode: 'max', patience: 0 });
    max.step(0.5);
    max.step(0.9);
    expect(max.getLastLr()[0]).toBe(1);
    max.step(0.9);
    expect(max.getLastLr()[0]).toBeCloseTo(0.1, 12);
  });

  it('warns once when stepped before the optimizer', () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const s = new lrScheduler.StepLR(optimizer(), { stepSize: 1 });
    s.step();
    s.step();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toMatch(/before optimizer.step\(\)/);
    warn.mockRestore();
  });

  it('resumes the exact sequence from a state dict', () => {
    const make = (opt: PlainSGD) => new lrScheduler.CosineAnnealingLR(opt, { tMax: 10 });
    const first = make(optimizer(0.3));
    const whole = sequence(first, 10);
    const a = make(optimizer(0.3));
    sequence(a, 4);
    const saved = a.stateDict();
    const fresh = optimizer(99);
    const b = make(fresh);
    b.loadStateDict(saved);
    expect(b.getLastLr()[0]).toBe(whole[3]);
    expect(sequence(b, 7).slice(1)).toEqual(whole.slice(4));
  });
});
