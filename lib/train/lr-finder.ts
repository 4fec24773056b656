/**
 * The learning-rate finder: train for a few hundred steps while raising the learning rate
 * exponentially from startLr to endLr, stop when the (smoothed) loss passes 3× its best (or is
 * not finite), and suggest the rate where the loss fell fastest. When the loss barely moved over
 * the whole sweep, every rate tried was too low, and the result says so. The model and
 * optimizer are restored afterwards.
 */
import type { Batch } from '../data/dataset';
import type { Module } from '../nn/module';
import type { BaseHyper, Optimizer } from '../optim/optimizer';
import { copyModelState, restoreModelState } from './model-state';
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
  /**
   * The sweep counts as flat (every rate too low) when the smoothed loss never falls more than
   * this fraction below the mean of the first tenth's batch losses (default 0.05).
   */
  flatTolerance?: number;
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
  /** Whether the loss barely moved over the whole sweep (see flatTolerance). */
  flat: boolean;
  /** What to do about a flat sweep, in words; null otherwise. */
  advice: string | null;
}

export function lrFinder(options: LrFinderOptions): LrFinderResult {
  const { model, loss, optimizer, loader, startLr = 1e-7, endLr = 10, steps = 200, smoothing = 0.05, divergeFactor = 3, flatTolerance = 0.05 } = options;
  if (!(startLr > 0 && endLr > startLr)) throw new RangeError(`lrFinder: Expected 0 < startLr < endLr but received ${startLr}, ${endLr}`);
  if (!Number.isInteger(steps) || steps < 2) throw new RangeError(`lrFinder: Expected an integer steps >= 2 but received ${steps}`);
  if (!(flatTolerance > 0 && flatTolerance < 1)) throw new RangeError(`lrFinder: Expected flatTolerance in (0, 1) but received ${flatTolerance}`);
  const savedModel = copyModelState(model);
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
    restoreModelState(model, savedModel);
    optimizer.loadStateDict(savedOptimizer);
    optimizer.paramGroups.forEach((g, i) => (g.lr = savedLrs[i]!));
    optimizer.zeroGrad();
    model.train(wasTraining);
  }
  const flat = !diverged && isFlat(rawLosses, losses, flatTolerance);
  const advice = flat ? flatAdvice(rawLosses, losses, lrs) : null;
  return { lrs, losses, rawLosses, suggestion: suggest(lrs, losses), diverged, flat, advice };
}

const tenth = (n: number) => Math.max(1, Math.ceil(n / 10));
const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;

/** Whether the smoothed loss never fell flatTolerance below where the sweep started. */
function isFlat(rawLosses: readonly number[], losses: readonly number[], tolerance: number): boolean {
  const start = mean(rawLosses.slice(0, tenth(rawLosses.length)));
  const best = Math.min(...losses);
  return Number.isFinite(start) && Number.isFinite(best) && start - best < tolerance * Math.abs(start);
}

function flatAdvice(rawLosses: readonly number[], losses: readonly number[], lrs: readonly number[]): string {
  const start = mean(rawLosses.slice(0, tenth(rawLosses.length)));
  const lr = lrs.at(-1)!.toExponential(1);
  return `the loss barely moved over the whole sweep (${start.toPrecision(5)} at first, ${Math.min(...losses).toPrecision(5)} at best) up to lr ${lr}: ` +
    'every rate tried is too low; sweep to a higher endLr (if it stays flat at lr 10, check that the gradients reach the weights)';
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
