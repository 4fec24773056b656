/** The shape every elementwise function with a fused backward kernel shares. */
import { record } from '../record';
import type { FloatArray, Kernels, OpAttributes } from '../tensor';
import { Tensor, allocate, kernelsFor } from '../tensor';

export function checkTensor(op: string, x: unknown): asserts x is Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`${op}: Expected a Tensor but received ${x === null ? 'null' : typeof x}`);
}

/**
 * y = f(x) by forward(kernels, x, y); the backward turns ∂L/∂y into ∂L/∂x in place (the engine
 * owns grad), reading x or y as the function's derivative needs.
 */
export function unary(
  op: string, attributes: OpAttributes, x: Tensor,
  forward: (kernels: Kernels, x: FloatArray, y: FloatArray) => void,
  backward: (kernels: Kernels, x: FloatArray, y: FloatArray, grad: FloatArray) => void,
): Tensor {
  checkTensor(op, x);
  const kernels = kernelsFor(x.dtype);
  const out = allocate(x.shape, x.dtype);
  forward(kernels, x.data, out);
  return record(op, attributes, [x], out, x.shape, (grad) => {
    backward(kernels, x.data, out, grad);
    return [grad];
  });
}
