import { absolute, accumulationTolerance, type Tolerance } from '../compare';
import type { Backend } from '../backend';
import type { Args, KernelCheck } from './check';

export interface GemmKernels {
  /**
   * C = alpha·op(A)·op(B) + beta·C with op(A) m×k, op(B) k×n, C m×n. A is stored k×m when
   * transA, B is stored n×k when transB. beta = 0 never reads C (it may hold NaN); alpha = 0 or
   * k = 0 leaves beta·C without reading A or B, as BLAS does. C must not overlap A or B.
   */
  gemm(
    transA: boolean, transB: boolean, m: number, n: number, k: number,
    alpha: number, a: Float32Array, b: Float32Array, beta: number, c: Float32Array,
  ): void;
}

function gemmTolerance(before: Args, reference: Backend): Tolerance {
  const [transA, transB, m, n, k, alpha, a, b, beta, c] = before as Parameters<GemmKernels['gemm']>;
  // Σ_p |A_ip|·|B_pj|·|alpha| + |beta·C_ij|: what the float32 sum's error is proportional to.
  const bound = new Float32Array(m * n);
  reference.gemm(transA, transB, m, n, k, Math.abs(alpha), absolute(a), absolute(b), 0, bound);
  if (beta !== 0) for (let i = 0; i < bound.length; i++) bound[i]! += Math.abs(beta * c[i]!);
  return accumulationTolerance(bound, k);
}

export const GEMM_CHECKS: Record<keyof GemmKernels, KernelCheck> = {
  gemm: { outputs: [[9, 'c']], tolerance: gemmTolerance },
};
