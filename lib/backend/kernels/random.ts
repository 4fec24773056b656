/** Counter-based random streams (Philox-4x32-10): the same bits on every backend. */
import { double, index, kernel, output } from '../declare';
import * as reference from '../reference/random';

/** The stream words offset … offset + array.length − 1 must have safe indices. */
export const streamFits = (array: string) => [{
  that: `offset + ${array}.length <= 9007199254740991`,
  message: `Expected offset + ${array}.length to be no larger than 2^53-1 but it is {offset + ${array}.length}`,
}];

export const RANDOM = {
  /**
   * Words offset … offset + out.length − 1 of the Philox-4x32-10 stream keyed by seed: word p is
   * lane p mod 4 of the block at counter ⌊p / 4⌋. The same bits on every backend.
   */
  randomBits: kernel({
    args: [output('out', undefined, { element: 'uint32' }), index('seed'), index('offset')],
    requires: streamFits('out'),
    reference: reference.randomBits,
  }),
  /** low + (high − low)·u with u = (word >>> 8)·2^−24 ∈ [0, 1), one rounding to float32. */
  fillUniform: kernel({
    args: [output('out'), index('seed'), index('offset'), double('low'), double('high', { example: 1 })],
    requires: [...streamFits('out'), { that: 'low <= high', message: 'Expected low <= high but received low = {low} and high = {high}' }],
    reference: reference.fillUniform,
  }),
  /** mean + std·z, z standard normal by Box–Muller over the stream's words, in double. std ≥ 0. */
  fillNormal: kernel({
    args: [output('out'), index('seed'), index('offset'), double('mean'), double('std', { min: 0, example: 1 })],
    requires: streamFits('out'),
    reference: reference.fillNormal,
  }),
};
