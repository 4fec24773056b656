export type {
  Backend, BackendName, KernelName, DropoutKernels, ElementwiseKernels, GemmKernels, GradientKernels, LayoutKernels,
  LossKernels, NormKernels, OptimKernels, RandomKernels, ReduceKernels,
  HsoftmaxKernels,
} from './backend';
export type { RnnKernels } from './backend';
export { BACKEND_NAMES } from './backend';
export { KERNEL_NAMES } from './contract';
export { getBackend, setBackend } from './select';
export { referenceBackend } from './reference';
export { checkedBackend } from './checked';
export { nativeBackend, nativeInfo, setSimdLevel, type NativeInfo } from './native';
export type { SimdLevel } from './addon';
export type { Activation } from './contract/gemm';
export { getNumThreads, setNumThreads } from './threads';
export { getFlushDenormal, setFlushDenormal } from './denormals';
