/**
 * nn.functional: the stateless forms of the layers and the losses, PyTorch's F. Every op with a
 * backward lives in lib/autograd/ops; the files here only compose them.
 */
export { linear } from './linear';
export type { LinearActivation } from './linear';
export { dropout } from '../../autograd/ops/dropout';
export { batchNorm } from '../../autograd/ops/batch-norm';
export type { BatchNormOptions } from '../../autograd/ops/batch-norm';
export {
  binaryCrossEntropyWithLogits, crossEntropy, l1Loss, mseLoss, multiMarginLoss, nllLoss,
} from './loss';
export type { BceOptions, Labels, MarginOptions, NllOptions, Reduction } from './loss';
export { elasticNetPenalty, l1Penalty, l2Penalty } from './penalty';
export {
  elu, gelu, leakyRelu, logSigmoid, prelu, relu, rrelu, sigmoid, softplus, tanh,
} from '../../autograd/ops/activation';
export { logSoftmax, softmax } from '../../autograd/ops/softmax';
export { hierarchicalSoftmaxLoss } from '../../autograd/ops/hsoftmax';
export { embedding } from '../../autograd/ops/embedding';
export { pad } from '../../autograd/ops/pad';
export type { PadMode } from '../../autograd/ops/pad';
export type { Indices } from '../../autograd/ops/embedding';
export { adaptiveAvgPool2d, avgPool2d, batchNorm2d, conv2d, dropout2d, maxPool2d, maxPool2dWithIndices } from './conv';
export type { AdaptiveSize, AvgPool2dOptions, Conv2dOptions, ConvActivation, MaxPool2dOptions } from './conv';
