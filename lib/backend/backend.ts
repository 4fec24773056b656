/**
 * The kernel contract: every computation in tensorgrad goes through one of these functions.
 * Arrays are row-major and contiguous; outputs are arrays the caller allocated (memory is
 * JavaScript's). Each backend checks its arguments and throws a TypeError or RangeError naming
 * the kernel and the argument; sizes are non-negative integers up to 2^53 - 1 and array lengths
 * must equal what the sizes imply.
 */
export interface Backend {
  readonly name: BackendName;

  /**
   * C = alpha·op(A)·op(B) + beta·C with op(A) m×k, op(B) k×n, C m×n. A is stored k×m when
   * transA, B is stored n×k when transB. beta = 0 never reads C (it may hold NaN); alpha = 0 or
   * k = 0 leaves beta·C without reading A or B, as BLAS does. C must not overlap A or B.
   */
  gemm(
    transA: boolean, transB: boolean, m: number, n: number, k: number,
    alpha: number, a: Float32Array, b: Float32Array, beta: number, c: Float32Array,
  ): void;

  /** out[i] = a[i] + b[i]. out may be a or b. */
  add(a: Float32Array, b: Float32Array, out: Float32Array): void;
  /** out[i] = a[i] · b[i]. out may be a or b. */
  mul(a: Float32Array, b: Float32Array, out: Float32Array): void;

  /** out[i] = max(x[i], 0); NaN passes through, −0 becomes +0. out may be x. */
  relu(x: Float32Array, out: Float32Array): void;
  /** dx[i] = x[i] > 0 ? dy[i] : 0; the subgradient at 0 is 0, as in PyTorch. */
  reluBackward(x: Float32Array, dy: Float32Array, dx: Float32Array): void;

  /** out[i] = Σ_j x[i, j] for a rows×cols x: one sum per row (out.length = rows). */
  rowSum(x: Float32Array, rows: number, cols: number, out: Float32Array): void;
  /** out[j] = Σ_i x[i, j] for a rows×cols x: one sum per column (out.length = cols). */
  colSum(x: Float32Array, rows: number, cols: number, out: Float32Array): void;

  /**
   * Words offset … offset + out.length − 1 of the Philox-4x32-10 stream keyed by seed: word p is
   * lane p mod 4 of the block at counter ⌊p / 4⌋. The same bits on every backend.
   */
  randomBits(out: Uint32Array, seed: number, offset: number): void;
  /** low + (high − low)·u with u = (word >>> 8)·2^−24 ∈ [0, 1), one rounding to float32. */
  fillUniform(out: Float32Array, seed: number, offset: number, low: number, high: number): void;
  /** mean + std·z, z standard normal by Box–Muller over the stream's words, in double. */
  fillNormal(out: Float32Array, seed: number, offset: number, mean: number, std: number): void;
}

export type BackendName = 'reference' | 'native' | 'checked';
export const BACKEND_NAMES: readonly BackendName[] = ['native', 'reference', 'checked'];

/** The kernels of the contract, in one list for the checked backend and the test suites. */
export type KernelName = Exclude<keyof Backend, 'name'>;
export const KERNEL_NAMES: readonly KernelName[] = [
  'gemm', 'add', 'mul', 'relu', 'reluBackward', 'rowSum', 'colSum',
  'randomBits', 'fillUniform', 'fillNormal',
];
