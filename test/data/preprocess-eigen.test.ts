// The symmetric eigensolver (Householder tridiagonalization + implicit QL): closed forms
// (diagonal, a 2×2 rotation, the second-difference matrix, all-ones), the defining identities on
// random matrices (A·v = λ·v, VᵀV = I, trace), the sign convention, and its errors.
import { describe, expect, it } from 'vitest';
import { data, manualSeed, randn } from '../../lib';

const { symmetricEigen } = data;

/** A random symmetric n×n matrix (B + Bᵀ)/2 from the seeded normal generator. */
function randomSymmetric(n: number, seed: number): Float64Array {
  manualSeed(seed);
  const b = randn([n, n], { dtype: 'float64' }).data;
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = (b[i * n + j]! + b[j * n + i]!) / 2;
  return a;
}

function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]!));
  return m;
}

/** max |A·vᵢ − λᵢ·vᵢ| and max |VVᵀ − I| over all pairs. */
function residuals(a: ArrayLike<number>, n: number, values: Float64Array, vectors: Float64Array): { eigen: number; orthogonality: number } {
  let eigen = 0;
  let orthogonality = 0;
  for (let i = 0; i < n; i++) {
    for (let r = 0; r < n; r++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += a[r * n + k]! * vectors[i * n + k]!;
      eigen = Math.max(eigen, Math.abs(s - values[i]! * vectors[i * n + r]!));
    }
    for (let j = 0; j <= i; j++) {
      let dot = 0;
      for (let k = 0; k < n; k++) dot += vectors[i * n + k]! * vectors[j * n + k]!;
      orthogonality = Math.max(orthogonality, Math.abs(dot - (i === j ? 1 : 0)));
    }
  }
  return { eigen, orthogonality };
}

/** The index of v's first component within 1e-8 (relative) of its largest magnitude. */
function pivotOf(v: ArrayLike<number>): number {
  const largest = maxAbs(v);
  let pivot = 0;
  while (Math.abs(v[pivot]!) < largest * (1 - 1e-8)) pivot++;
  return pivot;
}

/** Whether every row's (first) component of largest magnitude is positive. */
function signConventionHolds(vectors: Float64Array, n: number): boolean {
  for (let i = 0; i < n; i++) {
    const row = vectors.subarray(i * n, i * n + n);
    if (!(row[pivotOf(row)]! > 0)) return false;
  }
  return true;
}

describe('symmetricEigen', () => {
  it('returns a diagonal matrix\'s entries, largest first, with unit basis vectors', () => {
    const a = [
      3, 0, 0, 0,
      0, -1, 0, 0,
      0, 0, 7, 0,
      0, 0, 0, 0,
    ];
    const { values, vectors } = symmetricEigen(a, 4);
    expect(Array.from(values)).toEqual([7, 3, 0, -1]);
    expect(Array.from(vectors)).toEqual([
      0, 0, 1, 0,
      1, 0, 0, 0,
      0, 0, 0, 1,
      0, 1, 0, 0,
    ]);
  });

  it('recovers the rotation of a 2×2 matrix R·diag(5, 2)·Rᵀ', () => {
    const theta = 0.3;
    const [c, s] = [Math.cos(theta), Math.sin(theta)];
    const a = [5 * c * c + 2 * s * s, 3 * c * s, 3 * c * s, 5 * s * s + 2 * c * c];
    const { values, vectors } = symmetricEigen(a, 2);
    expect(values[0]).toBeCloseTo(5, 14);
    expect(values[1]).toBeCloseTo(2, 14);
    // (c, s) for 5; (−s, c) for 2: each signed so its largest component (c) is positive.
    const expected = [c, s, -s, c];
    vectors.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 14));
  });

  it('matches the closed form of the second-difference matrix tridiag(−1, 2, −1)', () => {
    // Eigenvalues 2 − 2cos(kπ/(n+1)), eigenvectors sin(jkπ/(n+1)), k = 1 … n.
    const n = 20;
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      a[i * n + i] = 2;
      if (i > 0) a[i * n + i - 1] = a[(i - 1) * n + i] = -1;
    }
    const { values, vectors } = symmetricEigen(a, n);
    for (let i = 0; i < n; i++) {
      const k = n - i; // largest first
      const angle = (k * Math.PI) / (n + 1);
      expect(values[i]).toBeCloseTo(2 - 2 * Math.cos(angle), 13);
      const v = Array.from({ length: n }, (_, j) => Math.sin((j + 1) * angle));
      const norm = Math.hypot(...v);
      // |v_j| = |v_{n+1−j}|: the largest magnitude is always tied, and the first one is positive.
      const sign = Math.sign(v[pivotOf(v)]!);
      for (let j = 0; j < n; j++) expect(vectors[i * n + j]).toBeCloseTo((sign * v[j]!) / norm, 12);
    }
  });

  it('gives an orthonormal basis for a repeated eigenvalue (all-ones: 3, 0, 0)', () => {
    const { values, vectors } = symmetricEigen(new Array(9).fill(1), 3);
    expect(values[0]).toBeCloseTo(3, 14);
    expect(maxAbs(values.subarray(1))).toBeLessThan(1e-14);
    for (let k = 0; k < 3; k++) expect(vectors[k]).toBeCloseTo(1 / Math.sqrt(3), 14);
    const r = residuals(new Array(9).fill(1), 3, values, vectors);
    expect(r.eigen).toBeLessThan(1e-14);
    expect(r.orthogonality).toBeLessThan(1e-14);
  });

  it.each([
    [1, 1],
    [7, 2],
    [64, 3],
    [257, 4],
  ])('satisfies A·v = λ·v and VᵀV = I to 1e-10 on a random symmetric %i×%i matrix', (n, seed) => {
    const a = randomSymmetric(n, seed);
    const copy = Float64Array.from(a);
    const { values, vectors } = symmetricEigen(a, n);
    expect(Array.from(a)).toEqual(Array.from(copy)); // the input is not modified
    const norm = maxAbs(values);
    const r = residuals(a, n, values, vectors);
    expect(r.eigen).toBeLessThan(1e-10 * Math.max(1, norm));
    expect(r.orthogonality).toBeLessThan(1e-10);
    for (let i = 1; i < n; i++) expect(values[i]).toBeLessThanOrEqual(values[i - 1]!);
    let trace = 0;
    for (let i = 0; i < n; i++) trace += a[i * n + i]!;
    expect(values.reduce((s, v) => s + v, 0)).toBeCloseTo(trace, 9);
    expect(signConventionHolds(vectors, n)).toBe(true);
    // Deterministic: a second run gives the same bits.
    const again = symmetricEigen(a, n);
    expect(Array.from(again.vectors)).toEqual(Array.from(vectors));
  });

  it('handles the empty matrix and zero matrices', () => {
    expect(symmetricEigen([], 0)).toEqual({ values: new Float64Array(0), vectors: new Float64Array(0) });
    const { values, vectors } = symmetricEigen(new Float64Array(9), 3);
    expect(Array.from(values)).toEqual([0, 0, 0]);
    expect(Array.from(vectors)).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  });

  it('refuses a non-symmetric or non-finite matrix and a wrong length, saying where', () => {
    expect(() => symmetricEigen([1, 2, 3, 1], 2)).toThrow('symmetricEigen: Expected a symmetric matrix but a[0, 1] = 2 and a[1, 0] = 3');
    expect(() => symmetricEigen([1, 0, 0, NaN], 2)).toThrow('symmetricEigen: Expected finite values but a[1, 1] is NaN');
    expect(() => symmetricEigen([1, 0, 0], 2)).toThrow('symmetricEigen: Expected the 4 values of a matrix [2, 2] but received 3');
    expect(() => symmetricEigen([1], 1.5)).toThrow(/Expected a non-negative integer size but received 1.5/);
    // Asymmetry at rounding level is averaged away, not refused.
    const { values } = symmetricEigen([2, 1, 1 + 1e-15, 2], 2);
    expect(values[0]).toBeCloseTo(3, 14);
  });
});
