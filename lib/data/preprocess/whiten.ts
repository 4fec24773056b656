/**
 * Whitening: a linear map after centring that makes the covariance of the fitted data the
 * identity (the notes' X̂ = Cov^{−1/2}·X, Cov(X̂) = I), with epsilon added to the eigenvalues so
 * that directions of (nearly) zero variance are not blown up.
 */
import { Tensor } from '../../autograd/tensor';
import { describe } from '../../backend/validate';
import {
  LinearMap, Preprocessor, checkOrthonormalRows, checkStateKeys, stateArray, stateNumber, toList,
  type LoadableState,
} from './common';
import { symmetricEigen } from './eigen';
import { columnMeans, covariance } from './stats';

export type WhitenMethod = 'pca' | 'zca';

export interface WhitenOptions {
  /**
   * 'zca' (the default): W = V·(Λ + ε)^{−1/2}·Vᵀ, symmetric, the whitening that moves the data
   * least (outputs stay aligned with the input features: whitened images still look like
   * images). 'pca': W = (Λ + ε)^{−1/2}·Vᵀ, output j is the data along the j-th principal
   * direction divided by its standard deviation (largest-variance direction first).
   */
  method?: WhitenMethod;
  /**
   * Added to every eigenvalue of the covariance before the inverse square root (default 1e-5, as
   * in CS231n's notes). It is in the data's units squared: pick it against the feature variances.
   * 0 is allowed when the covariance has no zero eigenvalue.
   */
  epsilon?: number;
}

export interface WhitenState {
  method: WhitenMethod;
  epsilon: number;
  mean: number[];
  /** The covariance's eigenvalues, largest first (clamped at 0). */
  eigenvalues: number[];
  /** d×d row-major: row i is the unit eigenvector of eigenvalues[i]. */
  eigenvectors: number[];
}

/**
 * z = (x − mean)·Wᵀ with Σ = XcᵀXc / (n − 1) = V Λ Vᵀ (V's columns the eigenvectors; divisor
 * n − 1 as in PCA). The fitted data's output covariance (same divisor) is then
 * diag(λ / (λ + ε)) for 'pca' and V·diag(λ / (λ + ε))·Vᵀ for 'zca': the identity as ε → 0.
 * Statistics and the eigen-decomposition are in double; inverseTransform is exact (both maps are
 * invertible when every λ + ε > 0).
 */
export class Whiten extends Preprocessor<WhitenState> {
  protected readonly label = 'Whiten';
  readonly method: WhitenMethod;
  readonly epsilon: number;
  #mean: Float64Array | null = null;
  #eigenvalues: Float64Array | null = null;
  #eigenvectors: Float64Array | null = null;
  #forward: LinearMap | null = null;
  #backward: LinearMap | null = null;

  constructor(options: WhitenOptions = {}) {
    super();
    const { method = 'zca', epsilon = 1e-5 } = options;
    if (method !== 'pca' && method !== 'zca') {
      throw new TypeError(`Whiten: Expected "pca" or "zca" for method but received ${typeof method === 'string' ? JSON.stringify(method) : describe(method)}`);
    }
    if (typeof epsilon !== 'number' || !Number.isFinite(epsilon) || epsilon < 0) {
      throw new RangeError(`Whiten: Expected a finite number >= 0 for epsilon but received ${describe(epsilon)}`);
    }
    this.method = method;
    this.epsilon = epsilon;
  }

  get features(): number | null {
    return this.#mean?.length ?? null;
  }

  /** The per-feature means of the fitted data (a copy), or null before fit. */
  get mean(): Float64Array | null {
    return this.#mean && Float64Array.from(this.#mean);
  }

  /** The covariance's eigenvalues, largest first (a copy), or null before fit. */
  get eigenvalues(): Float64Array | null {
    return this.#eigenvalues && Float64Array.from(this.#eigenvalues);
  }

  /** The covariance's eigenvectors as the rows of a float64 tensor [d, d] (a copy). */
  get eigenvectors(): Tensor | null {
    const d = this.features;
    return d === null ? null : new Tensor(Float64Array.from(this.#eigenvectors!), [d, d]);
  }

  /** W as a float64 tensor [d, d] (a copy): transform(x) = (x − mean)·Wᵀ. */
  get matrix(): Tensor | null {
    const d = this.features;
    return d === null ? null : new Tensor(Float64Array.from(this.#forward!.matrix), [d, d]);
  }

  fit(x: Tensor): this {
    const [n, d] = this.checkFit(x, 2);
    const mean = columnMeans(x.data, n, d);
    const { values, vectors } = symmetricEigen(covariance(x.data, n, d, mean, n - 1), d);
    for (let i = 0; i < d; i++) values[i] = Math.max(0, values[i]!); // negative: rounding
    this.#set('Whiten.fit', mean, values, vectors);
    return this;
  }

  /** x [n, d] → (x − mean)·Wᵀ [n, d]. */
  transform(x: Tensor): Tensor {
    this.checkFitted('transform', x);
    return this.#forward!.forward(x, this.#mean!);
  }

  /** z [n, d] → z·W⁻ᵀ + mean: undoes transform (to rounding). */
  inverseTransform(z: Tensor): Tensor {
    this.checkFitted('inverseTransform', z);
    return this.#backward!.backward(z, this.#mean!);
  }

  stateDict(): WhitenState {
    if (!this.#mean) throw new Error('Whiten.stateDict: not fitted yet: there is no state to save');
    return {
      method: this.method,
      epsilon: this.epsilon,
      mean: toList(this.#mean),
      eigenvalues: toList(this.#eigenvalues!),
      eigenvectors: toList(this.#eigenvectors!),
    };
  }

  loadStateDict(state: LoadableState<WhitenState>): void {
    const fn = 'Whiten.loadStateDict';
    const s = checkStateKeys(fn, state, ['method', 'epsilon', 'mean', 'eigenvalues', 'eigenvectors']);
    if (s.method !== this.method) {
      throw new RangeError(`${fn}: Expected method ${JSON.stringify(this.method)} (as constructed) but the state dict has ${typeof s.method === 'string' ? JSON.stringify(s.method) : describe(s.method)}`);
    }
    const epsilon = stateNumber(fn, s, 'epsilon', 0);
    if (epsilon !== this.epsilon) {
      throw new RangeError(`${fn}: Expected epsilon ${this.epsilon} (as constructed) but the state dict has ${epsilon}`);
    }
    const mean = stateArray(fn, s, 'mean', null);
    const d = mean.length;
    if (d < 1) throw new RangeError(`${fn}: Expected at least 1 value for mean but received 0`);
    const values = stateArray(fn, s, 'eigenvalues', d, { min: 0 });
    for (let i = 1; i < d; i++) {
      if (values[i]! > values[i - 1]!) {
        throw new RangeError(`${fn}: Expected eigenvalues in descending order but eigenvalues[${i}] = ${values[i]} > eigenvalues[${i - 1}] = ${values[i - 1]}`);
      }
    }
    const vectors = stateArray(fn, s, 'eigenvectors', d * d);
    checkOrthonormalRows(fn, 'eigenvectors', vectors, d, d);
    this.#set(fn, mean, values, vectors);
  }

  /** Builds W and its inverse from the eigen-decomposition, then keeps all of it. */
  #set(fn: string, mean: Float64Array, values: Float64Array, vectors: Float64Array): void {
    const d = mean.length;
    const smallest = values[d - 1]! + this.epsilon;
    if (!(smallest > 0)) {
      throw new RangeError(
        `${fn}: the covariance is singular (smallest eigenvalue ${values[d - 1]}) and epsilon is ${this.epsilon}: ` +
          'whitening would divide by zero; use epsilon > 0',
      );
    }
    const inverseRoot = values.map((v) => 1 / Math.sqrt(v + this.epsilon));
    const root = values.map((v) => Math.sqrt(v + this.epsilon));
    let forward: Float64Array;
    let backward: Float64Array;
    if (this.method === 'pca') {
      // Row i: v_i / √(λ_i + ε) forward, v_i·√(λ_i + ε) back.
      forward = vectors.map((v, i) => v * inverseRoot[Math.floor(i / d)]!);
      backward = vectors.map((v, i) => v * root[Math.floor(i / d)]!);
    } else {
      forward = symmetricProduct(vectors, inverseRoot, d);
      backward = symmetricProduct(vectors, root, d);
    }
    this.#mean = mean;
    this.#eigenvalues = values;
    this.#eigenvectors = vectors;
    this.#forward = new LinearMap(forward, d, d);
    this.#backward = new LinearMap(backward, d, d);
  }
}

/** Σᵢ sᵢ·vᵢvᵢᵀ for the rows vᵢ of vectors (d×d): exactly symmetric (upper triangle mirrored). */
function symmetricProduct(vectors: Float64Array, s: Float64Array, d: number): Float64Array {
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    const v = vectors.subarray(i * d, i * d + d);
    const si = s[i]!;
    for (let a = 0; a < d; a++) {
      const t = si * v[a]!;
      if (t === 0) continue;
      const row = a * d;
      for (let b = a; b < d; b++) out[row + b]! += t * v[b]!;
    }
  }
  for (let a = 0; a < d; a++) for (let b = a + 1; b < d; b++) out[b * d + a] = out[a * d + b]!;
  return out;
}
