/**
 * Weight initializers, in place (as torch.nn.init.*_), drawing from the library's seeded
 * generator: the same seed gives the same model. Fans follow PyTorch's layout: a weight of shape
 * [out, in, ...rest] has fanIn = in·Π rest and fanOut = out·Π rest.
 */
import { noGrad } from '../autograd/grad-mode';
import { takeStream } from '../autograd/random';
import type { Tensor } from '../autograd/tensor';
import { formatShape, kernelsFor } from '../autograd/tensor';
import { householderQR } from './qr';

export type Nonlinearity = 'linear' | 'identity' | 'sigmoid' | 'tanh' | 'relu' | 'leakyRelu' | 'selu';
export type FanMode = 'fanIn' | 'fanOut';

/** The gain of PyTorch's calculate_gain: the std factor that keeps activations' scale. */
export function calculateGain(nonlinearity: Nonlinearity, slope = 0.01): number {
  switch (nonlinearity) {
    case 'linear':
    case 'identity':
    case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leakyRelu':
      return Math.sqrt(2 / (1 + slope * slope));
    case 'selu':
      return 3 / 4;
    default:
      throw new TypeError(`calculateGain: Expected one of linear, identity, sigmoid, tanh, relu, leakyRelu, selu but received ${String(nonlinearity)}`);
  }
}

export function fans(t: Tensor): { fanIn: number; fanOut: number } {
  if (t.ndim < 2) {
    throw new RangeError(`init: fan in and fan out need a tensor of 2 or more dimensions but received shape ${formatShape(t.shape)}`);
  }
  const receptive = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: t.shape[1]! * receptive, fanOut: t.shape[0]! * receptive };
}

function fillUniform(t: Tensor, low: number, high: number): Tensor {
  noGrad(() => {
    const { seed, offset } = takeStream(t.size);
    kernelsFor(t.dtype).fillUniform(t.data, seed, offset, low, high);
  });
  return t;
}

function fillNormal(t: Tensor, mean: number, std: number): Tensor {
  noGrad(() => {
    const { seed, offset } = takeStream(t.size);
    kernelsFor(t.dtype).fillNormal(t.data, seed, offset, mean, std);
  });
  return t;
}

export function zeros(t: Tensor): Tensor {
  t.data.fill(0);
  return t;
}

export function constant(t: Tensor, value: number): Tensor {
  t.data.fill(value);
  return t;
}

export function uniform(t: Tensor, low = 0, high = 1): Tensor {
  return fillUniform(t, low, high);
}

/** N(mean, std²); the notes' "small Gaussian" is normal(w, 0, 0.01). */
export function normal(t: Tensor, mean = 0, std = 1): Tensor {
  return fillNormal(t, mean, std);
}

/** Glorot: U(−a, a) with a = gain·√(6/(fanIn + fanOut)), so Var = gain²·2/(fanIn + fanOut). */
export function xavierUniform(t: Tensor, gain = 1): Tensor {
  const { fanIn, fanOut } = fans(t);
  const a = gain * Math.sqrt(6 / (fanIn + fanOut));
  return fillUniform(t, -a, a);
}

/** Glorot: N(0, gain²·2/(fanIn + fanOut)). */
export function xavierNormal(t: Tensor, gain = 1): Tensor {
  const { fanIn, fanOut } = fans(t);
  return fillNormal(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)));
}

/** LeCun: N(0, 1/fanIn), what some of the notes call "Xavier". */
export function lecunNormal(t: Tensor): Tensor {
  return fillNormal(t, 0, Math.sqrt(1 / fans(t).fanIn));
}

export interface KaimingOptions {
  /** Keep the variance of activations (fanIn, the default) or of gradients (fanOut). */
  mode?: FanMode;
  /** The nonlinearity that follows (default leakyRelu with slope 0, i.e. ReLU, as PyTorch). */
  nonlinearity?: Nonlinearity;
  /** The negative slope for leakyRelu. */
  slope?: number;
}

function kaimingStd(t: Tensor, options: KaimingOptions): number {
  const mode = options.mode ?? 'fanIn';
  if (mode !== 'fanIn' && mode !== 'fanOut') throw new TypeError(`kaiming: Expected mode "fanIn" or "fanOut" but received ${String(mode)}`);
  const fan = fans(t)[mode];
  return calculateGain(options.nonlinearity ?? 'leakyRelu', options.slope ?? 0) / Math.sqrt(fan);
}

/** He: N(0, gain²/fan). */
export function kaimingNormal(t: Tensor, options: KaimingOptions = {}): Tensor {
  return fillNormal(t, 0, kaimingStd(t, options));
}

/** He: U(−b, b) with b = gain·√(3/fan). */
export function kaimingUniform(t: Tensor, options: KaimingOptions = {}): Tensor {
  const bound = Math.sqrt(3) * kaimingStd(t, options);
  return fillUniform(t, -bound, bound);
}

/**
 * A (semi-)orthogonal matrix times gain (Saxe et al.): Q of the QR of a Gaussian matrix, with
 * the signs of R's diagonal folded in so Q is uniformly distributed. Rows are orthonormal when
 * rows ≤ columns, columns otherwise. Dimensions past the second are flattened.
 */
export function orthogonal(t: Tensor, gain = 1): Tensor {
  if (t.ndim < 2) throw new RangeError(`orthogonal: Expected a tensor of 2 or more dimensions but received shape ${formatShape(t.shape)}`);
  const rows = t.shape[0]!;
  const cols = t.size / rows;
  const tall = rows >= cols;
  const [m, n] = tall ? [rows, cols] : [cols, rows];
  const gaussian = new Float64Array(m * n);
  noGrad(() => {
    const { seed, offset } = takeStream(m * n);
    kernelsFor('float64').fillNormal(gaussian, seed, offset, 0, 1);
  });
  const { q, rDiagonal } = householderQR(gaussian, m, n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const value = gain * q[i * n + j]! * (rDiagonal[j]! < 0 ? -1 : 1);
      if (tall) t.data[i * n + j] = value;
      else t.data[j * m + i] = value; // the transpose: rows × cols
    }
  }
  return t;
}
