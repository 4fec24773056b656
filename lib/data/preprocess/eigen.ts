/**
 * Eigenvalues and eigenvectors of a dense real symmetric matrix, in double: Householder reduction
 * to tridiagonal form, then the implicit QL algorithm with Wilkinson-type shifts (EISPACK tred2
 * and tql2, as JAMA and ml-matrix carry them). About 6n³ flops in all: some 1.5 s for 784×784
 * (Fashion-MNIST's covariance) on one core here, where cyclic Jacobi would need 6–10 sweeps of
 * about 4n³ flops each.
 *
 * The transformations are kept transposed (row r holds column r of JAMA's V), so every inner loop
 * walks contiguous memory and the eigenvectors come out as rows.
 */
import { formatShape } from '../../format-shape';

export interface SymmetricEigen {
  /** The eigenvalues, largest first. */
  values: Float64Array;
  /**
   * Row-major n×n: row i is the unit eigenvector of values[i], signed so that its component of
   * largest magnitude is positive: the first one within a relative 1e-8 of the largest, so that
   * components of equal magnitude (v and its mirror image, say) cannot let rounding pick the
   * sign. A = Σᵢ λᵢ vᵢvᵢᵀ. Within a repeated eigenvalue the basis is one of many; for a given
   * input it is always the same one.
   */
  vectors: Float64Array;
}

/** Components this close (relatively) to the largest magnitude count as tied for the sign. */
const SIGN_TIE = 1e-8;

/** QL iterations allowed for one eigenvalue before giving up (EISPACK allows 30; 2 or 3 is usual). */
const MAX_ITERATIONS = 60;

/**
 * The eigen-decomposition of the n×n symmetric matrix a (row-major). a must be finite and
 * symmetric to within 1e-10 of its largest entry; the average of a and aᵀ is decomposed. a is not
 * modified.
 */
export function symmetricEigen(a: ArrayLike<number>, n: number): SymmetricEigen {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`symmetricEigen: Expected a non-negative integer size but received ${n}`);
  if (a == null || typeof a.length !== 'number' || a.length !== n * n) {
    throw new RangeError(`symmetricEigen: Expected the ${n * n} values of a matrix ${formatShape([n, n])} but received ${a?.length}`);
  }
  const w = new Float64Array(n * n);
  let largest = 0;
  for (let i = 0; i < n * n; i++) {
    const v = a[i]!;
    if (!Number.isFinite(v)) throw new RangeError(`symmetricEigen: Expected finite values but a[${Math.floor(i / n)}, ${i % n}] is ${v}`);
    largest = Math.max(largest, Math.abs(v));
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const upper = a[j * n + i]!;
      const lower = a[i * n + j]!;
      if (Math.abs(upper - lower) > 1e-10 * largest) {
        throw new RangeError(`symmetricEigen: Expected a symmetric matrix but a[${j}, ${i}] = ${upper} and a[${i}, ${j}] = ${lower}`);
      }
      w[i * n + j] = w[j * n + i] = (upper + lower) / 2;
    }
  }
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  if (n > 0) {
    tridiagonalize(w, d, e, n);
    tridiagonalQL(w, d, e, n);
  }
  return sortAndSign(d, w, n);
}

/**
 * tred2: w (symmetric) → the orthogonal Q of A = Q·T·Qᵀ, stored transposed (w[c·n + r] = Q[r][c]);
 * d gets T's diagonal, e its subdiagonal in e[1 … n−1].
 */
function tridiagonalize(w: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let j = 0; j < n; j++) d[j] = w[j * n + n - 1]!;
  for (let i = n - 1; i > 0; i--) {
    // Scale the row to avoid under- and overflow, then build the Householder vector in d[0 … i−1].
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]!);
    if (scale === 0) {
      e[i] = d[i - 1]!;
      for (let j = 0; j < i; j++) {
        d[j] = w[j * n + i - 1]!;
        w[j * n + i] = 0;
        w[i * n + j] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k]! /= scale;
        h += d[k]! * d[k]!;
      }
      let f = d[i - 1]!;
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      // p = A·u (into e), using the lower triangle held in the rows of w.
      for (let j = 0; j < i; j++) {
        const row = j * n;
        f = d[j]!;
        w[i * n + j] = f;
        g = e[j]! + w[row + j]! * f;
        for (let k = j + 1; k < i; k++) {
          g += w[row + k]! * d[k]!;
          e[k]! += w[row + k]! * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j]! /= h;
        f += e[j]! * d[j]!;
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j]! -= hh * d[j]!;
      // A ← A − u·qᵀ − q·uᵀ on the lower triangle.
      for (let j = 0; j < i; j++) {
        const row = j * n;
        f = d[j]!;
        g = e[j]!;
        for (let k = j; k < i; k++) w[row + k]! -= f * e[k]! + g * d[k]!;
        d[j] = w[row + i - 1]!;
        w[row + i] = 0;
      }
    }
    d[i] = h;
  }
  // Accumulate the transformations into Q.
  for (let i = 0; i < n - 1; i++) {
    w[i * n + n - 1] = w[i * n + i]!;
    w[i * n + i] = 1;
    const h = d[i + 1]!;
    const next = (i + 1) * n;
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = w[next + k]! / h;
      for (let j = 0; j <= i; j++) {
        const row = j * n;
        let g = 0;
        for (let k = 0; k <= i; k++) g += w[next + k]! * w[row + k]!;
        for (let k = 0; k <= i; k++) w[row + k]! -= g * d[k]!;
      }
    }
    for (let k = 0; k <= i; k++) w[next + k] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = w[j * n + n - 1]!;
    w[j * n + n - 1] = 0;
  }
  w[n * n - 1] = 1;
  e[0] = 0;
}

/**
 * tql2: the eigenvalues of the tridiagonal (d, e) into d, and the rotations applied to the rows of
 * w, which then hold the eigenvectors of the original matrix.
 */
function tridiagonalQL(w: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i]!;
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    // Find a negligible subdiagonal element: the block l … m is unreduced.
    tst1 = Math.max(tst1, Math.abs(d[l]!) + Math.abs(e[l]!));
    let m = l;
    while (m < n - 1 && Math.abs(e[m]!) > eps * tst1) m++;
    if (m > l) {
      let iterations = 0;
      do {
        if (++iterations > MAX_ITERATIONS) {
          throw new Error(`symmetricEigen: the QL iteration did not converge for eigenvalue ${l} of ${n} after ${MAX_ITERATIONS} steps`);
        }
        // Implicit shift from the leading 2×2 block.
        let g = d[l]!;
        let p = (d[l + 1]! - g) / (2 * e[l]!);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l]! / (p + r);
        d[l + 1] = e[l]! * (p + r);
        const dl1 = d[l + 1]!;
        let h = g - d[l]!;
        for (let i = l + 2; i < n; i++) d[i]! -= h;
        f += h;
        // The QL sweep: plane rotations from m−1 down to l.
        p = d[m]!;
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1]!;
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i]!;
          h = c * p;
          r = Math.hypot(p, e[i]!);
          e[i + 1] = s * r;
          s = e[i]! / r;
          c = p / r;
          p = c * d[i]! - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]!);
          const a = i * n;
          const b = a + n;
          for (let k = 0; k < n; k++) {
            const t = w[b + k]!;
            w[b + k] = s * w[a + k]! + c * t;
            w[a + k] = c * w[a + k]! - s * t;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]!) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]!) > eps * tst1);
    }
    d[l]! += f;
    e[l] = 0;
  }
}

/** Eigenpairs in descending order of eigenvalue, each vector signed by its largest component. */
function sortAndSign(d: Float64Array, w: Float64Array, n: number): SymmetricEigen {
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => d[j]! - d[i]! || i - j);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((from, to) => {
    values[to] = d[from]!;
    const row = w.subarray(from * n, from * n + n);
    let largest = 0;
    for (let k = 0; k < n; k++) largest = Math.max(largest, Math.abs(row[k]!));
    let pivot = 0;
    while (pivot < n - 1 && Math.abs(row[pivot]!) < largest * (1 - SIGN_TIE)) pivot++;
    const sign = row[pivot]! < 0 ? -1 : 1;
    for (let k = 0; k < n; k++) vectors[to * n + k] = sign * row[k]! + 0; // + 0: no −0 from a flipped 0
  });
  return { values, vectors };
}
