/** BatchNorm1d over the features of [N, C] or the channels of [N, C, L]. */
import { ones, zeros } from '../../autograd/create';
import type { DType, Tensor } from '../../autograd/tensor';
import { batchNorm } from '../../autograd/ops/batch-norm';
import { Module } from '../module';
import { Parameter } from '../parameter';

export interface BatchNormOptions {
  eps?: number;
  /** Weight of the new batch in the running statistics (PyTorch's momentum, default 0.1). */
  momentum?: number;
  /** Learned γ and β (default true). */
  affine?: boolean;
  /** Keep running statistics for evaluation (default true); without them eval uses batch statistics. */
  trackRunningStats?: boolean;
  dtype?: DType;
}

export class BatchNorm1d extends Module {
  weight: Parameter | null;
  bias: Parameter | null;
  declare runningMean: Tensor | null;
  declare runningVar: Tensor | null;
  readonly eps: number;
  readonly momentum: number;

  constructor(readonly numFeatures: number, options: BatchNormOptions = {}) {
    super();
    if (!Number.isInteger(numFeatures) || numFeatures < 1) {
      throw new RangeError(`BatchNorm1d: Expected a positive integer numFeatures but received ${String(numFeatures)}`);
    }
    const dtype = options.dtype ?? 'float32';
    this.eps = options.eps ?? 1e-5;
    this.momentum = options.momentum ?? 0.1;
    if (!(this.eps > 0)) throw new RangeError(`BatchNorm1d: Expected eps > 0 but received ${this.eps}`);
    if (!(this.momentum >= 0 && this.momentum <= 1)) throw new RangeError(`BatchNorm1d: Expected momentum in [0, 1] but received ${this.momentum}`);
    const affine = options.affine ?? true;
    this.weight = affine ? new Parameter(ones([numFeatures], { dtype })) : null;
    this.bias = affine ? new Parameter(zeros([numFeatures], { dtype })) : null;
    const track = options.trackRunningStats ?? true;
    this.registerBuffer('runningMean', track ? zeros([numFeatures], { dtype }) : null);
    this.registerBuffer('runningVar', track ? ones([numFeatures], { dtype }) : null);
  }

  forward(x: Tensor): Tensor {
    return batchNorm(x, {
      runningMean: this.runningMean?.data ?? null,
      runningVar: this.runningVar?.data ?? null,
      weight: this.weight,
      bias: this.bias,
      training: this.training,
      momentum: this.momentum,
      eps: this.eps,
    });
  }
}
