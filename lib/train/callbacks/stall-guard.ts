/**
 * StallGuard: the other half of the explosion guard. When the training loss barely moves over
 * the first epoch(s) — the mean of the last tenth of the batch losses within `minChange` of the
 * mean of the first tenth — the learning rate is probably too low, and it advises so
 * (Trainer.advise: fit() returns the advice and the train command prints it). It does not stop
 * training. A loss that rose instead, short of the guard's explosion, gets the advice that the
 * rate may be too high.
 */
import type { BatchRecord, Callback, EpochRecord, Trainer } from '../trainer';

export interface StallGuardOptions {
  /** Epochs to watch from the start of training (default 1). */
  epochs?: number;
  /** The smallest relative change of the loss that counts as moving (default 0.01, 1%). */
  minChange?: number;
}

export class StallGuard implements Callback {
  readonly epochs: number;
  readonly minChange: number;
  /** The advice it gave in the last fit(), if any. */
  advice: string | undefined;
  #losses: number[] = [];
  #first = -1;

  constructor(options: StallGuardOptions = {}) {
    this.epochs = options.epochs ?? 1;
    this.minChange = options.minChange ?? 0.01;
    if (!Number.isInteger(this.epochs) || this.epochs < 1) throw new RangeError(`StallGuard: Expected an integer epochs >= 1 but received ${this.epochs}`);
    if (!(this.minChange > 0 && this.minChange < 1)) throw new RangeError(`StallGuard: Expected minChange in (0, 1) but received ${this.minChange}`);
  }

  onTrainBegin(trainer: Trainer): void {
    this.advice = undefined;
    this.#losses = [];
    // Only the start of training tells: a resumed run past its first epochs is not judged again.
    this.#first = trainer.history.length === 0 ? 0 : -1;
  }

  onBatchEnd(record: BatchRecord): void {
    if (this.#first >= 0 && record.epoch < this.#first + this.epochs) this.#losses.push(record.loss);
  }

  onEpochEnd(record: EpochRecord, trainer: Trainer): void {
    if (this.#first < 0 || record.epoch !== this.#first + this.epochs - 1) return;
    const n = this.#losses.length;
    const k = Math.max(1, Math.floor(n / 10));
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    const start = mean(this.#losses.slice(0, k));
    const end = mean(this.#losses.slice(n - k));
    this.#losses = [];
    if (!Number.isFinite(start) || !Number.isFinite(end) || start === 0) return;
    const change = (end - start) / Math.abs(start);
    const over = this.epochs === 1 ? 'the first epoch' : `the first ${this.epochs} epochs`;
    const figures = `${start.toPrecision(5)} → ${end.toPrecision(5)}, ${change >= 0 ? '+' : ''}${(100 * change).toFixed(2)}%`;
    const lr = record.lr.toExponential(1);
    if (Math.abs(change) < this.minChange) {
      this.advice = `the training loss barely moved over ${over} (${figures}): the learning rate ${lr} is probably too low; raise it (tensorgrad lr-find suggests one)`;
    } else if (change > 0) {
      this.advice = `the training loss rose over ${over} (${figures}): the learning rate ${lr} may be too high; lower it (tensorgrad lr-find suggests one)`;
    }
    if (this.advice) trainer.advise(this.advice);
  }
}
