export { Module } from './module';
export type { BufferEntry, ForwardHook, LoadResult } from './module';
export { Parameter } from './parameter';
export { ParameterArena } from './parameter-arena';
export { Sequential } from './sequential';
export { Linear } from './layers/linear';
export type { LinearOptions } from './layers/linear';
export {
  ELU, GELU, LeakyReLU, LogSigmoid, NoisyReLU, PReLU, ReLU, RReLU, Sigmoid, Softplus, Tanh,
} from './layers/activations';
export { BatchNorm1d } from './layers/batch-norm';
export type { BatchNormOptions } from './layers/batch-norm';
export { Dropout } from './layers/dropout';
export { Conv2d } from './layers/conv';
export type { Conv2dOptions } from './layers/conv';
export { AdaptiveAvgPool2d, AvgPool2d, MaxPool2d } from './layers/pooling';
export type { AvgPool2dOptions, MaxPool2dOptions } from './layers/pooling';
export { BatchNorm2d } from './layers/batch-norm2d';
export { Dropout2d } from './layers/dropout2d';
export { Flatten, Identity, Unflatten } from './layers/shape';
export { ConstantPad2d, ReflectionPad2d, ReplicationPad2d, ZeroPad2d } from './layers/padding';
export type { Padding2d } from './layers/padding';
export {
  BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, MultiMarginLoss, NLLLoss,
} from './layers/losses';
export * as init from './init';
export * as functional from './functional';
export { HierarchicalSoftmax } from './layers/hierarchical-softmax';
export type { HierarchicalSoftmaxOptions } from './layers/hierarchical-softmax';
export * as hsoftmax from './hsoftmax';
export { Embedding } from './layers/embedding';
export type { EmbeddingOptions } from './layers/embedding';
export { GRU, LSTM, RNN } from './layers/recurrent';
export type { LSTMState, RecurrentOptions, RecurrentOutput, RNNOptions } from './layers/recurrent';
export { GRUCell, LSTMCell, RNNCell } from './layers/recurrent-cell';
export type { CellOptions, RNNCellOptions } from './layers/recurrent-cell';
export { CharLM, CELL_KINDS, detachState, sampleIds } from './models/char-lm';
export type { CharLMOptions, CharLMOutput, CharLMState, SampleOptions } from './models/char-lm';
