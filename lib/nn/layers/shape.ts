/** Layers that only reshape: Flatten, Unflatten and Identity. */
import { reshape } from '../../autograd/ops/shape';
import type { Tensor } from '../../autograd/tensor';
import { formatShape } from '../../autograd/tensor';
import { Module } from '../module';

/** Flattens dimensions startDim..endDim into one (PyTorch's defaults: 1 to −1, keeping the batch). */
export class Flatten extends Module {
  constructor(readonly startDim = 1, readonly endDim = -1) {
    super();
  }
  forward(x: Tensor): Tensor {
    const norm = (d: number) => (d < 0 ? d + x.ndim : d);
    const start = norm(this.startDim);
    const end = norm(this.endDim);
    if (x.ndim === 0) return reshape(x, [1]);
    if (!(start >= 0 && end < x.ndim && start <= end)) {
      throw new RangeError(`Flatten: dimensions ${this.startDim}..${this.endDim} do not fit an input of shape ${formatShape(x.shape)}`);
    }
    const middle = x.shape.slice(start, end + 1).reduce((a, b) => a * b, 1);
    return reshape(x, [...x.shape.slice(0, start), middle, ...x.shape.slice(end + 1)]);
  }
}

/**
 * Splits dimension `dim` into `sizes` (PyTorch's nn.Unflatten): [N, 784] → [N, 1, 28, 28] with
 * Unflatten(1, [1, 28, 28]), so flat rows of pixels can feed a convolution.
 */
export class Unflatten extends Module {
  readonly sizes: readonly number[];

  constructor(readonly dim: number, sizes: readonly number[]) {
    super();
    if (!Number.isInteger(dim)) throw new RangeError(`Unflatten: Expected dim as an integer but received ${String(dim)}`);
    if (!Array.isArray(sizes) || sizes.length === 0 || !sizes.every((s) => Number.isInteger(s) && s >= 1)) {
      throw new RangeError(`Unflatten: Expected sizes as a list of positive integers but received ${JSON.stringify(sizes)}`);
    }
    this.sizes = [...sizes];
  }

  forward(x: Tensor): Tensor {
    const d = this.dim < 0 ? this.dim + x.ndim : this.dim;
    const product = this.sizes.reduce((a, b) => a * b, 1);
    if (!(d >= 0 && d < x.ndim) || x.shape[d] !== product) {
      throw new RangeError(`Unflatten: Expected dimension ${this.dim} of size ${product} (${formatShape(this.sizes)}) but received an input of shape ${formatShape(x.shape)}`);
    }
    return reshape(x, [...x.shape.slice(0, d), ...this.sizes, ...x.shape.slice(d + 1)]);
  }

  override toString(): string {
    return `Unflatten(${this.dim}, ${formatShape(this.sizes)})`;
  }
}

/** Returns its input: a placeholder where a layer is optional. */
export class Identity extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }
}
