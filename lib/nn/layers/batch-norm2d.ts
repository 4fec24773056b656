/** BatchNorm2d: per-channel statistics of [N, C, H, W] over N·H·W values (PyTorch's defaults). */
import type { Tensor } from '../../autograd/tensor';
import { formatShape } from '../../autograd/tensor';
import { batchNorm2d } from '../functional/conv';
import { BatchNormBase } from './batch-norm';

export class BatchNorm2d extends BatchNormBase {
  forward(x: Tensor): Tensor {
    if (x.ndim !== 4 || x.shape[1] !== this.numFeatures) {
      throw new RangeError(`${this.toString()}: Expected a 4-D input [N, ${this.numFeatures}, H, W] but received ${formatShape(x.shape)}`);
    }
    return batchNorm2d(x, { ...this.state(), label: this.toString() });
  }

  override toString(): string {
    return `BatchNorm2d(${this.numFeatures})`;
  }
}
