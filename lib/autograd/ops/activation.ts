/**
 * Activation functions, each on its fused forward and backward kernels. Attributes: leakyRelu
 * { slope }, elu { alpha }, softplus { beta, threshold }, gelu { approximate }, rrelu
 * { lower, upper }; the others have none.
 */
import { rand } from '../create';
import { NO_ATTRIBUTES, record } from '../record';
import type { Tensor } from '../tensor';
import { allocate, commonDType, formatShape, kernelsFor } from '../tensor';
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
  return unary('relu', NO_ATTRIBUTES, x, (k, v, y) => k.relu(v, y), (k, v, _y, g) => k.reluBackward(v, g, g));
}

/** σ(x) = 1/(1 + e⁻ˣ), no overflow for any x. ∂/∂x = grad·σ(1 − σ). */
export function sigmoid(x: Tensor): Tensor {
  return unary('sigmoid', NO_ATTRIBUTES, x, (k, v, y) => k.sigmoid(v, y), (k, _v, y, g) => k.sigmoidBackward(y, g, g));
}

/** tanh x. ∂/∂x = grad·(1 − tanh²x). */
export function tanh(x: Tensor): Tensor {
  return unary('tanh', NO_ATTRIBUTES, x, (k, v, y) => k.tanh(v, y), (k, _v, y, g) => k.tanhBackward(y, g, g));
}

/** x > 0 ? x : slope·x (PyTorch's default slope 0.01); the subgradient at 0 is slope. */
export function leakyRelu(x: Tensor, slope = 0.01): Tensor {
  checkNumber('leakyRelu', 'slope', slope);
  return unary('leakyRelu', { slope }, x, (k, v, y) => k.leakyRelu(v, slope, y), (k, v, _y, g) => k.leakyReluBackward(v, g, slope, g));
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
  return record('prelu', NO_ATTRIBUTES, [x, weight], out, x.shape, (grad) => {
    const dy = moveDimToEnd(kernels, grad, split, dtype);
    const dxMoved = allocate(x.shape, dtype);
    const dslope = allocate(weight.shape, dtype);
    kernels.preluBackward(xs, weight.data, dy, rows, channels, dxMoved, dslope);
    return [x.requiresGrad ? moveDimBack(kernels, dxMoved, split, dtype) : null, weight.requiresGrad ? dslope : null];
  });
}

/**
 * Randomized leaky ReLU (Xu et al. 2015): in training, x > 0 ? x : a·x with a drawn uniformly
 * from [lower, upper] for each element (the seeded generator; the slopes get no gradient); in
 * evaluation leakyRelu with the mean slope (lower + upper)/2, as PyTorch's F.rrelu.
 */
export function rrelu(x: Tensor, lower = 1 / 8, upper = 1 / 3, training = false): Tensor {
  checkTensor('rrelu', x);
  checkNumber('rrelu', 'lower', lower);
  checkNumber('rrelu', 'upper', upper);
  if (!(lower <= upper)) throw new RangeError(`rrelu: Expected lower <= upper but received ${lower} and ${upper}`);
  if (!training) return leakyRelu(x, (lower + upper) / 2);
  const slopes = rand(x.shape, { low: lower, high: upper, dtype: x.dtype }).data;
  const kernels = kernelsFor(x.dtype);
  const out = allocate(x.shape, x.dtype);
  // prelu with one "channel" per element.
  kernels.prelu(x.data, slopes, 1, x.size, out);
  return record('rrelu', { lower, upper }, [x], out, x.shape, (grad) => {
    const dx = allocate(x.shape, x.dtype);
    kernels.preluBackward(x.data, slopes, grad, 1, x.size, dx, allocate(x.shape, x.dtype));
    return [dx];
  });
}

/** ELU: x > 0 ? x : α(eˣ − 1) (α = 1 by default). */
export function elu(x: Tensor, alpha = 1): Tensor {
  checkNumber('elu', 'alpha', alpha);
  return unary('elu', { alpha }, x, (k, v, y) => k.elu(v, alpha, y), (k, v, _y, g) => k.eluBackward(v, g, alpha, g));
}

/** Softplus: log(1 + e^(βx))/β, linear where βx > threshold (PyTorch: β = 1, threshold 20). */
export function softplus(x: Tensor, beta = 1, threshold = 20): Tensor {
  checkNumber('softplus', 'beta', beta, true);
  checkNumber('softplus', 'threshold', threshold);
  return unary('softplus', { beta, threshold }, x, (k, v, y) => k.softplus(v, beta, threshold, y), (k, v, _y, g) => k.softplusBackward(v, g, beta, threshold, g));
}

/** The largest finite float32: softplus's threshold that no finite input exceeds. */
const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * log σ(x) = −softplus(−x) = min(x, 0) − log1p(e^−|x|), finite for every finite x (log(sigmoid(x))
 * is −Infinity below x ≈ −104 in float32). ∂/∂x = σ(−x). On the softplus kernels, whose stable
 * form needs no cut-over: the threshold is the largest float32, so only −x = +Infinity takes the
 * linear branch (logSigmoid(−Infinity) = −Infinity).
 */
export function logSigmoid(x: Tensor): Tensor {
  checkTensor('logSigmoid', x);
  const kernels = kernelsFor(x.dtype);
  const negated = allocate(x.shape, x.dtype);
  kernels.mulScalar(x.data, -1, negated);
  const out = allocate(x.shape, x.dtype);
  kernels.softplus(negated, 1, FLOAT32_MAX, out);
  kernels.mulScalar(out, -1, out);
  return record('logSigmoid', NO_ATTRIBUTES, [x], out, x.shape, (grad) => {
    // d/dx −softplus(−x) = softplus′(−x) = σ(−x).
    kernels.softplusBackward(negated, grad, 1, FLOAT32_MAX, grad);
    return [grad];
  });
}

/** GELU: x·Φ(x) exactly (default), or PyTorch's tanh approximation with approximate 'tanh'. */
export function gelu(x: Tensor, approximate: 'none' | 'tanh' = 'none'): Tensor {
  if (approximate !== 'none' && approximate !== 'tanh') {
    throw new RangeError(`gelu: Expected approximate to be "none" or "tanh" but received ${String(approximate)}`);
  }
  if (approximate === 'tanh') return unary('gelu', { approximate }, x, (k, v, y) => k.geluTanh(v, y), (k, v, _y, g) => k.geluTanhBackward(v, g, g));
  return unary('gelu', { approximate }, x, (k, v, y) => k.gelu(v, y), (k, v, _y, g) => k.geluBackward(v, g, g));
}
