/** Elementwise arithmetic of tensors of one shape. */
import { record } from '../record';
import type { Tensor } from '../tensor';
import { allocate, commonDType, formatShape, kernelsFor } from '../tensor';

function checkSameShape(op: string, a: Tensor, b: Tensor): void {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new RangeError(`${op}: Expected tensors of one shape but received ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  }
}

/** a + b. ∂/∂a = ∂/∂b = the upstream gradient. */
export function add(a: Tensor, b: Tensor): Tensor {
  checkSameShape('add', a, b);
  const dtype = commonDType('add', [a, b]);
  const kernels = kernelsFor(dtype);
  const out = allocate(a.shape, dtype);
  kernels.add(a.data, b.data, out);
  return record('add', [a, b], out, a.shape, (grad) => [grad, grad]);
}

/** a · b elementwise. ∂/∂a = grad · b, ∂/∂b = grad · a. */
export function mul(a: Tensor, b: Tensor): Tensor {
  checkSameShape('mul', a, b);
  const dtype = commonDType('mul', [a, b]);
  const kernels = kernelsFor(dtype);
  const out = allocate(a.shape, dtype);
  kernels.mul(a.data, b.data, out);
  return record('mul', [a, b], out, a.shape, (grad) => {
    const product = (other: Tensor) => {
      const g = allocate(a.shape, dtype);
      kernels.mul(grad, other.data, g);
      return g;
    };
    return [a.requiresGrad ? product(b) : null, b.requiresGrad ? product(a) : null];
  });
}
