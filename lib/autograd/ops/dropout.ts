/** Inverted dropout on the counter-based mask kernels. Attributes: { p }. */
import { takeStream } from '../random';
import { record } from '../record';
import { Tensor, allocateOutput, kernelsFor } from '../tensor';

/**
 * Zeroes each element with probability p (PyTorch's p, the DROP probability) and scales the
 * kept ones by 1/(1 − p), so evaluation needs no scaling. The mask comes from the seeded
 * generator and is regenerated in the backward pass, not stored. Identity when not training or
 * when p = 0.
 */
export function dropout(x: Tensor, p = 0.5, training = true): Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`dropout: Expected a Tensor but received ${typeof x}`);
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) {
    throw new RangeError(`dropout: Expected a drop probability p in [0, 1] but received ${String(p)}`);
  }
  if (typeof training !== 'boolean') throw new TypeError(`dropout: Expected a boolean for training but received ${typeof training}`);
  if (!training || p === 0) return x;
  const kernels = kernelsFor(x.dtype);
  const { seed, offset } = takeStream(x.size);
  const out = allocateOutput(x.shape, x.dtype); // written whole by the kernel
  kernels.dropoutForward(x.data, p, seed, offset, out);
  return record('dropout', { p }, [x], out, x.shape, (grad) => {
    kernels.dropoutBackward(grad, p, seed, offset, grad);
    return [grad];
  });
}
