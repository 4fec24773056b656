/** nn.functional's convolutional forms: conv2d, the poolings, batchNorm2d and dropout2d. */
import { type BatchNormOptions, batchNorm } from '../../autograd/ops/batch-norm';
import { checkTensor } from '../../autograd/ops/unary';
import type { Tensor } from '../../autograd/tensor';
import { formatShape } from '../../autograd/tensor';

export { conv2d } from '../../autograd/ops/conv';
export type { Conv2dOptions, ConvActivation } from '../../autograd/ops/conv';
export { adaptiveAvgPool2d, avgPool2d, maxPool2d, maxPool2dWithIndices } from '../../autograd/ops/pool';
export type { AdaptiveSize, AvgPool2dOptions, MaxPool2dOptions } from '../../autograd/ops/pool';
export { dropout2d } from '../../autograd/ops/dropout2d';

/**
 * Batch normalization of [N, C, H, W] per channel over its N·H·W values (BatchNorm2d): the
 * batch-norm op, insisting on a 4-D input.
 */
export function batchNorm2d(x: Tensor, options: BatchNormOptions & { label?: string } = {}): Tensor {
  const { label = 'batchNorm2d', ...rest } = options;
  checkTensor(label, x);
  if (x.ndim !== 4) throw new RangeError(`${label}: Expected a 4-D input [N, C, H, W] but received ${formatShape(x.shape)} (${x.ndim}-D)`);
  return batchNorm(x, rest);
}
