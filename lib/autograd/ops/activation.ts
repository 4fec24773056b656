/** Activation functions. */
import { record } from '../record';
import type { Tensor } from '../tensor';
import { allocate, kernelsFor } from '../tensor';

/** max(x, 0). Subgradient at 0 is 0, as in PyTorch; NaN passes through. */
export function relu(x: Tensor): Tensor {
  const kernels = kernelsFor(x.dtype);
  const out = allocate(x.shape, x.dtype);
  kernels.relu(x.data, out);
  return record('relu', [x], out, x.shape, (grad) => {
    kernels.reluBackward(x.data, grad, grad); // in place: the engine owns grad
    return [grad];
  });
}
