/** Activation functions, each on its fused forward and backward kernels. */
import { record } from '../record';
import type { FloatArray } from '../tensor';
import { Tensor, allocate, commonDType, formatShape, kernelsFor } from '../tensor';
import { moveDimBack, moveDimToEnd, splitAt } from './move-dim';

function checkTensor(op: string, x: unknown): asserts x is Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`${op}: Expected a Tensor but received ${x === null ? 'null' : typeof x}`);
}

function checkNumber(op: string, name: string, value: unknown, positive = false): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || (positive && !(value > 0))) {
    throw new RangeError(`${op}: Expected a finite${positive ? ' positive' : ''} number for ${name} but received ${String(value)}`);
  }
  return value;
}

/** max(x, 0). Subgradient at 0 is 0, as in PyTorch; NaN passes through. */
export function relu(x: Tensor): Tensor {
  checkTensor('relu', x);
  const kernels = kernelsFor(x.dtype);
  const out = allocate(x.shape, x.dtype);
  kernels.relu(x.data, out);
  return record('relu', [x], out, x.shape, (grad) => {
    kernels.reluBackward(x.data, grad, grad); // in place: the engine owns grad
    return [grad];
  });
}

/** σ(x) = 1/(1 + e⁻ˣ), no overflow for any x. ∂/∂x = grad·σ(1 − σ). */
export function sigmoid(x: Tensor): Tensor {
  checkTensor('sigmoid', x);
  const kernels = kernelsFor(x.dtype);
  const out = allocate(x.shape, x.dtype);
  kernels.sigmoid(x.data, out);
  return record('sigmoid', [x], out, x.shape, (grad) => {
    kernels.sigmoidBackward(out, grad, grad);
    return [grad];
  });
}

/** tanh x. ∂/∂x = grad·(1 − tanh²x). */
export function tanh(x: Tensor): Tensor {
  checkTensor('tanh', x);
  const kernels = kernelsFor(x.dtype);
  const out = allocate(x.shape, x.dtype);
  kernels.tanh(x.data, out);
  return record('tanh', [x], out, x.shape, (grad) => {
    kernels.tanhBackward(out, grad, grad);
    return [grad];
  });
}

/** x > 0 ? x : slope·x (PyTorch's default slope 0.01); the subgradient at 0 is slope. */
export function leakyRelu(x: Tensor, slope = 0.01): Tensor {
  checkTensor('leakyRelu', x);
  checkNumber('leakyRelu', 'slope', slope);
  const kernels = kernelsFor(x.dtype);
  const out = allocate(x.shape, x.dtype);
  kernels.leakyRelu(x.data, slope, out);
  return record('leakyRelu', [x], out, x.shape, (grad) => {
    kernels.leakyReluBackward(x.data, grad, slope, grad);
    return [grad];
  });
}

/**
 * PReLU: x > 0 ? x : a_c·x with a learned slope per channel (dimension 1 of an [N, C, ...] input)
 * or one shared slope (weight of size 1). Gradients for x and for the slopes.
 */
export function prelu(x: Tensor, weight: Tensor): Tensor {
  checkTensor('prelu', x);
  checkTensor('prelu', weight);
  const dtype = commonDType('prelu', [x, weight]);
  const kernels = kernelsFor(dtype);
  const channels = weight.size;
  if (weight.ndim > 1 || channels === 0) {
    throw new RangeError(`prelu: Expected a weight of shape [1] or [C] but received ${formatShape(weight.shape)}`);
  }
  if (channels > 1 && (x.ndim < 2 || x.shape[1] !== channels)) {
    throw new RangeError(`prelu: Expected an input with ${channels} channels in dimension 1 but received ${formatShape(x.shape)}`);
  }
  // Channels last: [N, C, L] → [N, L, C], so the kernel sees rows × channels.
  const split = channels > 1 ? splitAt(x.shape, 1) : { outer: x.size, length: 1, inner: 1 };
  const xs = moveDimToEnd(kernels, x.data, split, dtype);
  const rows = x.size / channels;
  const moved = allocate(x.shape, dtype);
  kernels.prelu(xs, weight.data, rows, channels, moved);
  const out = moveDimBack(kernels, moved, split, dtype);
  return record('prelu', [x, weight], out, x.shape, (grad) => {
    const dy = moveDimToEnd(kernels, grad, split, dtype);
    const dxMoved = allocate(x.shape, dtype);
    const dslope = allocate(weight.shape, dtype);
    kernels.preluBackward(xs, weight.data, dy, rows, channels, dxMoved, dslope);
    return [x.requiresGrad ? moveDimBack(kernels, dxMoved, split, dtype) : null, weight.requiresGrad ? dslope : null];
  });
}

/**
 * x > 0 ? x : slopes[i]·x with one slope per element (a tensor of x's shape, no gradient): the
 * training-mode RReLU, whose slopes are drawn uniformly by the caller.
 */
export function elementwiseLeakyRelu(x: Tensor, slopes: FloatArray): Tensor {
  checkTensor('rrelu', x);
  if (slopes.length !== x.size) throw new RangeError(`rrelu: Expected ${x.size} slopes but received ${slopes.length}`);
  const kernels = kernelsFor(x.dtype);
  const out = allocate(x.shape, x.dtype);
  // prelu with one "channel" per element.
  kernels.prelu(x.data, slopes, 1, x.size, out);
  return record('rrelu', [x], out, x.shape, (grad) => {
    const dx = allocate(x.shape, x.dtype);
    kernels.preluBackward(x.data, slopes, grad, 1, x.size, dx, allocate(x.shape, x.dtype));
    return [dx];
  });
}

/** ELU: x > 0 ? x : α(eˣ − 1) (α = 1 by default). */
export function elu(x: Tensor, alpha = 1): Tensor {
  checkTensor('elu', x);
  checkNumber('elu', 'alpha', alpha);
  const kernels = kernelsFor(x.dtype);
  const out = allocate(x.shape, x.dtype);
  kernels.elu(x.data, alpha, out);
  return record('elu', [x], out, x.shape, (grad) => {
    kernels.eluBackward(x.data, grad, alpha, grad);
    return [grad];
  });
}

/** Softplus: log(1 + e^(βx))/β, linear where βx > threshold (PyTorch: β = 1, threshold 20). */
export function softplus(x: Tensor, beta = 1, threshold = 20): Tensor {
  checkTensor('softplus', x);
  checkNumber('softplus', 'beta', beta, true);
  checkNumber('softplus', 'threshold', threshold);
  const kernels = kernelsFor(x.dtype);
  const out = allocate(x.shape, x.dtype);
  kernels.softplus(x.data, beta, threshold, out);
  return record('softplus', [x], out, x.shape, (grad) => {
    kernels.softplusBackward(x.data, grad, beta, threshold, grad);
    return [grad];
  });
}

/** GELU: x·Φ(x) exactly (default), or PyTorch's tanh approximation with approximate 'tanh'. */
export function gelu(x: Tensor, approximate: 'none' | 'tanh' = 'none'): Tensor {
  checkTensor('gelu', x);
  if (approximate !== 'none' && approximate !== 'tanh') {
    throw new RangeError(`gelu: Expected approximate to be "none" or "tanh" but received ${String(approximate)}`);
  }
  const kernels = kernelsFor(x.dtype);
  const out = allocate(x.shape, x.dtype);
  if (approximate === 'tanh') kernels.geluTanh(x.data, out);
  else kernels.gelu(x.data, out);
  return record('gelu', [x], out, x.shape, (grad) => {
    if (approximate === 'tanh') kernels.geluTanhBackward(x.data, grad, grad);
    else kernels.geluBackward(x.data, grad, grad);
    return [grad];
  });
}
