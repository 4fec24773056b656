/**
 * Gradient utilities over a model's gradients: a JavaScript Array of arrays (any lengths, empty
 * ones and an empty Array included). Every element of the Array is checked. The clipping
 * kernels write in place, so their arrays must not share memory with each other.
 */
import { double, float, input, kernel, list } from '../declare';
import { norm } from '../reference/gradient';
import * as reference from '../reference/gradient';

/** The relative error bound of a double sum of n squares: (n + 2)·2^−53 (norm: half of it). */
function normTolerance([grads]: [Float32Array[], ...unknown[]]): number {
  const terms = grads.reduce((n, g) => n + g.length, 0);
  return (terms + 2) * 2 ** -53 * norm(grads) + Number.MIN_VALUE;
}

export const GRADIENT = {
  /**
   * The global L2 norm √(Σ_k Σ_i grads[k][i]²), accumulated in double and returned as a
   * double: NaN when any element is NaN, Infinity when any is ±Inf (and none is NaN).
   */
  gradNorm: kernel({ args: [list('grads', 'in')], returns: 'number', reference: reference.gradNorm, resultTolerance: normTolerance }),
  /**
   * PyTorch's clip_grad_norm_: total = gradNorm(grads), coef = maxNorm/(total + 1e-6); when
   * coef < 1 (or NaN) every element is multiplied by coef rounded to float32. Small gradients
   * are left alone. Returns total, the norm before clipping. A non-finite total is not an error
   * (error_if_nonfinite = False): NaN makes every element NaN, Infinity multiplies by 0. Native
   * and reference norms may differ in the last bits (summation order), and so may coef's
   * float32 rounding: one unit in the last place of the largest scaled element.
   */
  clipGradNorm: kernel({
    args: [list('grads', 'inout'), double('maxNorm', { min: 0, example: 1 })],
    returns: 'number',
    reference: reference.clipGradNorm,
    tolerance: ([grads]) => {
      let largest = 0;
      for (const g of grads) for (const x of g) if (Number.isFinite(x)) largest = Math.max(largest, Math.abs(x));
      return largest * 2 ** -23 + Number.MIN_VALUE;
    },
    resultTolerance: normTolerance,
  }),
  /**
   * PyTorch's clip_grad_value_: each element clamped to [−c, c], c = clipValue (≥ 0, a float32
   * value). NaN stays NaN.
   */
  clipGradValue: kernel({
    args: [list('grads', 'inout'), float('clipValue', { min: 0, example: 0.5 })],
    reference: reference.clipGradValue,
  }),
  /** The index of the first NaN or ±Inf in x, or −1 when every element is finite. */
  firstNonFinite: kernel({ args: [input('x')], returns: 'number', reference: reference.firstNonFinite, resultTolerance: () => 0 }),
};
