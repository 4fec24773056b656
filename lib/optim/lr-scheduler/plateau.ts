/**
 * ReduceLROnPlateau: multiplies the learning rate by `factor` when a watched metric (a
 * validation loss, say) has not improved for `patience` epochs, as torch's does: improvement is
 * relative or absolute beyond `threshold`, a cooldown follows each reduction, and rates never go
 * below minLr (changes smaller than eps are skipped).
 */
import type { BaseHyper, Optimizer } from '../optimizer';
import { checkNumber } from './scheduler';

export interface PlateauOptions {
  mode?: 'min' | 'max';
  factor?: number;
  patience?: number;
  threshold?: number;
  thresholdMode?: 'rel' | 'abs';
  cooldown?: number;
  minLr?: number;
  eps?: number;
}

export interface PlateauState {
  best: number;
  badEpochs: number;
  cooldownLeft: number;
  lastEpoch: number;
}

export class ReduceLROnPlateau {
  readonly optimizer: Optimizer<BaseHyper>;
  readonly options: Required<PlateauOptions>;
  best: number;
  badEpochs = 0;
  cooldownLeft = 0;
  lastEpoch = 0;

  constructor(optimizer: Optimizer<BaseHyper>, options: PlateauOptions = {}) {
    this.optimizer = optimizer;
    const o = { mode: 'min', factor: 0.1, patience: 10, threshold: 1e-4, thresholdMode: 'rel', cooldown: 0, minLr: 0, eps: 1e-8, ...options } as Required<PlateauOptions>;
    if (o.mode !== 'min' && o.mode !== 'max') throw new TypeError(`ReduceLROnPlateau: Expected mode "min" or "max" but received ${String(o.mode)}`);
    if (o.thresholdMode !== 'rel' && o.thresholdMode !== 'abs') throw new TypeError(`ReduceLROnPlateau: Expected thresholdMode "rel" or "abs" but received ${String(o.thresholdMode)}`);
    checkNumber('ReduceLROnPlateau', 'factor', o.factor, (v) => v > 0 && v < 1, 'a number in (0, 1)');
    checkNumber('ReduceLROnPlateau', 'patience', o.patience, (v) => Number.isInteger(v) && v >= 0, 'a non-negative integer');
    checkNumber('ReduceLROnPlateau', 'cooldown', o.cooldown, (v) => Number.isInteger(v) && v >= 0, 'a non-negative integer');
    checkNumber('ReduceLROnPlateau', 'threshold', o.threshold, (v) => v >= 0, 'a non-negative number');
    checkNumber('ReduceLROnPlateau', 'minLr', o.minLr, (v) => v >= 0, 'a non-negative number');
    this.options = o;
    this.best = o.mode === 'min' ? Infinity : -Infinity;
  }

  private improves(value: number): boolean {
    const { mode, threshold, thresholdMode } = this.options;
    if (mode === 'min') return value < (thresholdMode === 'rel' ? this.best * (1 - threshold) : this.best - threshold);
    return value > (thresholdMode === 'rel' ? this.best * (1 + threshold) : this.best + threshold);
  }

  /** Records one epoch's metric and reduces the learning rates after `patience` bad epochs. */
  step(metric: number): void {
    if (typeof metric !== 'number' || Number.isNaN(metric)) {
      throw new RangeError(`ReduceLROnPlateau.step: Expected a metric value but received ${String(metric)}`);
    }
    this.lastEpoch++;
    if (this.improves(metric)) {
      this.best = metric;
      this.badEpochs = 0;
    } else {
      this.badEpochs++;
    }
    if (this.cooldownLeft > 0) {
      this.cooldownLeft--;
      this.badEpochs = 0;
    }
    if (this.badEpochs > this.options.patience) {
      for (const g of this.optimizer.paramGroups) {
        const reduced = Math.max(g.lr * this.options.factor, this.options.minLr);
        if (g.lr - reduced > this.options.eps) g.lr = reduced;
      }
      this.cooldownLeft = this.options.cooldown;
      this.badEpochs = 0;
    }
  }

  getLastLr(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  stateDict(): PlateauState {
    return { best: this.best, badEpochs: this.badEpochs, cooldownLeft: this.cooldownLeft, lastEpoch: this.lastEpoch };
  }

  loadStateDict(state: PlateauState): void {
    this.best = state.best;
    this.badEpochs = state.badEpochs;
    this.cooldownLeft = state.cooldownLeft;
    this.lastEpoch = state.lastEpoch;
  }
}
