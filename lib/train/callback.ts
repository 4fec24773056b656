/** Callbacks: hooks into Trainer.fit, as in tfjs-layers and Keras. */
import type { Tensor } from '../autograd/tensor';
import type { EpochRecord, Trainer } from './trainer';

export interface BatchRecord {
  epoch: number;
  /** The batch's index within the epoch. */
  batch: number;
  /** Examples in the batch. */
  size: number;
  loss: number;
}

export interface Callback {
  onTrainBegin?(trainer: Trainer): void | Promise<void>;
  onTrainEnd?(trainer: Trainer): void | Promise<void>;
  onEpochBegin?(epoch: number, trainer: Trainer): void | Promise<void>;
  onEpochEnd?(record: EpochRecord, trainer: Trainer): void | Promise<void>;
  onBatchBegin?(epoch: number, batch: number, trainer: Trainer): void | Promise<void>;
  /** output is valid until the next batch starts (its memory is reused): copy what you keep. */
  onBatchEnd?(record: BatchRecord, trainer: Trainer, output: Tensor): void | Promise<void>;
}
