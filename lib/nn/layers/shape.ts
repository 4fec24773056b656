/** Layers that only reshape: Flatten and Identity. */
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

/** Returns its input: a placeholder where a layer is optional. */
export class Identity extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }
}
