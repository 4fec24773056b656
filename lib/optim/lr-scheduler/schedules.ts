/** The closed-form schedules: each learning rate is a function of the epoch and the base rate. */
import type { BaseHyper, Optimizer } from '../optimizer';
import { LRScheduler, checkNumber } from './scheduler';

const positive = (v: number) => v > 0;
const nonNegative = (v: number) => v >= 0;
const positiveInteger = (v: number) => Number.isInteger(v) && v > 0;

/** lr = base·γ^⌊epoch/stepSize⌋. */
export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;
  constructor(optimizer: Optimizer<BaseHyper>, options: { stepSize: number; gamma?: number }) {
    super(optimizer);
    this.stepSize = checkNumber('StepLR', 'stepSize', options.stepSize, positiveInteger, 'a positive integer');
    this.gamma = checkNumber('StepLR', 'gamma', options.gamma ?? 0.1, positive, 'a positive number');
    this.start();
  }
  lrAt(epoch: number, base: number): number {
    return base * this.gamma ** Math.floor(epoch / this.stepSize);
  }
}

/** lr = base·γ^(number of milestones ≤ epoch). */
export class MultiStepLR extends LRScheduler {
  readonly milestones: number[];
  readonly gamma: number;
  constructor(optimizer: Optimizer<BaseHyper>, options: { milestones: number[]; gamma?: number }) {
    super(optimizer);
    const milestones = options.milestones;
    if (!Array.isArray(milestones) || !milestones.every((m, i) => Number.isInteger(m) && m > 0 && (i === 0 || m > milestones[i - 1]!))) {
      throw new RangeError(`MultiStepLR: Expected increasing positive integer milestones but received ${JSON.stringify(milestones)}`);
    }
    this.milestones = [...milestones];
    this.gamma = checkNumber('MultiStepLR', 'gamma', options.gamma ?? 0.1, positive, 'a positive number');
    this.start();
  }
  lrAt(epoch: number, base: number): number {
    return base * this.gamma ** this.milestones.filter((m) => m <= epoch).length;
  }
}

/** lr = τ₀·γ^epoch. */
export class ExponentialLR extends LRScheduler {
  readonly gamma: number;
  constructor(optimizer: Optimizer<BaseHyper>, options: { gamma: number }) {
    super(optimizer);
    this.gamma = checkNumber('ExponentialLR', 'gamma', options.gamma, positive, 'a positive number');
    this.start();
  }
  lrAt(epoch: number, base: number): number {
    return base * this.gamma ** epoch;
  }
}

/** lr = τ₀/(1 + λ·epoch): the notes' 1/t decay. */
export class InverseTimeLR extends LRScheduler {
  readonly decay: number;
  constructor(optimizer: Optimizer<BaseHyper>, options: { decay: number }) {
    super(optimizer);
    this.decay = checkNumber('InverseTimeLR', 'decay', options.decay, nonNegative, 'a non-negative number');
    this.start();
  }
  lrAt(epoch: number, base: number): number {
    return base / (1 + this.decay * epoch);
  }
}

/** lr = ηmin + (base − ηmin)·(1 + cos(π·epoch/Tmax))/2 (the closed form; periodic past Tmax). */
export class CosineAnnealingLR extends LRScheduler {
  readonly tMax: number;
  readonly etaMin: number;
  constructor(optimizer: Optimizer<BaseHyper>, options: { tMax: number; etaMin?: number }) {
    super(optimizer);
    this.tMax = checkNumber('CosineAnnealingLR', 'tMax', options.tMax, positiveInteger, 'a positive integer');
    this.etaMin = checkNumber('CosineAnnealingLR', 'etaMin', options.etaMin ?? 0, nonNegative, 'a non-negative number');
    this.start();
  }
  lrAt(epoch: number, base: number): number {
    return this.etaMin + ((base - this.etaMin) * (1 + Math.cos((Math.PI * epoch) / this.tMax))) / 2;
  }
}

/** lr = base·λ(epoch) for a function λ of the user's. */
export class LambdaLR extends LRScheduler {
  readonly lambda: (epoch: number) => number;
  constructor(optimizer: Optimizer<BaseHyper>, options: { lambda: (epoch: number) => number }) {
    super(optimizer);
    if (typeof options.lambda !== 'function') throw new TypeError('LambdaLR: Expected a function for lambda');
    this.lambda = options.lambda;
    this.start();
  }
  lrAt(epoch: number, base: number): number {
    return base * checkNumber('LambdaLR', `lambda(${epoch})`, this.lambda(epoch), nonNegative, 'a non-negative number');
  }
}
