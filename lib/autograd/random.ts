/**
 * The library's random generator: a seed and a position in its Philox stream. Every random
 * tensor takes the next words of the stream, so the same seed gives the same values on every
 * backend. The default seed is 0: runs are reproducible unless seeded otherwise.
 */
import { MAX_INDEX } from '../backend/validate';

export interface RngState {
  seed: number;
  /** The next unused word of the stream. */
  offset: number;
}

const state: RngState = { seed: 0, offset: 0 };

function checkIndex(fn: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_INDEX) {
    throw new RangeError(`${fn}: Expected a non-negative integer no larger than 2^53-1 for ${name} but received ${String(value)}`);
  }
  return value;
}

/** Seeds the generator (as torch.manual_seed): the same seed, the same weights and masks. */
export function manualSeed(seed: number): void {
  state.seed = checkIndex('manualSeed', 'seed', seed);
  state.offset = 0;
}

export function getRngState(): RngState {
  return { ...state };
}

export function setRngState(saved: RngState): void {
  const seed = checkIndex('setRngState', 'seed', saved?.seed);
  const offset = checkIndex('setRngState', 'offset', saved?.offset);
  state.seed = seed;
  state.offset = offset;
}

/**
 * Reserves `count` words of the stream and returns where they start. Draws start on a block
 * boundary (a multiple of 4 words), so a draw does not depend on the size of the one before
 * beyond its block count.
 */
export function takeStream(count: number): RngState {
  const taken = { ...state };
  const next = state.offset + Math.ceil(count / 4) * 4;
  if (next > MAX_INDEX) throw new RangeError('random: the stream of this seed is exhausted; call manualSeed()');
  state.offset = next;
  return taken;
}
