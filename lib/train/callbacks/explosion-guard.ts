/**
 * ExplosionGuard: stops training, saying why, when a batch loss is NaN or infinite, or exceeds
 * `factor` (default 3) times the first batch's loss — the notes' sign that the learning rate is
 * too high. (Resumed: times the first epoch's mean loss.)
 */
import type { BatchRecord, Callback, Trainer } from '../trainer';

export class ExplosionGuard implements Callback {
  readonly factor: number;
  firstLoss = Number.NaN;
  /** The reason it stopped training, if it did. */
  reason: string | undefined;

  constructor(options: { factor?: number } = {}) {
    this.factor = options.factor ?? 3;
    if (!(this.factor > 1)) throw new RangeError(`ExplosionGuard: Expected a factor above 1 but received ${this.factor}`);
  }

  onTrainBegin(trainer: Trainer): void {
    // A resumed run keeps its reference: the first epoch's mean loss (its first batch's is gone),
    // not the first batch after the checkpoint, which a trained model makes small.
    this.firstLoss = trainer.history[0]?.trainLoss ?? Number.NaN;
    this.reason = undefined;
  }

  onBatchEnd(record: BatchRecord, trainer: Trainer): void {
    if (Number.isNaN(this.firstLoss)) this.firstLoss = record.loss;
    if (!Number.isFinite(record.loss)) {
      this.reason = `explosion guard: the loss became ${record.loss} at epoch ${record.epoch}, batch ${record.batch}`;
    } else if (record.loss > this.factor * this.firstLoss && this.firstLoss > 0) {
      this.reason = `explosion guard: the loss ${record.loss} at epoch ${record.epoch}, batch ${record.batch} exceeds ${this.factor}× the first loss ${this.firstLoss}`;
    }
    if (this.reason) trainer.stop(`${this.reason}; lower the learning rate`);
  }
}
