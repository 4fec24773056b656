/**
 * A Checkpoint that saves only epochs that ran every batch. Ctrl-C cancels the Trainer, which
 * leaves the cut epoch unended, but a callback's stop (the explosion guard) ends an epoch early
 * too; a checkpoint of such an epoch would let --resume skip the batches it never ran. Without
 * it, --resume repeats the cut epoch whole and ends bit-identical to a run that was never stopped.
 */
import { Checkpoint, type CheckpointOptions } from './checkpoint';
import type { EpochRecord, Trainer } from '../trainer';

export class WholeEpochCheckpoint extends Checkpoint {
  #batches = 0;

  constructor(dir: string, private readonly batchesPerEpoch: number, options: CheckpointOptions = {}) {
    super(dir, options);
  }

  onEpochBegin(): void {
    this.#batches = 0;
  }

  onBatchEnd(): void {
    this.#batches++;
  }

  override onEpochEnd(record: EpochRecord, trainer: Trainer): void {
    if (this.#batches === this.batchesPerEpoch) super.onEpochEnd(record, trainer);
  }
}
