/**
 * The size of the native kernels' thread pool, the calling thread included. The default is
 * TENSORGRAD_NUM_THREADS (an integer 1..256) or else the number of cores. Results do not depend
 * on it: the kernels split work on fixed boundaries, never along a sum.
 */
import * as os from 'node:os';
import { loadAddon } from './addon';
import { describe } from './validate';

export const MAX_THREADS = 256;

/** The addon's thread exports (not kernels: the checked backend has nothing to compare). */
const addon = () => loadAddon().addon;

function validCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_THREADS;
}

/** Without the addon, the count the reference backend would be told (it runs on one thread). */
let fallback: number | undefined;

function defaultCount(): number {
  const env = process.env['TENSORGRAD_NUM_THREADS'];
  const fromEnv = env !== undefined && /^[0-9]+$/.test(env) ? Number(env) : NaN;
  return validCount(fromEnv) ? fromEnv : Math.min(MAX_THREADS, os.availableParallelism());
}

/** Sets the number of threads (an integer 1..256) and returns it. */
export function setNumThreads(n: number): number {
  const fn = 'setNumThreads';
  if (arguments.length !== 1) throw new TypeError(`${fn}: Expected 1 arguments but received ${arguments.length}`);
  const what = `an integer from 1 to ${MAX_THREADS}`;
  if (typeof n !== 'number') throw new TypeError(`${fn}: Expected ${what} for n but received ${describe(n)}`);
  if (!validCount(n)) throw new RangeError(`${fn}: Expected ${what} for n but received ${describe(n)}`);
  const native = addon();
  if (native) return native.setNumThreads(n);
  fallback = n;
  return n;
}

/** The number of threads the native kernels use. */
export function getNumThreads(): number {
  if (arguments.length !== 0) {
    throw new TypeError(`getNumThreads: Expected 0 arguments but received ${arguments.length}`);
  }
  const native = addon();
  if (native) return native.getNumThreads();
  return fallback ?? defaultCount();
}
