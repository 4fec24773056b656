/**
 * What the preprocessors share: the fit / transform / state-dict contract, checks of the data
 * and of loaded state (in the "Expected … but received …" voice), and the two ways they map rows:
 * per column ((x − mean) / scale) and by a matrix ((x − mean)·Mᵀ, on the gemm kernel of the
 * data's dtype).
 */
import { Tensor, allocate, kernelsFor, type DType, type FloatArray } from '../../autograd/tensor';
import { describe } from '../../backend/validate';
import { formatShape } from '../../format-shape';

/** An array in a state dict as loadStateDict() takes it: plain numbers (from JSON) or typed. */
export type StateArray = readonly number[] | Float32Array | Float64Array;

/** A state dict with its arrays in any form loadStateDict() accepts. */
export type LoadableState<S> = { [K in keyof S]: S[K] extends number[] ? StateArray : S[K] };

/**
 * Fitted on one split (fit), applied to any (transform). The state dict holds plain numbers,
 * strings and number arrays, so JSON.stringify/JSON.parse round-trips it exactly.
 */
export abstract class Preprocessor<S extends object> {
  /** The class name errors are reported under. */
  protected abstract readonly label: string;
  /** The feature count seen by fit() or loadStateDict(), or null before either. */
  abstract get features(): number | null;

  get fitted(): boolean {
    return this.features !== null;
  }

  /** Computes the statistics from x [samples, features]; returns this. */
  abstract fit(x: Tensor): this;
  /** x [samples, features] → a new tensor of x's dtype. */
  abstract transform(x: Tensor): Tensor;
  /** The fitted state, as plain numbers and arrays (copies). */
  abstract stateDict(): S;
  /**
   * Replaces the state with a saved one (arrays copied), after checking every key, length and
   * value; on an error nothing changes.
   */
  abstract loadStateDict(state: LoadableState<S>): void;

  fitTransform(x: Tensor): Tensor {
    return this.fit(x).transform(x);
  }

  /**
   * x's [rows, columns], checked to be a 2-D tensor with the fitted feature count (or another
   * column count, named by what).
   */
  protected checkFitted(method: string, x: unknown, features = this.features, what = 'features'): [number, number] {
    const fn = `${this.label}.${method}`;
    if (features === null) {
      throw new Error(`${fn}: not fitted yet: call fit(x) (or fitTransform, or loadStateDict) first`);
    }
    const [n, d] = checkMatrix(fn, x);
    if (d !== features) {
      throw new RangeError(`${fn}: Expected ${features} ${what} (as fitted) but received ${d} (shape ${formatShape([n, d])})`);
    }
    return [n, d];
  }

  /** x's [rows, columns] for fit(): a 2-D tensor of finite values with enough rows. */
  protected checkFit(x: unknown, minRows: number): [number, number] {
    const fn = `${this.label}.fit`;
    const [n, d] = checkMatrix(fn, x);
    if (n < minRows || d < 1) {
      throw new RangeError(`${fn}: Expected at least ${minRows} sample${minRows > 1 ? 's' : ''} and 1 feature but received shape ${formatShape([n, d])}`);
    }
    const data = (x as Tensor).data;
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i])) {
        throw new RangeError(`${fn}: Expected finite values but x[${Math.floor(i / d)}, ${i % d}] is ${data[i]}`);
      }
    }
    return [n, d];
  }
}

function checkMatrix(fn: string, x: unknown): [number, number] {
  if (!(x instanceof Tensor)) throw new TypeError(`${fn}: Expected a Tensor [samples, features] but received ${describe(x)}`);
  if (x.ndim !== 2) {
    throw new RangeError(`${fn}: Expected a 2-D tensor [samples, features] but received shape ${formatShape(x.shape)}`);
  }
  return [x.shape[0]!, x.shape[1]!];
}

/** The state as an object with exactly these keys (listing the missing and the unexpected). */
export function checkStateKeys(fn: string, state: unknown, keys: readonly string[]): Record<string, unknown> {
  if (typeof state !== 'object' || state === null || Array.isArray(state) || ArrayBuffer.isView(state)) {
    throw new TypeError(`${fn}: Expected a state dict object but received ${describe(state)}`);
  }
  const missing = keys.filter((k) => !(k in state));
  const unexpected = Object.keys(state).filter((k) => !keys.includes(k));
  if (missing.length > 0 || unexpected.length > 0) {
    throw new Error(`${fn}: the state dict does not match: missing keys [${missing.join(', ')}], unexpected keys [${unexpected.join(', ')}]`);
  }
  return state as Record<string, unknown>;
}

/** A state array of finite numbers, as a new Float64Array; length checked when given. */
export function stateArray(
  fn: string, state: Record<string, unknown>, key: string, length: number | null,
  options: { min?: number; positive?: boolean } = {},
): Float64Array {
  const value = state[key];
  if (!Array.isArray(value) && !(value instanceof Float32Array) && !(value instanceof Float64Array)) {
    throw new TypeError(`${fn}: Expected an array of numbers, a Float32Array or a Float64Array for ${key} but received ${describe(value)}`);
  }
  if (length !== null && value.length !== length) {
    throw new RangeError(`${fn}: Expected ${length} values for ${key} but received ${value.length}`);
  }
  const out = new Float64Array(value.length);
  for (let i = 0; i < value.length; i++) {
    const v: unknown = value[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new TypeError(`${fn}: Expected finite numbers in ${key} but ${key}[${i}] is ${describe(v)}`);
    }
    if (options.positive && !(v > 0)) throw new RangeError(`${fn}: Expected positive values in ${key} but ${key}[${i}] is ${v}`);
    if (options.min !== undefined && v < options.min) {
      throw new RangeError(`${fn}: Expected values >= ${options.min} in ${key} but ${key}[${i}] is ${v}`);
    }
    out[i] = v;
  }
  return out;
}

/** A finite number in the state dict, at least min. */
export function stateNumber(fn: string, state: Record<string, unknown>, key: string, min: number): number {
  const v = state[key];
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min) {
    throw new RangeError(`${fn}: Expected a finite number >= ${min} for ${key} but received ${describe(v)}`);
  }
  return v;
}

/** Checks that the m rows of the m×d matrix are orthonormal to within tolerance. */
export function checkOrthonormalRows(fn: string, key: string, rows: Float64Array, m: number, d: number, tolerance = 1e-6): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j <= i; j++) {
      let dot = 0;
      for (let k = 0; k < d; k++) dot += rows[i * d + k]! * rows[j * d + k]!;
      const want = i === j ? 1 : 0;
      if (Math.abs(dot - want) > tolerance) {
        throw new RangeError(`${fn}: Expected orthonormal rows in ${key} but row ${i} · row ${j} = ${dot} (expected ${want})`);
      }
    }
  }
}

/** The values as an array for a state dict (JSON-safe). */
export function toList(values: Float64Array): number[] {
  return Array.from(values);
}

/**
 * Column by column: (x − shift) / scale, or with inverse x·scale + shift; computed in double,
 * stored in x's dtype. scale null means 1.
 */
export function mapColumns(x: Tensor, shift: Float64Array, scale: Float64Array | null, inverse: boolean): Tensor {
  const [n, d] = x.shape as [number, number];
  const out = allocate([n, d], x.dtype);
  const src = x.data;
  for (let r = 0; r < n; r++) {
    const row = r * d;
    for (let j = 0; j < d; j++) {
      const v = src[row + j]!;
      if (inverse) out[row + j] = scale ? v * scale[j]! + shift[j]! : v + shift[j]!;
      else out[row + j] = scale ? (v - shift[j]!) / scale[j]! : v - shift[j]!;
    }
  }
  return new Tensor(out, [n, d]);
}

/** Elements per block of rows in the matrix maps: blocks of 2^16 values keep the copy small. */
const BLOCK_ELEMENTS = 1 << 16;

/**
 * A linear map between d input features and m outputs, given as an m×d row-major matrix M in
 * double: forward (x − mean)·Mᵀ, backward z·M + mean. The product runs on the gemm of the data's
 * dtype (the selected backend for float32, the float64 reference kernels for float64); the
 * centring and the mean are added in double.
 */
export class LinearMap {
  readonly matrix: Float64Array;
  readonly outputs: number;
  readonly inputs: number;
  #float32: Float32Array | null = null;

  constructor(matrix: Float64Array, outputs: number, inputs: number) {
    this.matrix = matrix;
    this.outputs = outputs;
    this.inputs = inputs;
  }

  #as(dtype: DType): FloatArray {
    if (dtype === 'float64') return this.matrix;
    return (this.#float32 ??= Float32Array.from(this.matrix));
  }

  /** x [n, inputs] → (x − mean)·Mᵀ [n, outputs]. */
  forward(x: Tensor, mean: Float64Array): Tensor {
    const [n, d] = x.shape as [number, number];
    const m = this.outputs;
    const out = allocate([n, m], x.dtype);
    const gemm = kernelsFor(x.dtype).gemm;
    const matrix = this.#as(x.dtype);
    const blockRows = Math.max(1, Math.floor(BLOCK_ELEMENTS / d));
    const centred = allocate([Math.min(n, blockRows), d], x.dtype);
    for (let r0 = 0; r0 < n; r0 += blockRows) {
      const rows = Math.min(blockRows, n - r0);
      for (let t = 0; t < rows; t++) {
        const row = (r0 + t) * d;
        for (let j = 0; j < d; j++) centred[t * d + j] = x.data[row + j]! - mean[j]!;
      }
      gemm(false, true, rows, m, d, 1, centred.subarray(0, rows * d), matrix, 0, out.subarray(r0 * m, (r0 + rows) * m));
    }
    return new Tensor(out, [n, m]);
  }

  /** z [n, outputs] → z·M + mean [n, inputs]. */
  backward(z: Tensor, mean: Float64Array): Tensor {
    const [n, m] = z.shape as [number, number];
    const d = this.inputs;
    const out = allocate([n, d], z.dtype);
    if (n > 0) kernelsFor(z.dtype).gemm(false, false, n, d, m, 1, z.data, this.#as(z.dtype), 0, out);
    for (let r = 0; r < n; r++) {
      const row = r * d;
      for (let j = 0; j < d; j++) out[row + j] = out[row + j]! + mean[j]!;
    }
    return new Tensor(out, [n, d]);
  }
}
