/** Matrix products: the GEMM and the Linear layer's fused forward. */
import { absolute, accumulationTolerance } from '../compare';
import { choice, flag, float, index, inout, input, kernel, output } from '../declare';
import * as reference from '../reference/gemm';
import * as bf16 from '../reference/gemm-bf16';

export type { Activation } from '../reference/gemm';
export const ACTIVATIONS = ['none', 'relu', 'leakyRelu'] as const;

export const GEMM = {
  /**
   * C = alpha·op(A)·op(B) + beta·C with op(A) m×k, op(B) k×n, C m×n. A is stored k×m when
   * transA, B is stored n×k when transB. beta = 0 never reads C (it may hold NaN); alpha = 0 or
   * k = 0 leaves beta·C without reading A or B, as BLAS does. C must not overlap A or B. The
   * float32 sums err by at most (k + 2)·2^−23 times Σ_p |alpha·A_ip·B_pj| (plus |beta·C_ij|).
   */
  gemm: kernel({
    args: [
      flag('transA'), flag('transB'), index('m'), index('n'), index('k'), float('alpha', { example: 1 }),
      input('a', 'm*k'), input('b', 'k*n'), float('beta'), inout('c', 'm*n'),
    ],
    reference: reference.gemm,
    tolerance: ([transA, transB, m, n, k, alpha, a, b, beta, c], _output, rerun) => {
      // Σ_p |A_ip|·|B_pj|·|alpha| + |beta·C_ij|: what the float32 sum's error is proportional to.
      const bound = new Float32Array(m * n);
      rerun(transA, transB, m, n, k, Math.abs(alpha), absolute(a), absolute(b), 0, bound);
      if (beta !== 0) for (let i = 0; i < bound.length; i++) bound[i]! += Math.abs(beta * c[i]!); // C may hold NaN at beta 0
      return accumulationTolerance(bound, k);
    },
  }),

  /**
   * The Linear layer's forward in one pass: c = act(op(A)·op(B) + bias), op(A) m×k, op(B) k×n
   * (stored transposed as in gemm), bias of length n added to every row of the product. C is
   * written, never read, and must not overlap A, B or bias. The activation is 'none',
   * 'relu' (v > 0 ? v : 0, so relu(±0) = 0) or 'leakyRelu' (v > 0 ? v : slope·v); NaN passes
   * through both. slope must be a finite float32 number, whatever the activation. k = 0 gives
   * act(bias) in every row without reading A or B. The sum has k + 1 terms (the bias is one);
   * relu and leakyRelu scale errors by at most max(1, |slope|).
   */
  gemmBiasActivation: kernel({
    args: [
      flag('transA'), flag('transB'), index('m'), index('n'), index('k'),
      input('a', 'm*k'), input('b', 'k*n'), input('bias', 'n'), choice('activation', ACTIVATIONS), float('slope'),
      output('c', 'm*n'),
    ],
    reference: reference.gemmBiasActivation,
    tolerance: ([transA, transB, m, n, k, a, b, bias, activation, slope], _output, rerun) => {
      const bound = new Float32Array(m * n);
      rerun(transA, transB, m, n, k, absolute(a), absolute(b), new Float32Array(n), 'none', 0, bound);
      const scale = activation === 'leakyRelu' ? Math.max(1, Math.abs(slope)) : 1;
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) bound[i * n + j] = scale * (bound[i * n + j]! + Math.abs(bias[j]!));
      }
      return accumulationTolerance(bound, k + 1);
    },
  }),

  /**
   * gemm with bfloat16 operands: C = alpha·op(bf16(A))·op(bf16(B)) + beta·C, float32 C and
   * float32 accumulation. A and B are float32 (each element rounded to bfloat16, to nearest even,
   * inside the kernel) in the float32 table, or bfloat16 bits (Uint16Array) in the bfloat16
   * table; a subnormal bfloat16 operand reads as zero. alpha, beta, transposes and empty
   * products as gemm. The numbers are fixed by native/kernels/gemm_bf16.h (pairs of steps, each
   * a fused multiply-add flushing subnormal results, SGEMM's k blocks and write-back), so the
   * AVX-512 BF16 instructions, their emulation on every SIMD level and the reference loop give
   * the same bits on any thread count; a NaN result may carry another payload.
   */
  gemmBf16: kernel({
    args: [
      flag('transA'), flag('transB'), index('m'), index('n'), index('k'), float('alpha', { example: 1 }),
      input('a', 'm*k'), input('b', 'k*n'), float('beta'), inout('c', 'm*n', { element: 'float32' }),
    ],
    dtypes: ['float32', 'bfloat16'],
    reference: bf16.gemmBf16,
  }),

  /**
   * gemmBiasActivation with bfloat16 operands (rounded as in gemmBf16): c = act(op(bf16(A))·
   * op(bf16(B)) + bias), the bias, the epilogue and C float32. The Linear layer's forward
   * under amp.autocast('bfloat16').
   */
  gemmBf16BiasActivation: kernel({
    args: [
      flag('transA'), flag('transB'), index('m'), index('n'), index('k'),
      input('a', 'm*k'), input('b', 'k*n'), input('bias', 'n', { element: 'float32' }), choice('activation', ACTIVATIONS), float('slope'),
      output('c', 'm*n', { element: 'float32' }),
    ],
    dtypes: ['float32', 'bfloat16'],
    reference: bf16.gemmBf16BiasActivation,
  }),
};
