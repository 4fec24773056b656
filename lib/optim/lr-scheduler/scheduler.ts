/**
 * LRScheduler: sets each parameter group's learning rate from a schedule of the epoch (the
 * number of scheduler steps), shaped like torch.optim.lr_scheduler. Call it after
 * optimizer.step(), as in PyTorch; the other order skips the schedule's first value and warns.
 */
import type { BaseHyper, Optimizer } from '../optimizer';

type Group = BaseHyper & { initialLr?: number };

export interface SchedulerStateDict {
  lastEpoch: number;
  baseLrs: number[];
  [field: string]: unknown;
}

let orderWarned = false;

export abstract class LRScheduler {
  readonly optimizer: Optimizer<BaseHyper>;
  /** The epoch whose learning rate is set now (0 after construction). */
  lastEpoch = -1;
  /** Each group's learning rate at epoch 0. */
  readonly baseLrs: number[];

  constructor(optimizer: Optimizer<BaseHyper>) {
    this.optimizer = optimizer;
    const groups = optimizer.paramGroups as Group[];
    for (const g of groups) g.initialLr ??= g.lr;
    this.baseLrs = groups.map((g) => g.initialLr!);
  }

  /** The learning rate at `epoch` for a group whose epoch-0 rate is baseLr. */
  abstract lrAt(epoch: number, baseLr: number): number;

  /** Sets epoch 0's rates: subclasses call it at the end of their constructor. */
  protected start(): void {
    this.lastEpoch = -1;
    this.advance();
  }

  private advance(): void {
    this.lastEpoch++;
    this.optimizer.paramGroups.forEach((g, i) => {
      g.lr = this.lrAt(this.lastEpoch, this.baseLrs[i]!);
    });
  }

  /** Moves to the next epoch's learning rates. */
  step(): void {
    if (this.optimizer.stepCount === 0 && !orderWarned) {
      orderWarned = true;
      process.emitWarning(
        'lrScheduler.step() was called before optimizer.step(): the schedule\'s first learning rate is skipped. ' +
          'Call optimizer.step() first, then scheduler.step(), as in PyTorch.',
        { code: 'TENSORGRAD_SCHEDULER_ORDER' },
      );
    }
    this.advance();
  }

  /** The learning rates the last step set, one per group. */
  getLastLr(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  stateDict(): SchedulerStateDict {
    return { lastEpoch: this.lastEpoch, baseLrs: [...this.baseLrs] };
  }

  /** Restores the epoch and base rates, and sets the learning rates of that epoch. */
  loadStateDict(state: SchedulerStateDict): void {
    if (!Number.isInteger(state?.lastEpoch) || !Array.isArray(state.baseLrs) || state.baseLrs.length !== this.baseLrs.length) {
      throw new RangeError(`${this.constructor.name}.loadStateDict: Expected lastEpoch and ${this.baseLrs.length} baseLrs`);
    }
    this.lastEpoch = state.lastEpoch;
    this.baseLrs.splice(0, this.baseLrs.length, ...state.baseLrs);
    this.optimizer.paramGroups.forEach((g, i) => {
      g.lr = this.lrAt(this.lastEpoch, this.baseLrs[i]!);
    });
  }
}

/** Throws unless value is a finite number satisfying ok(). */
export function checkNumber(owner: string, name: string, value: unknown, ok: (v: number) => boolean, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || !ok(value)) {
    throw new RangeError(`${owner}: Expected ${what} for ${name} but received ${String(value)}`);
  }
  return value;
}
