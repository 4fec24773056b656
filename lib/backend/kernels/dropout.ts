/**
 * Inverted dropout with a counter-based mask: nothing is stored between forward and backward,
 * the backward regenerates the mask from the same (seed, offset).
 *
 * dropProb is the probability of ZEROING an element (PyTorch's p; the lecture notes use p for
 * the keep probability in their code and for the drop probability in their text). Element i
 * uses word offset + i of the Philox-4x32-10 stream of `seed` (as randomBits), u = (word >>> 8)·
 * 2^−24 ∈ [0, 1), and is kept iff u ≥ dropProb: every backend draws the same mask, bit for bit.
 * A kept element is multiplied by s = fround(1/(1 − dropProb)), a dropped one by 0, so the
 * expected output equals the input and evaluation needs no scaling. dropProb = 0 is the
 * identity (s = 1); dropProb = 1 drops everything (s is never formed, no division by zero).
 * NaN and ±Inf stay NaN where dropped (x·0), as in PyTorch: a NaN guard downstream still sees
 * them. dropProb ∈ [0, 1]; offset + length ≤ 2^53 − 1. The output may be the input itself.
 * One float32 product from the same mask: the backends agree bit for bit.
 */
import { double, index, input, kernel, output } from '../declare';
import * as reference from '../reference/dropout';
import { streamFits } from './random';

const args = (x: string, y: string) =>
  [input(x), double('dropProb', { min: 0, max: 1, example: 0.5 }), index('seed'), index('offset'), output(y, `${x}.length`, { inPlace: [x] })] as const;

export const DROPOUT = {
  /** y[i] = x[i]·mask[i] with mask[i] ∈ {0, s} drawn from (seed, offset + i). */
  dropoutForward: kernel({ args: args('x', 'y'), requires: streamFits('x'), reference: reference.dropoutForward }),
  /** dx[i] = dy[i]·mask[i], the mask of dropoutForward with the same dropProb, seed and offset. */
  dropoutBackward: kernel({ args: args('dy', 'dx'), requires: streamFits('dy'), reference: reference.dropoutBackward }),
};
