/** Matrix product of 2-D tensors. */
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
  kernels.gemm(false, false, m, n, k, 1, a.data, b.data, 0, out);
  return record('matmul', NO_ATTRIBUTES, [a, b], out, [m, n], (grad) => {
    let da = null;
    let db = null;
    if (a.requiresGrad) {
      da = allocate(a.shape, dtype);
      kernels.gemm(false, true, m, k, n, 1, grad, b.data, 0, da);
    }
    if (b.requiresGrad) {
      db = allocate(b.shape, dtype);
      kernels.gemm(true, false, k, n, m, 1, a.data, grad, 0, db);
    }
    return [da, db];
  });
}
