import './methods';

export { Tensor } from './tensor';
export type { DType, FloatArray, NestedArray, Node, Shape, TensorOptions } from './tensor';
export { tensor, zeros, ones, full, arange, rand, randn } from './create';
export type { NormalOptions, UniformOptions } from './create';
export { manualSeed, getRngState, setRngState } from './random';
export type { RngState } from './random';
export { noGrad, isGradEnabled } from './grad-mode';
export { backward } from './backward';
export { add, mul } from './ops/arithmetic';
export { matmul } from './ops/matmul';
export { sum } from './ops/reduce';
export { relu } from './ops/activation';
export { concat, gather, reshape, stack, take, transpose } from './ops/shape';
export { toDot } from './dot';
export { gradcheck, directionalGradcheck } from './gradcheck';
export type { GradcheckOptions, GradcheckResult } from './gradcheck';
