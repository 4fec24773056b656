/** Elementwise functions: exp, log, sqrt, abs, pow (attributes: pow's { exponent }). */
import { NO_ATTRIBUTES, record } from '../record';
import { type Tensor, allocate } from '../tensor';
import { checkTensor, unary } from './unary';

/** eˣ. ∂/∂x = grad · eˣ (from the output). */
export function exp(x: Tensor): Tensor {
  return unary('exp', NO_ATTRIBUTES, x, (k, v, y) => k.exp(v, y), (k, _v, y, g) => k.expBackward(y, g, g));
}

/** Natural log (log 0 = −Inf, log of a negative = NaN, as IEEE). ∂/∂x = grad / x. */
export function log(x: Tensor): Tensor {
  return unary('log', NO_ATTRIBUTES, x, (k, v, y) => k.log(v, y), (k, v, _y, g) => k.logBackward(v, g, g));
}

/** √x. ∂/∂x = grad / (2√x) (Inf at 0). */
export function sqrt(x: Tensor): Tensor {
  return unary('sqrt', NO_ATTRIBUTES, x, (k, v, y) => k.sqrt(v, y), (k, _v, y, g) => k.sqrtBackward(y, g, g));
}

/** |x|. ∂/∂x = grad · sign(x), with the subgradient 0 at x = 0 (as PyTorch). */
export function abs(x: Tensor): Tensor {
  checkTensor('abs', x);
  const out = allocate(x.shape, x.dtype);
  const data = x.data;
  for (let i = 0; i < data.length; i++) out[i] = Math.abs(data[i]!);
  return record('abs', NO_ATTRIBUTES, [x], out, x.shape, (grad) => {
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
  return record('pow', { exponent }, [x], out, x.shape, (grad) => {
    if (exponent === 0) return [grad.fill(0)];
    for (let i = 0; i < data.length; i++) {
      const slope = exponent === 2 ? 2 * data[i]! : exponent * Math.pow(data[i]!, exponent - 1);
      grad[i] = grad[i]! * slope;
    }
    return [grad];
  });
}
