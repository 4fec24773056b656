/** Activation functions, each on its fused forward and backward kernels. */
import { record } from '../record';
import type { FloatArray } from '../tensor';
import { Tensor, allocate, commonDType, formatShape, kernelsFor } from '../tensor';
import { moveDimBack, moveDimToEnd, splitAt } from './move-dim';
import { checkTensor, unary } from './unary';

function checkNumber(op: string, name: string, value: unknown, positive = false): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || (positive && !(value > 0))) {
    throw new RangeError(`${op}: Expected a finite${positive ? ' positive' : ''} number for ${name} but received ${String(value)}`);
  }
  return value;
}

/** max(x, 0). Subgradient at 0 is 0, as in PyTorch; NaN passes through. */
export function relu(x: Tensor): Tensor {
  return unary('relu', x, (k, v, y) => k.relu(v, y), (k, v, _y, g) => k.reluBackward(v, g, g));
}

/** σ(x) = 1/(1 + e⁻ˣ), no overflow for any x. ∂/∂x = grad·σ(1 − σ). */
export function sigmoid(x: Tensor): Tensor {
  return unary('sigmoid', x, (k, v, y) => k.sigmoid(v, y), (k, _v, y, g) => k.sigmoidBackward(y, g, g));
}

/** tanh x. ∂/∂x = grad·(1 − tanh²x). */
export function tanh(x: Tensor): Tensor {
  return unary('tanh', x, (k, v, y) => k.tanh(v, y), (k, _v, y, g) => k.tanhBackward(y, g, g));
}

/** x > 0 ? x : slope·x (PyTorch's default slope 0.01); the subgradient at 0 is slope. */
export function leakyRelu(x: Tensor, slope = 0.01): Tensor {
  checkNumber('leakyRelu', 'slope', slope);
  return unary('leakyRelu', x, (k, v, y) => k.leakyRelu(v, slope, y), (k, v, _y, g) => k.leakyReluBackward(v, g, slope, g));
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
  checkNumber('elu', 'alpha', alpha);
  return unary('elu', x, (k, v, y) => k.elu(v, alpha, y), (k, v, _y, g) => k.eluBackward(v, g, alpha, g));
}

/** Softplus: log(1 + e^(βx))/β, linear where βx > threshold (PyTorch: β = 1, threshold 20). */
export function softplus(x: Tensor, beta = 1, threshold = 20): Tensor {
  checkNumber('softplus', 'beta', beta, true);
  checkNumber('softplus', 'threshold', threshold);
  return unary('softplus', x, (k, v, y) => k.softplus(v, beta, threshold, y), (k, v, _y, g) => k.softplusBackward(v, g, beta, threshold, g));
}

/** GELU: x·Φ(x) exactly (default), or PyTorch's tanh approximation with approximate 'tanh'. */
export function gelu(x: Tensor, approximate: 'none' | 'tanh' = 'none'): Tensor {
  if (approximate !== 'none' && approximate !== 'tanh') {
    throw new RangeError(`gelu: Expected approximate to be "none" or "tanh" but received ${String(approximate)}`);
  }
  if (approximate === 'tanh') return unary('gelu', x, (k, v, y) => k.geluTanh(v, y), (k, v, _y, g) => k.geluTanhBackward(v, g, g));
  return unary('gelu', x, (k, v, y) => k.gelu(v, y), (k, v, _y, g) => k.geluBackward(v, g, g));
}
