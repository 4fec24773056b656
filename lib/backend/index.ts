export type { AreaKernels, Backend, BackendName, DTypeKernels, KernelName, KernelsOf } from './backend';
export type {
  DropoutKernels, ElementwiseKernels, GemmKernels, GradientKernels, HsoftmaxKernels, LayoutKernels, LossKernels, NormKernels,
  OptimKernels, RandomKernels, ReduceKernels, RnnKernels,
} from './backend';
export { BACKEND_NAMES } from './backend';
export { KERNEL_NAMES } from './registry';
export { getBackend, kernelsOf, setBackend } from './select';
export { referenceBackend, referenceKernels } from './reference-backend';
export { checkedBackend } from './checked';
export { nativeBackend, nativeInfo, nativeKernels, setBf16Instructions, setSimdLevel, type NativeInfo } from './native';
export type { SimdLevel } from './addon';
export type { Activation } from './kernels/gemm';
export { getNumThreads, setNumThreads } from './threads';
export { getFlushDenormal, setFlushDenormal } from './denormals';
export { BFLOAT16_NAN, fromBfloat16, toBfloat16 } from './bfloat16';
