/**
 * Dropout2d: zeroes whole channels of [N, C, H, W] (or unbatched [C, H, W]), each with
 * probability p, and scales the kept ones by 1/(1 − p), as PyTorch's F.dropout2d. Neighbouring
 * positions of a feature map are strongly correlated, so dropping single pixels regularizes
 * little (Tompson et al.). The channel mask comes from the seeded generator, one word per
 * channel, on the dropout kernel. Attributes: { p }.
 */
import { takeStream } from '../random';
import { record } from '../record';
import { Tensor, allocateOutput, kernelsFor } from '../tensor';
import { checkSpatialInput } from './conv-geometry';

export function dropout2d(x: Tensor, p = 0.5, training = true, label = 'dropout2d'): Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`${label}: Expected a Tensor but received ${typeof x}`);
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) {
    throw new RangeError(`${label}: Expected a drop probability p in [0, 1] but received ${String(p)}`);
  }
  const g = checkSpatialInput(label, x.shape);
  if (!training || p === 0) return x;
  const planes = g.n * g.c;
  const kernels = kernelsFor(x.dtype);
  const { seed, offset } = takeStream(planes);
  // The mask: dropout of ones, so each channel's factor is 0 or 1/(1 − p).
  const mask = allocateOutput([planes], x.dtype).fill(1);
  kernels.dropoutForward(mask, p, seed, offset, mask);
  const y = allocateOutput(x.shape, x.dtype);
  kernels.scalePlanes(x.data, mask, planes, g.h * g.w, y);
  return record('dropout2d', { p }, [x], y, x.shape, (grad) => {
    kernels.scalePlanes(grad, mask, planes, g.h * g.w, grad);
    return [grad];
  });
}
