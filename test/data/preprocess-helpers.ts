// Plain-loop statistics for the preprocessing tests: the oracles the library's results are
// compared with, written independently of lib/data/preprocess/stats.ts.
import { manualSeed, randn, type FloatArray } from '../../lib';

export function columnMean(x: ArrayLike<number>, n: number, d: number): number[] {
  const mean = new Array<number>(d).fill(0);
  for (let r = 0; r < n; r++) for (let j = 0; j < d; j++) mean[j]! += x[r * d + j]!;
  return mean.map((s) => s / n);
}

/** The d×d covariance with the given divisor (n for population, n − 1 for sample). */
export function covarianceOf(x: ArrayLike<number>, n: number, d: number, divisor: number): number[] {
  const mean = columnMean(x, n, d);
  const c = new Array<number>(d * d).fill(0);
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < d; i++) {
      const a = x[r * d + i]! - mean[i]!;
      for (let j = 0; j < d; j++) c[i * d + j]! += a * (x[r * d + j]! - mean[j]!);
    }
  }
  return c.map((v) => v / divisor);
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`maxAbsDiff: lengths ${a.length} and ${b.length} differ`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

export function identity(d: number): number[] {
  return Array.from({ length: d * d }, (_, i) => (Math.floor(i / d) === i % d ? 1 : 0));
}

/** Row-major product of an n×k and a k×m matrix. */
export function matmulPlain(a: ArrayLike<number>, b: ArrayLike<number>, n: number, k: number, m: number): Float64Array {
  const out = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < k; p++) {
      const v = a[i * k + p]!;
      for (let j = 0; j < m; j++) out[i * m + j]! += v * b[p * m + j]!;
    }
  }
  return out;
}

/** Seeded standard normal values in double. */
export function normals(shape: number[], seed: number): FloatArray {
  manualSeed(seed);
  return randn(shape, { dtype: 'float64' }).data;
}
