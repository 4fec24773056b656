/** Checkpoint: saves everything needed to resume (train/checkpoints) every N epochs, keeping the last few. */
import { saveCheckpoint } from '../checkpoints';
import type { Callback, EpochRecord, Trainer } from '../trainer';

export interface CheckpointOptions {
  every?: number;
  keepLast?: number;
  /** The run's configuration, stored with each checkpoint. */
  config?: unknown;
}

export class Checkpoint implements Callback {
  readonly dir: string;
  readonly every: number;
  readonly keepLast: number;
  readonly config: unknown;
  /** The last checkpoint written. */
  last: string | null = null;

  constructor(dir: string, options: CheckpointOptions = {}) {
    this.dir = dir;
    this.every = options.every ?? 1;
    this.keepLast = options.keepLast ?? 3;
    this.config = options.config;
    if (!Number.isInteger(this.every) || this.every < 1) throw new RangeError(`Checkpoint: Expected every >= 1 but received ${this.every}`);
  }

  onEpochEnd(record: EpochRecord, trainer: Trainer): void {
    if ((record.epoch + 1) % this.every !== 0) return;
    this.last = saveCheckpoint(
      this.dir,
      { model: trainer.model, optimizer: trainer.optimizer, ...(trainer.scheduler ? { scheduler: trainer.scheduler } : {}), trainer, config: this.config },
      { step: record.epoch + 1, keepLast: this.keepLast },
    );
  }
}
