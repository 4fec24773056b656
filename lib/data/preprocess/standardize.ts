/**
 * Center (x − mean) and Standardize ((x − mean) / std), per feature, with the statistics of the
 * split they were fitted on. The notes' `X -= np.mean(X, axis=0)` and `X /= np.std(X, axis=0)`.
 */
import type { Tensor } from '../../autograd/tensor';
import {
  Preprocessor, checkStateKeys, mapColumns, stateArray, toList, type LoadableState,
} from './common';
import { columnMeans, columnVariances } from './stats';

export interface CenterState {
  mean: number[];
}

/** Subtracts the per-feature mean of the data it was fitted on. */
export class Center extends Preprocessor<CenterState> {
  protected readonly label = 'Center';
  #mean: Float64Array | null = null;

  get features(): number | null {
    return this.#mean?.length ?? null;
  }

  /** The fitted per-feature means (a copy), or null before fit. */
  get mean(): Float64Array | null {
    return this.#mean && Float64Array.from(this.#mean);
  }

  fit(x: Tensor): this {
    const [n, d] = this.checkFit(x, 1);
    this.#mean = columnMeans(x.data, n, d);
    return this;
  }

  transform(x: Tensor): Tensor {
    this.checkFitted('transform', x);
    return mapColumns(x, this.#mean!, null, false);
  }

  /** x + mean: undoes transform (to rounding in x's dtype). */
  inverseTransform(x: Tensor): Tensor {
    this.checkFitted('inverseTransform', x);
    return mapColumns(x, this.#mean!, null, true);
  }

  stateDict(): CenterState {
    const fn = `${this.label}.stateDict`;
    if (!this.#mean) throw new Error(`${fn}: not fitted yet: there is no state to save`);
    return { mean: toList(this.#mean) };
  }

  loadStateDict(state: LoadableState<CenterState>): void {
    const fn = `${this.label}.loadStateDict`;
    const s = checkStateKeys(fn, state, ['mean']);
    const mean = stateArray(fn, s, 'mean', null);
    if (mean.length < 1) throw new RangeError(`${fn}: Expected at least 1 value for mean but received 0`);
    this.#mean = mean;
  }
}

export interface StandardizeState {
  mean: number[];
  /** What each centred feature is divided by: its standard deviation, or 1 for a constant one. */
  scale: number[];
}

/**
 * (x − mean) / std per feature, so each feature of the fitted data has mean 0 and variance 1.
 *
 * std is the population standard deviation (divisor n), as numpy's np.std and scikit-learn's
 * StandardScaler compute it. A feature that is constant on the fitted data (variance 0, or no
 * more than the rounding of its mean, (n·ε·mean)², can leave) gets scale 1 instead, as in
 * scikit-learn: it is centred, not divided by zero, so its outputs stay finite (0 on the fitted
 * data).
 */
export class Standardize extends Preprocessor<StandardizeState> {
  protected readonly label = 'Standardize';
  #mean: Float64Array | null = null;
  #scale: Float64Array | null = null;

  get features(): number | null {
    return this.#mean?.length ?? null;
  }

  /** The fitted per-feature means (a copy), or null before fit. */
  get mean(): Float64Array | null {
    return this.#mean && Float64Array.from(this.#mean);
  }

  /** The per-feature divisors (a copy): standard deviations, 1 for constant features. */
  get scale(): Float64Array | null {
    return this.#scale && Float64Array.from(this.#scale);
  }

  fit(x: Tensor): this {
    const [n, d] = this.checkFit(x, 1);
    const mean = columnMeans(x.data, n, d);
    const variance = columnVariances(x.data, n, d, mean, n);
    const scale = new Float64Array(d);
    const eps = 2 ** -52;
    for (let j = 0; j < d; j++) {
      const constant = variance[j]! <= (n * eps * mean[j]!) ** 2;
      scale[j] = constant ? 1 : Math.sqrt(variance[j]!);
    }
    this.#mean = mean;
    this.#scale = scale;
    return this;
  }

  transform(x: Tensor): Tensor {
    this.checkFitted('transform', x);
    return mapColumns(x, this.#mean!, this.#scale!, false);
  }

  /** x·scale + mean: undoes transform (to rounding in x's dtype). */
  inverseTransform(x: Tensor): Tensor {
    this.checkFitted('inverseTransform', x);
    return mapColumns(x, this.#mean!, this.#scale!, true);
  }

  stateDict(): StandardizeState {
    const fn = `${this.label}.stateDict`;
    if (!this.#mean || !this.#scale) throw new Error(`${fn}: not fitted yet: there is no state to save`);
    return { mean: toList(this.#mean), scale: toList(this.#scale) };
  }

  loadStateDict(state: LoadableState<StandardizeState>): void {
    const fn = `${this.label}.loadStateDict`;
    const s = checkStateKeys(fn, state, ['mean', 'scale']);
    const mean = stateArray(fn, s, 'mean', null);
    if (mean.length < 1) throw new RangeError(`${fn}: Expected at least 1 value for mean but received 0`);
    const scale = stateArray(fn, s, 'scale', mean.length, { positive: true });
    this.#mean = mean;
    this.#scale = scale;
  }
}
