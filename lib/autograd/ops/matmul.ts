/** Matrix product of 2-D tensors; in bfloat16 under amp.autocast('bfloat16') (autocast.ts). */
import { gemmsInBfloat16, product } from '../autocast';
import { NO_ATTRIBUTES, record } from '../record';
import type { Tensor } from '../tensor';
import { allocate, commonDType, formatShape, kernelsFor } from '../tensor';
import { checkTensor } from './unary';

/**
 * a [m, k] · b [k, n] → [m, n]. ∂/∂a = grad · bᵀ (gemm NT), ∂/∂b = aᵀ · grad (gemm TN): the
 * transposes are read in place, never copied.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  checkTensor('matmul', a);
  checkTensor('matmul', b);
  if (a.ndim !== 2 || b.ndim !== 2) {
    throw new RangeError(`matmul: Expected two 2-D tensors but received ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  }
  const [m, k] = a.shape as [number, number];
  const [k2, n] = b.shape as [number, number];
  if (k !== k2) {
    throw new RangeError(`matmul: ${formatShape(a.shape)} x ${formatShape(b.shape)}: inner dimensions ${k} and ${k2} differ`);
  }
  const dtype = commonDType('matmul', [a, b]);
  const kernels = kernelsFor(dtype);
  const out = allocate([m, n], dtype);
  // Read once, here: the backward multiplies as the forward did, wherever backward() runs.
  const bf16 = gemmsInBfloat16(dtype);
  product(kernels, bf16, false, false, m, n, k, a.data, b.data, out);
  return record('matmul', NO_ATTRIBUTES, [a, b], out, [m, n], (grad) => {
    let da = null;
    let db = null;
    if (a.requiresGrad) {
      da = allocate(a.shape, dtype);
      product(kernels, bf16, false, true, m, k, n, grad, b.data, da);
    }
    if (b.requiresGrad) {
      db = allocate(b.shape, dtype);
      product(kernels, bf16, true, false, k, n, m, a.data, grad, db);
    }
    return [da, db];
  });
}
