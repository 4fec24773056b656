/**
 * The kernel contract: every computation in tensorgrad goes through one of these functions.
 * Arrays are row-major and contiguous; outputs are arrays the caller allocated (memory is
 * JavaScript's). Each backend checks its arguments and throws a TypeError or RangeError naming
 * the kernel and the argument; sizes are non-negative integers up to 2^53 − 1 and array lengths
 * must equal what the sizes imply. The kernels are declared by area in contract/.
 */
import type { DropoutKernels } from './contract/dropout';
import type { ElementwiseKernels } from './contract/elementwise';
import type { GemmKernels } from './contract/gemm';
import type { GradientKernels } from './contract/gradient';
import type { HsoftmaxKernels } from './contract/hsoftmax';
import type { LayoutKernels } from './contract/layout';
import type { LossKernels } from './contract/loss';
import type { NormKernels } from './contract/norm';
import type { OptimKernels } from './contract/optim';
import type { RandomKernels } from './contract/random';
import type { ReduceKernels } from './contract/reduce';

export type {
  DropoutKernels, ElementwiseKernels, GemmKernels, GradientKernels, LayoutKernels, LossKernels, NormKernels,
  OptimKernels, RandomKernels, ReduceKernels,
};
export type { HsoftmaxKernels };

export interface Backend
  extends GemmKernels, ElementwiseKernels, ReduceKernels, LossKernels, RandomKernels, LayoutKernels, NormKernels,
    DropoutKernels, OptimKernels, GradientKernels,
    HsoftmaxKernels {
  readonly name: BackendName;
}

export type BackendName = 'reference' | 'native' | 'checked';
export const BACKEND_NAMES: readonly BackendName[] = ['native', 'reference', 'checked'];

export type KernelName = Exclude<keyof Backend, 'name'>;
