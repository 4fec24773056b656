/**
 * Callbacks: hooks into Trainer.fit, as in tfjs-layers and Keras, and into each training step,
 * where a gradient all-reduce, a loss scaler or gradient clipping plugs in without changing the
 * Trainer. T is the trainer (lib/train/trainer.ts: Callback = CallbackOf<Trainer>).
 *
 * Order within a step: onBatchBegin → forward → onLoss → backward → onGradients → optimizer
 * step (unless a hook skipped it) → onBatchEnd. Hooks of one kind run in the order of the
 * callbacks list: put a gradient all-reduce before a loss scaler's unscaling, and both before
 * clipping, so every process clips the same, true gradient.
 */
import type { Tensor } from '../autograd/tensor';
import type { BatchRecord, EpochRecord, TrainStep } from './records';

export type { BatchRecord } from './records';

export interface CallbackOf<T> {
  onTrainBegin?(trainer: T): void | Promise<void>;
  onTrainEnd?(trainer: T): void | Promise<void>;
  onEpochBegin?(epoch: number, trainer: T): void | Promise<void>;
  onEpochEnd?(record: EpochRecord, trainer: T): void | Promise<void>;
  onBatchBegin?(epoch: number, batch: number, trainer: T): void | Promise<void>;
  /**
   * After the forward pass, before backward: return a one-element tensor to back-propagate in
   * place of `loss` (a loss scaler returns loss × S), or nothing to keep it. `loss` is what the
   * hooks before this one returned (step.loss, the loss itself, for the first). Runs inside the
   * step's buffer pool, so ops here allocate nothing after warm-up; it cannot be async.
   */
  onLoss?(loss: Tensor, step: TrainStep, trainer: T): Tensor | void;
  /**
   * Between backward and the optimizer's step, with every gradient in place (step.gradients:
   * the arena's, all in one array): all-reduce, unscale, clip, inspect; step.skip(reason) skips
   * the update.
   */
  onGradients?(step: TrainStep, trainer: T): void | Promise<void>;
  /** output is valid until the next batch starts (its memory is reused): copy what you keep. */
  onBatchEnd?(record: BatchRecord, trainer: T, output: Tensor): void | Promise<void>;
}
