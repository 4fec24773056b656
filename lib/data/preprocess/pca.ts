/**
 * PCA: the data, centred, projected onto the k directions of largest variance (the top
 * eigenvectors of the covariance matrix).
 */
import { Tensor } from '../../autograd/tensor';
import { describe } from '../../backend/validate';
import {
  LinearMap, Preprocessor, checkOrthonormalRows, checkStateKeys, stateArray, stateNumber, toList,
  type LoadableState,
} from './common';
import { symmetricEigen } from './eigen';
import { columnMeans, covariance } from './stats';

export interface PCAOptions {
  /** How many principal directions to keep: an integer from 1 to min(samples, features). */
  components: number;
}

export interface PCAState {
  mean: number[];
  /** k×d row-major: row i is the i-th principal direction. */
  components: number[];
  explainedVariance: number[];
  /** The sum of all d feature variances (the covariance's trace). */
  totalVariance: number;
}

/**
 * Projects centred data onto the top-k eigenvectors of its covariance, Σ = XcᵀXc / (n − 1): the
 * divisor n − 1, as scikit-learn's PCA, so explainedVariance is the unbiased sample variance
 * along each direction (and that of each output column on the fitted data). The covariance is
 * accumulated in double whatever the input dtype, and decomposed by symmetricEigen (double).
 *
 * Directions are signed so that their component of largest magnitude is positive. Directions
 * beyond the data's rank (at most n − 1) have variance 0 and are one arbitrary (but
 * deterministic) orthonormal completion.
 */
export class PCA extends Preprocessor<PCAState> {
  protected readonly label = 'PCA';
  /** k, the number of directions kept. */
  readonly nComponents: number;
  #mean: Float64Array | null = null;
  #map: LinearMap | null = null;
  #explainedVariance: Float64Array | null = null;
  #totalVariance = 0;

  constructor(options: PCAOptions) {
    super();
    const k = (options as PCAOptions | undefined)?.components;
    if (typeof k !== 'number' || !Number.isInteger(k) || k < 1) {
      throw new RangeError(`PCA: Expected a positive integer for components but received ${describe(k)}`);
    }
    this.nComponents = k;
  }

  get features(): number | null {
    return this.#mean?.length ?? null;
  }

  /** The per-feature means of the fitted data (a copy), or null before fit. */
  get mean(): Float64Array | null {
    return this.#mean && Float64Array.from(this.#mean);
  }

  /** The principal directions as a float64 tensor [k, features] (a copy), or null before fit. */
  get components(): Tensor | null {
    return this.#map && new Tensor(Float64Array.from(this.#map.matrix), [this.nComponents, this.#map.inputs]);
  }

  /** The variance of the fitted data along each direction (the top k eigenvalues), largest first. */
  get explainedVariance(): Float64Array | null {
    return this.#explainedVariance && Float64Array.from(this.#explainedVariance);
  }

  /**
   * Each direction's share of the total variance (sum of all feature variances): sorted
   * descending, summing to at most 1 (1 to rounding when k = features). All 0 if the data is constant.
   */
  get explainedVarianceRatio(): Float64Array | null {
    if (!this.#explainedVariance) return null;
    const total = this.#totalVariance;
    return this.#explainedVariance.map((v) => (total > 0 ? v / total : 0));
  }

  fit(x: Tensor): this {
    const [n, d] = this.checkFit(x, 2);
    const k = this.nComponents;
    if (k > Math.min(n, d)) {
      throw new RangeError(`PCA.fit: Expected components <= min(samples, features) = ${Math.min(n, d)} but components is ${k} (shape [${n}, ${d}])`);
    }
    const mean = columnMeans(x.data, n, d);
    const cov = covariance(x.data, n, d, mean, n - 1);
    let trace = 0;
    for (let j = 0; j < d; j++) trace += cov[j * d + j]!;
    const { values, vectors } = symmetricEigen(cov, d);
    // The covariance is positive semi-definite: a negative eigenvalue is rounding.
    const explained = values.slice(0, k).map((v) => Math.max(0, v));
    this.#mean = mean;
    this.#map = new LinearMap(vectors.slice(0, k * d), k, d);
    this.#explainedVariance = explained;
    this.#totalVariance = trace;
    return this;
  }

  /** x [n, features] → (x − mean)·componentsᵀ [n, k]. */
  transform(x: Tensor): Tensor {
    this.checkFitted('transform', x);
    return this.#map!.forward(x, this.#mean!);
  }

  /**
   * z [n, k] → z·components + mean [n, features]: the point in feature space that projects to
   * z. transform then inverseTransform keeps only the part of x in the span of the k
   * directions (exactly x when k = features).
   */
  inverseTransform(z: Tensor): Tensor {
    this.checkFitted('inverseTransform', z, this.#map && this.nComponents, 'components');
    return this.#map!.backward(z, this.#mean!);
  }

  stateDict(): PCAState {
    if (!this.#mean || !this.#map || !this.#explainedVariance) throw new Error('PCA.stateDict: not fitted yet: there is no state to save');
    return {
      mean: toList(this.#mean),
      components: toList(this.#map.matrix),
      explainedVariance: toList(this.#explainedVariance),
      totalVariance: this.#totalVariance,
    };
  }

  loadStateDict(state: LoadableState<PCAState>): void {
    const fn = 'PCA.loadStateDict';
    const k = this.nComponents;
    const s = checkStateKeys(fn, state, ['mean', 'components', 'explainedVariance', 'totalVariance']);
    const mean = stateArray(fn, s, 'mean', null);
    const d = mean.length;
    if (d < k) throw new RangeError(`${fn}: Expected at least ${k} values for mean (components is ${k}) but received ${d}`);
    const explained = stateArray(fn, s, 'explainedVariance', null, { min: 0 });
    if (explained.length !== k) {
      throw new RangeError(`${fn}: Expected ${k} values for explainedVariance (components is ${k}) but received ${explained.length}`);
    }
    for (let i = 1; i < k; i++) {
      if (explained[i]! > explained[i - 1]!) {
        throw new RangeError(`${fn}: Expected explainedVariance in descending order but explainedVariance[${i}] = ${explained[i]} > explainedVariance[${i - 1}] = ${explained[i - 1]}`);
      }
    }
    const components = stateArray(fn, s, 'components', k * d);
    checkOrthonormalRows(fn, 'components', components, k, d);
    const total = stateNumber(fn, s, 'totalVariance', 0);
    const explainedSum = explained.reduce((a, b) => a + b, 0);
    if (explainedSum > total * (1 + 1e-9) + Number.MIN_VALUE) {
      throw new RangeError(`${fn}: Expected totalVariance >= the sum of explainedVariance (${explainedSum}) but received ${total}`);
    }
    this.#mean = mean;
    this.#map = new LinearMap(components, k, d);
    this.#explainedVariance = explained;
    this.#totalVariance = total;
  }
}
