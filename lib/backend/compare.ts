/**
 * Element-by-element comparison of a kernel's result with the reference's, shared by the
 * checked backend and the kernel test suite, and the error bounds that make its tolerances.
 */

/** A tolerance for every element, or one for all. */
export type Tolerance = number | ArrayLike<number>;

export interface Divergence {
  /** Elements beyond tolerance, of `total`. */
  count: number;
  total: number;
  /** The element with the largest absolute error (the first non-finite mismatch, if any). */
  worstIndex: number;
  actual: number;
  expected: number;
  tolerance: number;
  maxAbsError: number;
  maxRelError: number;
}

function mismatch(a: number, e: number, tol: number): boolean {
  if (a === e) return false; // also equal infinities
  if (Number.isNaN(a) && Number.isNaN(e)) return false;
  if (!Number.isFinite(a) || !Number.isFinite(e)) return true;
  return Math.abs(a - e) > tol;
}

/** The elements of `actual` farther from `expected` than the tolerance, or undefined if none. */
export function findDivergence(
  actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: Tolerance = 0,
): Divergence | undefined {
  if (actual.length !== expected.length) {
    throw new RangeError(`compare: Expected arrays of one length but received ${actual.length} and ${expected.length}`);
  }
  let divergence: Divergence | undefined;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    const tol = typeof tolerance === 'number' ? tolerance : tolerance[i]!;
    if (!mismatch(a, e, tol)) continue;
    const abs = Number.isFinite(a) && Number.isFinite(e) ? Math.abs(a - e) : Infinity;
    const rel = e === 0 ? Infinity : abs / Math.abs(e);
    if (!divergence) {
      divergence = { count: 0, total: actual.length, worstIndex: i, actual: a, expected: e, tolerance: tol, maxAbsError: abs, maxRelError: rel };
    } else if (abs > divergence.maxAbsError) {
      Object.assign(divergence, { worstIndex: i, actual: a, expected: e, tolerance: tol, maxAbsError: abs });
    }
    divergence.count++;
    divergence.maxRelError = Math.max(divergence.maxRelError, rel);
  }
  return divergence;
}

/** "3 of 100 elements beyond tolerance; worst at index 17: 1.5 vs 1.25 (…)". */
export function formatDivergence(d: Divergence, actualLabel = 'actual', expectedLabel = 'expected'): string {
  const relAtWorst = d.expected === 0 ? Infinity : Math.abs(d.actual - d.expected) / Math.abs(d.expected);
  return (
    `${d.count} of ${d.total} elements beyond tolerance; worst at index ${d.worstIndex}: ` +
    `${actualLabel} ${d.actual} vs ${expectedLabel} ${d.expected} (absolute error ` +
    `${Math.abs(d.actual - d.expected)}, relative error ${relAtWorst}, tolerance ${d.tolerance}); ` +
    `largest absolute error ${d.maxAbsError}, largest relative error ${d.maxRelError}`
  );
}

/**
 * The rounding-error bound of a float32 sum of `terms` terms whose absolute values sum to
 * bound[i]: γ·bound with γ = (terms + 2)·2^−23, twice the classic (terms·u) bound, u = 2^−24.
 * Tolerances grow with the length of the sum, as they must for GEMM's k.
 */
export function accumulationTolerance(bound: ArrayLike<number>, terms: number): Float64Array {
  const gamma = (terms + 2) * 2 ** -23;
  const out = new Float64Array(bound.length);
  for (let i = 0; i < bound.length; i++) out[i] = gamma * bound[i]! + Number.MIN_VALUE;
  return out;
}

export function absolute(x: Float32Array): Float32Array {
  return x.map(Math.abs);
}

/**
 * Copies of a call's arguments with aliasing kept (an array passed twice gets one copy, so an
 * in-place call stays in place), and the typed arrays inside an Array argument copied too.
 */
export function copyArguments(args: readonly unknown[]): unknown[] {
  const copies = new Map<unknown, unknown>();
  const copy = (arg: unknown) => {
    if (!ArrayBuffer.isView(arg) || arg instanceof DataView) return arg;
    if (!copies.has(arg)) copies.set(arg, (arg as Float32Array).slice());
    return copies.get(arg);
  };
  return args.map((arg) => (Array.isArray(arg) ? arg.map(copy) : copy(arg)));
}
