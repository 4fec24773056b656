import type { Backend } from '../backend';
import type { Args, KernelCheck } from './check';

/**
 * Gradient utilities over a model's gradients: a JavaScript Array of Float32Arrays (any
 * lengths, empty ones and an empty Array included). Every element of the Array is checked.
 * The clipping kernels write in place, so their arrays must not share memory with each other.
 */
export interface GradientKernels {
  /**
   * The global L2 norm √(Σ_k Σ_i grads[k][i]²), accumulated in double and returned as a
   * double: NaN when any element is NaN, Infinity when any is ±Inf (and none is NaN).
   */
  gradNorm(grads: Float32Array[]): number;
  /**
   * PyTorch's clip_grad_norm_: total = gradNorm(grads), coef = maxNorm/(total + 1e-6); when
   * coef < 1 (or NaN) every element is multiplied by coef rounded to float32. Small gradients
   * are left alone. Returns total, the norm before clipping. A non-finite total is not an error
   * (error_if_nonfinite = False): NaN makes every element NaN, Infinity multiplies by 0.
   */
  clipGradNorm(grads: Float32Array[], maxNorm: number): number;
  /**
   * PyTorch's clip_grad_value_: each element clamped to [−c, c], c = clipValue (≥ 0, a float32
   * value). NaN stays NaN.
   */
  clipGradValue(grads: Float32Array[], clipValue: number): void;
  /** The index of the first NaN or ±Inf in x, or −1 when every element is finite. */
  firstNonFinite(x: Float32Array): number;
}

/** The relative error bound of a double sum of n squares: (n + 2)·2^−53 (norm: half of it). */
function normTolerance(before: Args, reference: Backend): number {
  const grads = before[0] as Float32Array[];
  const terms = grads.reduce((n, g) => n + g.length, 0);
  return (terms + 2) * 2 ** -53 * reference.gradNorm(grads) + Number.MIN_VALUE;
}

/**
 * Native and reference norms may differ in the last bits (summation order), and so may coef's
 * float32 rounding: one unit in the last place of the largest scaled element.
 */
function clipTolerance(before: Args): number {
  let largest = 0;
  for (const g of before[0] as Float32Array[]) for (const x of g) if (Number.isFinite(x)) largest = Math.max(largest, Math.abs(x));
  return largest * 2 ** -23 + Number.MIN_VALUE;
}

export const GRADIENT_CHECKS: Record<keyof GradientKernels, KernelCheck> = {
  gradNorm: { outputs: [], result: normTolerance },
  clipGradNorm: { outputs: [[0, 'grads']], tolerance: clipTolerance, result: normTolerance },
  clipGradValue: { outputs: [[0, 'grads']] },
  firstNonFinite: { outputs: [], result: () => 0 },
};
