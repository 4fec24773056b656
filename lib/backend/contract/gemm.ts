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

  /**
   * The Linear layer's forward in one pass: c = act(op(A)·op(B) + bias), op(A) m×k, op(B) k×n
   * (stored transposed as in gemm), bias of length n added to every row of the product. C is
   * written, never read, and must not overlap A, B or bias. The activation is 'none',
   * 'relu' (v > 0 ? v : 0, so relu(±0) = 0) or 'leakyRelu' (v > 0 ? v : slope·v); NaN passes
   * through both. slope must be a finite float32 number, whatever the activation. k = 0 gives
   * act(bias) in every row without reading A or B.
   */
  gemmBiasActivation(
    transA: boolean, transB: boolean, m: number, n: number, k: number,
    a: Float32Array, b: Float32Array, bias: Float32Array, activation: Activation, slope: number,
    c: Float32Array,
  ): void;
}

export type Activation = 'none' | 'relu' | 'leakyRelu';
export const ACTIVATIONS: readonly Activation[] = ['none', 'relu', 'leakyRelu'];

function gemmTolerance(before: Args, reference: Backend): Tolerance {
  const [transA, transB, m, n, k, alpha, a, b, beta, c] = before as Parameters<GemmKernels['gemm']>;
  // Σ_p |A_ip|·|B_pj|·|alpha| + |beta·C_ij|: what the float32 sum's error is proportional to.
  const bound = new Float32Array(m * n);
  reference.gemm(transA, transB, m, n, k, Math.abs(alpha), absolute(a), absolute(b), 0, bound);
  if (beta !== 0) for (let i = 0; i < bound.length; i++) bound[i]! += Math.abs(beta * c[i]!);
  return accumulationTolerance(bound, k);
}

function gemmBiasActivationTolerance(before: Args, reference: Backend): Tolerance {
  const [transA, transB, m, n, k, a, b, bias, activation, slope] =
    before as Parameters<GemmKernels['gemmBiasActivation']>;
  // The sum has k + 1 terms (the bias is one); relu and leakyRelu scale errors by at most
  // max(1, |slope|).
  const bound = new Float32Array(m * n);
  reference.gemm(transA, transB, m, n, k, 1, absolute(a), absolute(b), 0, bound);
  const scale = activation === 'leakyRelu' ? Math.max(1, Math.abs(slope)) : 1;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) bound[i * n + j] = scale * (bound[i * n + j]! + Math.abs(bias[j]!));
  }
  return accumulationTolerance(bound, k + 1);
}

export const GEMM_CHECKS: Record<keyof GemmKernels, KernelCheck> = {
  gemm: { outputs: [[9, 'c']], tolerance: gemmTolerance },
  gemmBiasActivation: { outputs: [[10, 'c']], tolerance: gemmBiasActivationTolerance },
};
