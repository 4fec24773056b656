/** nn.functional.linear: the fused op, or the op then leakyRelu when the slope is negative. */
import { leakyRelu } from '../../autograd/ops/activation';
import { type LinearActivation, linear as fusedLinear } from '../../autograd/ops/linear';
import type { Tensor } from '../../autograd/tensor';

export type { LinearActivation } from '../../autograd/ops/linear';

/**
 * y = act(x·Wᵀ + b): x [..., in], weight [out, in] (PyTorch's layout), bias [out] or null;
 * activation 'none', 'relu' or 'leakyRelu' (with its slope, 0.01 by default) fused into the GEMM.
 */
export function linear(
  x: Tensor, weight: Tensor, bias: Tensor | null = null, activation: LinearActivation = 'none', slope = 0.01,
): Tensor {
  if (activation === 'leakyRelu' && typeof slope === 'number' && slope < 0) {
    // The fused backward reads the sign of the output, which a negative slope flips.
    return leakyRelu(fusedLinear(x, weight, bias), slope);
  }
  return fusedLinear(x, weight, bias, activation, slope);
}
