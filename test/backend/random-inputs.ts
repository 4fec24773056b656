// Deterministic test inputs (a small xorshift generator, independent of the library's Philox),
// and float64 oracles computed in the test itself.

export function makeRandom(seed: number): () => number {
  let state = (seed * 2654435761) >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 4294967296;
  };
}

/** Values in [-1, 1), with a few exact zeros. */
export function randomArray(length: number, random: () => number): Float32Array {
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = random() < 0.05 ? 0 : random() * 2 - 1;
  return out;
}

/** op(A)·op(B)·alpha + beta·C in float64, and the matching error bound Σ|α||a||b| + |β·c|. */
export function gemm64(
  transA: boolean, transB: boolean, m: number, n: number, k: number,
  alpha: number, a: Float32Array, b: Float32Array, beta: number, c: Float32Array,
): { value: Float64Array; bound: Float64Array } {
  const value = new Float64Array(m * n);
  const bound = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      let abs = 0;
      for (let p = 0; p < k; p++) {
        const x = transA ? a[p * m + i]! : a[i * k + p]!;
        const y = transB ? b[j * k + p]! : b[p * n + j]!;
        sum += x * y;
        abs += Math.abs(x * y);
      }
      const prior = beta === 0 ? 0 : beta * c[i * n + j]!;
      value[i * n + j] = alpha * sum + prior;
      bound[i * n + j] = Math.abs(alpha) * abs + Math.abs(prior);
    }
  }
  return { value, bound };
}

/** Stores the m×k matrix `rowMajor` as op's storage: transposed (k×m) when `transposed`. */
export function storeAs(rowMajor: Float32Array, rows: number, cols: number, transposed: boolean): Float32Array {
  if (!transposed) return rowMajor.slice();
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = rowMajor[i * cols + j]!;
  return out;
}

/** Integers in [−half, half]: every sum of their products is exact in float32, whatever the order. */
export function smallIntegers(length: number, seed: number, half = 3): Float32Array {
  const random = makeRandom(seed);
  return Float32Array.from({ length }, () => Math.floor(random() * (2 * half + 1)) - half);
}

/** Σ a[i]·b[i] in double. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
