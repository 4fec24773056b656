/**
 * LinearWarmup: the learning rate rises linearly from startFactor·base to base over
 * warmupEpochs, then follows another schedule (started at its epoch 0), or stays at base.
 */
import type { BaseHyper, Optimizer } from '../optimizer';
import { LRScheduler, checkNumber, type SchedulerStateDict } from './scheduler';

export class LinearWarmup extends LRScheduler {
  readonly warmupEpochs: number;
  readonly startFactor: number;
  /** The schedule after warm-up; LinearWarmup evaluates it and its own step() is not used. */
  readonly after: LRScheduler | null;

  constructor(optimizer: Optimizer<BaseHyper>, options: { warmupEpochs: number; startFactor?: number; after?: LRScheduler }) {
    super(optimizer);
    this.warmupEpochs = checkNumber('LinearWarmup', 'warmupEpochs', options.warmupEpochs, (v) => Number.isInteger(v) && v >= 0, 'a non-negative integer');
    this.startFactor = checkNumber('LinearWarmup', 'startFactor', options.startFactor ?? 0.1, (v) => v > 0 && v <= 1, 'a number in (0, 1]');
    this.after = options.after ?? null;
    if (this.after && this.after.optimizer !== optimizer) throw new TypeError('LinearWarmup: Expected the after schedule to drive the same optimizer');
    this.start();
  }

  lrAt(epoch: number, base: number): number {
    if (epoch < this.warmupEpochs) return base * (this.startFactor + ((1 - this.startFactor) * epoch) / this.warmupEpochs);
    return this.after ? this.after.lrAt(epoch - this.warmupEpochs, base) : base;
  }

  override stateDict(): SchedulerStateDict {
    return { ...super.stateDict(), after: this.after?.stateDict() ?? null };
  }
}
