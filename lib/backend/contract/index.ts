/**
 * The kernel contract, one file per area: each declares its kernels' signatures and, for the
 * checked backend, what each kernel writes and its error bound. A new area adds its interface to
 * Backend (backend.ts) and its checks here.
 */
import type { KernelName } from '../backend';
import type { KernelCheck } from './check';
import { DROPOUT_CHECKS } from './dropout';
import { ELEMENTWISE_CHECKS } from './elementwise';
import { GEMM_CHECKS } from './gemm';
import { GRADIENT_CHECKS } from './gradient';
import { HSOFTMAX_CHECKS } from './hsoftmax';
import { LAYOUT_CHECKS } from './layout';
import { LOSS_CHECKS } from './loss';
import { NORM_CHECKS } from './norm';
import { OPTIM_CHECKS } from './optim';
import { RANDOM_CHECKS } from './random';
import { REDUCE_CHECKS } from './reduce';

export type { KernelCheck } from './check';

export const KERNEL_CHECKS: Record<KernelName, KernelCheck> = {
  ...GEMM_CHECKS,
  ...ELEMENTWISE_CHECKS,
  ...REDUCE_CHECKS,
  ...LOSS_CHECKS,
  ...RANDOM_CHECKS,
  ...LAYOUT_CHECKS,
  ...NORM_CHECKS,
  ...DROPOUT_CHECKS,
  ...OPTIM_CHECKS,
  ...GRADIENT_CHECKS,
  ...HSOFTMAX_CHECKS,
};

/** Every kernel of the contract. */
export const KERNEL_NAMES = Object.keys(KERNEL_CHECKS) as KernelName[];
