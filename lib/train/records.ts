/** What the Trainer records and hands its callbacks: per batch, per step, per epoch, per fit. */
import type { Tensor } from '../autograd/tensor';

export interface BatchRecord {
  epoch: number;
  /** The batch's index within the epoch. */
  batch: number;
  /** Examples in the batch. */
  size: number;
  loss: number;
  /** Why a gradient hook skipped this batch's optimizer update (a loss scaler's overflow), if it did. */
  skipped?: string;
}

/**
 * One training step as the loss and gradient hooks see it (Callback.onLoss, onGradients). The
 * Trainer reuses the object: what it holds is valid until the next step starts.
 */
export interface TrainStep {
  readonly epoch: number;
  readonly batch: number;
  /** Examples in the batch. */
  readonly size: number;
  readonly output: Tensor;
  /** The loss function's value on the batch (what onLoss hooks may replace for backward). */
  readonly loss: Tensor;
  /** The parameters the optimizer updates (their .grad set once backward has run). */
  readonly parameters: readonly Tensor[];
  /**
   * The gradients of the Trainer's parameter arena back to back, one Float32Array over every
   * float32 parameter the optimizer updates (each parameter's .grad a view of it), or null when
   * the Trainer keeps no arena. Row-sparse gradients stay with their parameters (zeros here).
   */
  readonly gradients: Float32Array | null;
  /** Why the optimizer update is skipped this step, or null. */
  readonly skipped: string | null;
  /** Skips this step's optimizer update (the first reason given is kept). */
  skip(reason: string): void;
}

export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  /** Training metrics by name (accumulated over the epoch's batches, in training mode). */
  train: Record<string, number>;
  valLoss?: number;
  val?: Record<string, number>;
  /** The first group's learning rate during the epoch. */
  lr: number;
  seconds: number;
  samplesPerSecond: number;
}

export interface Evaluation {
  loss: number;
  metrics: Record<string, number>;
}

export interface FitResult {
  history: EpochRecord[];
  /** Why training ended before its last epoch, if it did. */
  stoppedEarly?: string;
  /**
   * The epoch that cancellation (the AbortSignal) cut short, with its loss and metrics over the
   * batches it ran. It is not in the history and did not step the scheduler or reach onEpochEnd:
   * a resumed run repeats it whole.
   */
  partialEpoch?: EpochRecord;
  /** What the callbacks advised (Trainer.advise): "the learning rate is probably too low", … */
  advice?: string[];
}

export interface TrainerState {
  history: EpochRecord[];
  bestEpoch: number;
  bestValue: number;
}
