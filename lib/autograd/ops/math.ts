/** Elementwise functions: exp, log, sqrt, abs, pow. */
import { record } from '../record';
import { Tensor, allocate, kernelsFor } from '../tensor';

function checkTensor(op: string, x: unknown): asserts x is Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`${op}: Expected a Tensor but received ${x === null ? 'null' : typeof x}`);
}

/** eˣ. ∂/∂x = grad · eˣ (from the output). */
export function exp(x: Tensor): Tensor {
  checkTensor('exp', x);
  const kernels = kernelsFor(x.dtype);
  const out = allocate(x.shape, x.dtype);
  kernels.exp(x.data, out);
  return record('exp', [x], out, x.shape, (grad) => {
    kernels.expBackward(out, grad, grad);
    return [grad];
  });
}

/** Natural log (log 0 = −Inf, log of a negative = NaN, as IEEE). ∂/∂x = grad / x. */
export function log(x: Tensor): Tensor {
  checkTensor('log', x);
  const kernels = kernelsFor(x.dtype);
  const out = allocate(x.shape, x.dtype);
  kernels.log(x.data, out);
  return record('log', [x], out, x.shape, (grad) => {
    kernels.logBackward(x.data, grad, grad);
    return [grad];
  });
}

/** √x. ∂/∂x = grad / (2√x) (Inf at 0). */
export function sqrt(x: Tensor): Tensor {
  checkTensor('sqrt', x);
  const kernels = kernelsFor(x.dtype);
  const out = allocate(x.shape, x.dtype);
  kernels.sqrt(x.data, out);
  return record('sqrt', [x], out, x.shape, (grad) => {
    kernels.sqrtBackward(out, grad, grad);
    return [grad];
  });
}

/** |x|. ∂/∂x = grad · sign(x), with the subgradient 0 at x = 0 (as PyTorch). */
export function abs(x: Tensor): Tensor {
  checkTensor('abs', x);
  const out = allocate(x.shape, x.dtype);
  const data = x.data;
  for (let i = 0; i < data.length; i++) out[i] = Math.abs(data[i]!);
  return record('abs', [x], out, x.shape, (grad) => {
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      grad[i] = v > 0 ? grad[i]! : v < 0 ? -grad[i]! : v === 0 ? 0 : NaN;
    }
    return [grad];
  });
}

/**
 * xᵖ for a number p. ∂/∂x = grad · p·xᵖ⁻¹ (0 for p = 0, matching PyTorch). Negative x with a
 * non-integer p gives NaN, as Math.pow does.
 */
export function pow(x: Tensor, exponent: number): Tensor {
  checkTensor('pow', x);
  if (typeof exponent !== 'number' || !Number.isFinite(exponent)) {
    throw new TypeError(`pow: Expected a finite number for exponent but received ${String(exponent)}`);
  }
  const out = allocate(x.shape, x.dtype);
  const data = x.data;
  if (exponent === 2) for (let i = 0; i < data.length; i++) out[i] = data[i]! * data[i]!;
  else for (let i = 0; i < data.length; i++) out[i] = Math.pow(data[i]!, exponent);
  return record('pow', [x], out, x.shape, (grad) => {
    if (exponent === 0) return [grad.fill(0)];
    for (let i = 0; i < data.length; i++) {
      const slope = exponent === 2 ? 2 * data[i]! : exponent * Math.pow(data[i]!, exponent - 1);
      grad[i] = grad[i]! * slope;
    }
    return [grad];
  });
}
