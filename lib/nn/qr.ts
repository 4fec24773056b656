/**
 * Thin QR of an m×n matrix (m ≥ n) by Householder reflections, in double: for orthogonal
 * initialization, once per weight, where a plain loop is clearer than a kernel.
 */
import { formatShape } from '../format-shape';

export function householderQR(a: Float64Array, m: number, n: number): { q: Float64Array; rDiagonal: Float64Array } {
  if (m < n) throw new RangeError(`householderQR: Expected rows >= columns but received shape ${formatShape([m, n])}`);
  const r = Float64Array.from(a);
  const reflectors: Float64Array[] = [];
  const rDiagonal = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let norm = 0;
    for (let i = j; i < m; i++) norm += r[i * n + j]! ** 2;
    norm = Math.sqrt(norm);
    const x0 = r[j * n + j]!;
    const alpha = x0 >= 0 ? -norm : norm; // the sign that avoids cancellation in v = x − αe₁
    const v = new Float64Array(m - j);
    for (let i = j; i < m; i++) v[i - j] = r[i * n + j]!;
    v[0] = x0 - alpha;
    let vNorm = 0;
    for (const value of v) vNorm += value * value;
    vNorm = Math.sqrt(vNorm);
    if (vNorm > 0) for (let i = 0; i < v.length; i++) v[i]! /= vNorm;
    // R ← (I − 2vvᵀ)R on rows j…m−1, columns j…n−1.
    for (let c = j; c < n; c++) {
      let dot = 0;
      for (let i = j; i < m; i++) dot += v[i - j]! * r[i * n + c]!;
      for (let i = j; i < m; i++) r[i * n + c]! -= 2 * v[i - j]! * dot;
    }
    rDiagonal[j] = r[j * n + j]!;
    reflectors.push(v);
  }
  // Q = H₀H₁…H_{n−1}·I[:, :n], applied from the last reflector to the first.
  const q = new Float64Array(m * n);
  for (let j = 0; j < n; j++) q[j * n + j] = 1;
  for (let j = n - 1; j >= 0; j--) {
    const v = reflectors[j]!;
    for (let c = 0; c < n; c++) {
      let dot = 0;
      for (let i = j; i < m; i++) dot += v[i - j]! * q[i * n + c]!;
      for (let i = j; i < m; i++) q[i * n + c]! -= 2 * v[i - j]! * dot;
    }
  }
  return { q, rDiagonal };
}
