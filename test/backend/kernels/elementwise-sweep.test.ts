// The accuracy bar of the vector math on each native SIMD path: every 1021st float32 bit
// pattern (4.2 million inputs spread over the whole range, NaNs and infinities included)
// against float64. bench/elementwise-accuracy.js runs the same sweep over all 2^32 patterns.
import { beforeAll, describe, expect, it } from 'vitest';
import { nativeBackend, setSimdLevel } from '../../../lib/backend';
import type { Backend } from '../../../lib/backend';
import { TRANSCENDENTAL_RELATIVE_ERROR as T } from '../../../lib/backend/kernels/elementwise';
import { nativePaths } from '../native-paths';
import { FLT_MIN, ROUNDING, sigmoid64, softplus64 } from './elementwise-oracles';

const STRIDE = 1021;
const COUNT = Math.ceil(2 ** 32 / STRIDE);

/** Every STRIDE-th bit pattern as float32 inputs. */
function sweepInputs(): Float32Array {
  const bits = new Uint32Array(COUNT);
  for (let i = 0; i < COUNT; i++) bits[i] = i * STRIDE;
  return new Float32Array(bits.buffer);
}

interface Sweep { maxRelative: number; worstX: number; specialMismatches: number[]; nanFromFinite: number }

/** Relative error in units of max(|f(x)|, FLT_MIN); non-finite cases must match exactly. */
function measure(x: Float32Array, y: Float32Array, oracle: (v: number) => number): Sweep {
  const result: Sweep = { maxRelative: 0, worstX: NaN, specialMismatches: [], nanFromFinite: 0 };
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    const actual = y[i]!;
    const expected = oracle(v);
    if (Number.isFinite(v) && Number.isNaN(actual) && !Number.isNaN(expected)) result.nanFromFinite++;
    const rounded = Math.fround(expected);
    if (!Number.isFinite(v) || !Number.isFinite(rounded) || !Number.isFinite(actual)) {
      const same = Object.is(actual, rounded) || (Number.isNaN(actual) && Number.isNaN(rounded));
      if (!same && result.specialMismatches.length < 5) result.specialMismatches.push(v);
      continue;
    }
    const error = Math.abs(actual - expected) / Math.max(Math.abs(expected), FLT_MIN);
    if (error > result.maxRelative) {
      result.maxRelative = error;
      result.worstX = v;
    }
  }
  return result;
}

const KERNELS: [string, (b: Backend, x: Float32Array, out: Float32Array) => void, (v: number) => number, number][] = [
  ['exp', (b, x, out) => b.exp(x, out), Math.exp, T],
  ['log', (b, x, out) => b.log(x, out), Math.log, T],
  ['tanh', (b, x, out) => b.tanh(x, out), Math.tanh, T],
  ['sigmoid', (b, x, out) => b.sigmoid(x, out), sigmoid64, T],
  ['softplus', (b, x, out) => b.softplus(x, 1, 20, out), (v) => softplus64(v, 1, 20), 2 * T + 3 * ROUNDING],
  ['elu', (b, x, out) => b.elu(x, 1, out), (v) => (v > 0 ? v : Math.expm1(v)), 2.42 * T + 3 * ROUNDING],
];

describe.each(nativePaths())('elementwise accuracy sweep on native (%s)', (simd) => {
  let native: Backend;
  const x = sweepInputs();
  const y = new Float32Array(COUNT);
  beforeAll(() => {
    setSimdLevel(simd);
    native = nativeBackend();
  });

  it.each(KERNELS)('%s is within its bound over the whole float32 range', (name, kernel, oracle, bound) => {
    kernel(native, x, y);
    const sweep = measure(x, y, oracle);
    expect(sweep.specialMismatches, `${name}: special values that differ from float64 rounded`).toEqual([]);
    expect(sweep.nanFromFinite, `${name}: NaN from finite input`).toBe(0);
    expect(sweep.maxRelative, `${name}: worst at x = ${sweep.worstX}`).toBeLessThanOrEqual(bound);
  });
});
