import { expect } from 'vitest';
import { findDivergence, formatDivergence, type Tolerance } from '../../lib/backend/compare';

/** Fails with the count, the worst absolute and relative error and its index. */
export function expectClose(
  actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: Tolerance, what: string,
): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  const divergence = findDivergence(actual, expected, tolerance);
  if (divergence) expect.fail(`${what}: ${formatDivergence(divergence)}`);
}

/** Equal values, NaN matching NaN (+0 and −0 count as equal: check signs with Object.is). */
export function expectSame(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  expectClose(actual, expected, 0, what);
}
