/**
 * The learning-rate finder: train for a few hundred steps while raising the learning rate
 * exponentially from startLr to endLr, stop when the (smoothed) loss passes 3× its best (or is
 * not finite), and
 * suggest the rate where the loss fell fastest. The model and optimizer are restored afterwards.
 */
import { Tensor } from '../autograd/tensor';
import type { Batch } from '../data/dataset';
import type { Module } from '../nn/module';
import type { BaseHyper, Optimizer } from '../optim/optimizer';
import type { LossFunction } from './trainer';

export interface LrFinderOptions {
  model: Module;
  loss: LossFunction;
  optimizer: Optimizer<BaseHyper>;
  loader: Iterable<Batch>;
  startLr?: number;
  endLr?: number;
  steps?: number;
  /** Weight of the newest loss in the exponential moving average (bias-corrected). */
  smoothing?: number;
  /** Stop when the smoothed loss exceeds this multiple of the best one. */
  divergeFactor?: number;
}

export interface LrFinderResult {
  lrs: number[];
  /** Smoothed losses, one per learning rate. */
  losses: number[];
  rawLosses: number[];
  /** The rate at the steepest descent of the smoothed loss against log(lr). */
  suggestion: number;
  /** Whether the sweep stopped because the loss exploded. */
  diverged: boolean;
}

export function lrFinder(options: LrFinderOptions): LrFinderResult {
  const { model, loss, optimizer, loader, startLr = 1e-7, endLr = 10, steps = 200, smoothing = 0.05, divergeFactor = 3 } = options;
  if (!(startLr > 0 && endLr > startLr)) throw new RangeError(`lrFinder: Expected 0 < startLr < endLr but received ${startLr}, ${endLr}`);
  if (!Number.isInteger(steps) || steps < 2) throw new RangeError(`lrFinder: Expected an integer steps >= 2 but received ${steps}`);
  const savedModel = Object.fromEntries(Object.entries(model.stateDict()).map(([k, t]) => [k, new Tensor(t.data.slice(), t.shape)]));
  const savedOptimizer = optimizer.stateDict();
  const savedLrs = optimizer.paramGroups.map((g) => g.lr);
  const lrs: number[] = [];
  const losses: number[] = [];
  const rawLosses: number[] = [];
  let average = 0;
  let best = Infinity;
  let diverged = false;
  let iterator = loader[Symbol.iterator]();
  const wasTraining = model.training;
  model.train();
  try {
    for (let i = 0; i < steps; i++) {
      let next = iterator.next();
      if (next.done) {
        iterator = loader[Symbol.iterator]();
        next = iterator.next();
        if (next.done) throw new RangeError('lrFinder: the loader yields no batches');
      }
      const lr = startLr * (endLr / startLr) ** (i / (steps - 1));
      for (const g of optimizer.paramGroups) g.lr = lr;
      const value = loss(model.call(next.value.x), next.value.y);
      optimizer.zeroGrad();
      value.backward();
      optimizer.step();
      const raw = value.item();
      average = (1 - smoothing) * average + smoothing * raw;
      const smoothed = average / (1 - (1 - smoothing) ** (i + 1));
      lrs.push(lr);
      rawLosses.push(raw);
      losses.push(smoothed);
      // The ×3 rule waits until the average has settled (a tenth of the sweep): the first
      // few batch losses alone are too noisy to compare with.
      if (!Number.isFinite(smoothed) || (i >= steps / 10 && smoothed > divergeFactor * best)) {
        diverged = true;
        break;
      }
      if (i >= steps / 10) best = Math.min(best, smoothed);
    }
  } finally {
    model.loadStateDict(savedModel);
    optimizer.loadStateDict(savedOptimizer);
    optimizer.paramGroups.forEach((g, i) => (g.lr = savedLrs[i]!));
    optimizer.zeroGrad();
    model.train(wasTraining);
  }
  return { lrs, losses, rawLosses, suggestion: suggest(lrs, losses), diverged };
}

/** The rate where the smoothed loss falls fastest per decade, before the loss turns up. */
function suggest(lrs: number[], losses: number[]): number {
  const usable = losses.findIndex((l) => !Number.isFinite(l));
  const end = usable < 0 ? losses.length : usable;
  const minIndex = losses.slice(0, end).reduce((m, l, i, a) => (l < a[m]! ? i : m), 0);
  let steepest = -1;
  let slope = 0;
  // Differences over a few steps: single-step slopes of a smoothed curve are noise.
  const span = Math.max(1, Math.floor(end / 20));
  for (let i = span; i <= minIndex; i++) {
    const s = (losses[i]! - losses[i - span]!) / (Math.log10(lrs[i]!) - Math.log10(lrs[i - span]!));
    if (s < slope) {
      slope = s;
      steepest = i;
    }
  }
  return steepest >= 0 ? lrs[steepest]! : lrs[minIndex]! / 10;
}
