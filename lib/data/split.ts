/**
 * Train / validation / test splits of a dataset that comes without them: one seeded shuffle
 * (the DataLoader's Philox permutation of epoch 0), then the test rows, the validation rows and
 * the rest for training. The same seed gives the same split on every backend and every run.
 */
import { shuffledIndices } from './loader';

export interface SplitFractions {
  /** Share of the rows held out for validation, in (0, 1). */
  validation: number;
  /** Share of the rows held out for testing, in (0, 1). */
  test: number;
  /** Seed of the shuffle (a non-negative integer). */
  seed: number;
}

export interface SplitIndices {
  train: Int32Array;
  validation: Int32Array;
  test: Int32Array;
}

function checkFraction(name: string, value: unknown): number {
  if (typeof value !== 'number' || !(value > 0 && value < 1)) {
    throw new RangeError(`splitIndices: Expected ${name} as a fraction in (0, 1) but received ${String(value)}`);
  }
  return value;
}

/**
 * Row indices of the three splits of n rows. Each held-out split gets round(fraction·n) rows
 * but at least one, and training keeps at least one: fewer rows than that is an error that
 * says how many are needed.
 */
export function splitIndices(n: number, fractions: SplitFractions): SplitIndices {
  const validation = checkFraction('validation', fractions.validation);
  const test = checkFraction('test', fractions.test);
  if (!(validation + test < 1)) throw new RangeError(`splitIndices: Expected validation + test < 1 but received ${validation} + ${test}`);
  if (!Number.isSafeInteger(fractions.seed) || fractions.seed < 0) {
    throw new RangeError(`splitIndices: Expected a non-negative integer seed but received ${String(fractions.seed)}`);
  }
  if (!Number.isSafeInteger(n) || n < 3) {
    throw new RangeError(`splitIndices: Expected at least 3 rows (one each for training, validation and test) but received ${n}`);
  }
  const testCount = Math.max(1, Math.round(test * n));
  const validationCount = Math.max(1, Math.round(validation * n));
  if (testCount + validationCount >= n) {
    throw new RangeError(`splitIndices: ${n} rows leave none for training after ${testCount} test and ${validationCount} validation rows`);
  }
  const order = shuffledIndices(n, fractions.seed, 0);
  return {
    test: order.slice(0, testCount),
    validation: order.slice(testCount, testCount + validationCount),
    train: order.slice(testCount + validationCount),
  };
}
