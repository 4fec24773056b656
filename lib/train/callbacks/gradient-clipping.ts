/**
 * GradientClipping: clips the gradients between backward and the optimizer's step (onGradients),
 * by their total L2 norm (clipGradNorm) and/or elementwise (clipGradValue). List it after a
 * gradient all-reduce or a loss scaler's unscaling, so it clips the true, global gradient.
 */
import { clipGradNorm, clipGradValue } from '../../optim/clip';
import type { TrainStep } from '../records';
import type { Callback } from '../trainer';

export interface GradientClippingOptions {
  /** Scale every gradient down when their total L2 norm exceeds this. */
  maxNorm?: number;
  /** Clamp each gradient value to [−maxValue, maxValue] (after the norm clipping). */
  maxValue?: number;
  /** Throw when the total norm is not finite instead of clipping NaNs on (clipGradNorm's errorIfNonfinite). */
  errorIfNonfinite?: boolean;
}

export class GradientClipping implements Callback {
  readonly maxNorm: number | undefined;
  readonly maxValue: number | undefined;
  readonly errorIfNonfinite: boolean;
  /** The total gradient norm of the last step, before clipping (NaN without maxNorm). */
  lastNorm = Number.NaN;

  constructor(options: GradientClippingOptions) {
    const check = (name: string, value: unknown) => {
      if (value === undefined) return undefined;
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new RangeError(`GradientClipping: Expected a finite number >= 0 for ${name} but received ${String(value)}`);
      return value;
    };
    this.maxNorm = check('maxNorm', options?.maxNorm);
    this.maxValue = check('maxValue', options?.maxValue);
    if (this.maxNorm === undefined && this.maxValue === undefined) throw new TypeError('GradientClipping: Expected maxNorm or maxValue (or both)');
    this.errorIfNonfinite = options.errorIfNonfinite ?? false;
  }

  onGradients(step: TrainStep): void {
    if (this.maxNorm !== undefined) this.lastNorm = clipGradNorm(step.parameters, this.maxNorm, { errorIfNonfinite: this.errorIfNonfinite });
    if (this.maxValue !== undefined) clipGradValue(step.parameters, this.maxValue);
  }
}
