/**
 * EarlyStopping: stops training when a monitored value has not improved by more than minDelta
 * for `patience` epochs, and optionally restores the model as it was at its best epoch: every
 * parameter and buffer (BatchNorm's running statistics), in its own dtype, through the same path
 * as Trainer.restoreBest (model-state.ts).
 */
import type { Tensor } from '../../autograd/tensor';
import { copyModelState, restoreModelState } from '../model-state';
import { type Callback, type EpochRecord, type Trainer, monitoredValue } from '../trainer';

export interface EarlyStoppingOptions {
  /** An epoch-record key: "valLoss" (default), "trainLoss", "val.accuracy", … */
  monitor?: string;
  /** Whether smaller (min, the default for losses) or larger values are better. */
  mode?: 'min' | 'max';
  patience?: number;
  minDelta?: number;
  restoreBest?: boolean;
}

export class EarlyStopping implements Callback {
  readonly monitor: string;
  readonly mode: 'min' | 'max';
  readonly patience: number;
  readonly minDelta: number;
  readonly restoreBest: boolean;
  best = Number.NaN;
  bestEpoch = -1;
  wait = 0;
  /** The model's state at the best epoch (with restoreBest). */
  bestState: Record<string, Tensor> | null = null;

  constructor(options: EarlyStoppingOptions = {}) {
    this.monitor = options.monitor ?? 'valLoss';
    this.mode = options.mode ?? (this.monitor.toLowerCase().includes('loss') ? 'min' : 'max');
    this.patience = options.patience ?? 5;
    this.minDelta = Math.abs(options.minDelta ?? 0);
    this.restoreBest = options.restoreBest ?? true;
    if (!Number.isInteger(this.patience) || this.patience < 0) throw new RangeError(`EarlyStopping: Expected a non-negative integer patience but received ${this.patience}`);
  }

  onTrainBegin(): void {
    this.best = Number.NaN;
    this.bestEpoch = -1;
    this.wait = 0;
    this.bestState = null;
  }

  onEpochEnd(record: EpochRecord, trainer: Trainer): void {
    const value = monitoredValue(record, this.monitor);
    if (value === undefined) throw new RangeError(`EarlyStopping: the epoch record has no "${this.monitor}" (is there validation data?)`);
    const improved = this.bestEpoch < 0 || (this.mode === 'min' ? value < this.best - this.minDelta : value > this.best + this.minDelta);
    if (improved) {
      this.best = value;
      this.bestEpoch = record.epoch;
      this.wait = 0;
      if (this.restoreBest) this.bestState = copyModelState(trainer.model);
      return;
    }
    this.wait++;
    if (this.wait >= this.patience) {
      trainer.stop(`early stopping: ${this.monitor} has not improved for ${this.wait} epochs (best ${this.best} at epoch ${this.bestEpoch})`);
    }
  }

  onTrainEnd(trainer: Trainer): void {
    if (!this.restoreBest || !this.bestState || !trainer.stopping) return;
    restoreModelState(trainer.model, this.bestState);
  }
}
