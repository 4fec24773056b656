import type { Backend } from '../backend';
import type { Tolerance } from '../compare';
import type { Args, KernelCheck } from './check';

/**
 * Fused optimizer updates: one pass over a parameter, its gradient and its state, with the
 * formulas and hyper-parameters of PyTorch's torch.optim (the algorithm boxes of its docs), so a
 * run can be compared with PyTorch step by step.
 *
 * Conventions shared by every update:
 * - param is updated in place; grad is only read. State arrays belong to the caller, who
 *   allocates them zero-filled (Adagrad: filled with its initial accumulator value) and passes
 *   the same arrays every step.
 * - An optional state array that the options leave unused (the momentum buffer when momentum
 *   is 0, maxExpAvgSq without amsgrad, gradAvg without centered) is passed as an empty
 *   Float32Array; when used it must have param's length. Either way the length is checked.
 * - param, grad and the state arrays must not share memory.
 * - step is the number of this update, starting at 1 (bias corrections, SGD's first step).
 * - Hyper-parameters are finite numbers in PyTorch's ranges; scalars (bias corrections, step
 *   sizes) are computed once per call in double, the per-element math in float32 natively
 *   (in double by the reference, rounding once per stored value).
 * - NaN or ±Inf in grad propagates into param and state, never hidden.
 */
export interface OptimKernels {
  /**
   * SGD: g = grad + weightDecay·param; with momentum, buf = g at step 1, else
   * buf = momentum·buf + (1 − dampening)·g, and g = nesterov ? g + momentum·buf : buf;
   * param −= lr·g. nesterov needs momentum > 0 and dampening = 0.
   */
  sgdStep(
    param: Float32Array, grad: Float32Array, momentumBuffer: Float32Array,
    lr: number, momentum: number, dampening: number, weightDecay: number, nesterov: boolean, step: number,
  ): void;
  /**
   * Adagrad: g = grad + weightDecay·param; sum += g²;
   * param −= lr/(1 + (step − 1)·lrDecay) · g/(√sum + eps).
   */
  adagradStep(
    param: Float32Array, grad: Float32Array, stateSum: Float32Array,
    lr: number, lrDecay: number, weightDecay: number, eps: number, step: number,
  ): void;
  /**
   * RMSprop: g = grad + weightDecay·param; v = alpha·v + (1 − alpha)·g²; centered:
   * gAvg = alpha·gAvg + (1 − alpha)·g and d = √(v − gAvg²) + eps, else d = √v + eps;
   * momentum > 0: buf = momentum·buf + g/d, param −= lr·buf; else param −= lr·g/d.
   */
  rmspropStep(
    param: Float32Array, grad: Float32Array, squareAvg: Float32Array, gradAvg: Float32Array,
    momentumBuffer: Float32Array, lr: number, alpha: number, eps: number, weightDecay: number,
    momentum: number, centered: boolean,
  ): void;
  /**
   * Adadelta (Zeiler's form, the previous update in the numerator): g = grad + weightDecay·param;
   * v = rho·v + (1 − rho)·g²; delta = √(u + eps)/√(v + eps)·g; u = rho·u + (1 − rho)·delta²;
   * param −= lr·delta (lr 1 in PyTorch and in Zeiler's paper).
   */
  adadeltaStep(
    param: Float32Array, grad: Float32Array, squareAvg: Float32Array, accDelta: Float32Array,
    lr: number, rho: number, eps: number, weightDecay: number,
  ): void;
  /**
   * Adam with L2 weight decay: g = grad + weightDecay·param; m = β1·m + (1 − β1)·g;
   * v = β2·v + (1 − β2)·g²; amsgrad: vMax = max(vMax, v) replaces v below;
   * param −= lr/(1 − β1^step) · m/(√v/√(1 − β2^step) + eps). eps is outside the square root.
   * biasCorrection false drops both corrections (the lecture notes' variant).
   */
  adamStep(
    param: Float32Array, grad: Float32Array, expAvg: Float32Array, expAvgSq: Float32Array,
    maxExpAvgSq: Float32Array, lr: number, beta1: number, beta2: number, eps: number,
    weightDecay: number, amsgrad: boolean, biasCorrection: boolean, step: number,
  ): void;
  /** AdamW: as adamStep, with decoupled weight decay param −= lr·weightDecay·param first. */
  adamwStep(
    param: Float32Array, grad: Float32Array, expAvg: Float32Array, expAvgSq: Float32Array,
    maxExpAvgSq: Float32Array, lr: number, beta1: number, beta2: number, eps: number,
    weightDecay: number, amsgrad: boolean, biasCorrection: boolean, step: number,
  ): void;
  /**
   * Adamax: g = grad + weightDecay·param; m = β1·m + (1 − β1)·g; u = max(β2·u, |g| + eps);
   * param −= lr/(1 − β1^step) · m/u.
   */
  adamaxStep(
    param: Float32Array, grad: Float32Array, expAvg: Float32Array, expInf: Float32Array,
    lr: number, beta1: number, beta2: number, eps: number, weightDecay: number, step: number,
  ): void;
  /**
   * NAdam with PyTorch's momentum schedule μ_t = β1·(1 − ½·0.96^(t·momentumDecay)):
   * g = grad + weightDecay·param; m, v as Adam; d = √(v/(1 − β2^step)) + eps;
   * param −= lr·(1 − μ_t)/(1 − P_t)·g/d + lr·μ_{t+1}/(1 − P_t·μ_{t+1})·m/d.
   * muProduct is P_t = μ_1·…·μ_t, the product INCLUDING this step's μ_t: the caller carries
   * it (one number per parameter group, starting at 1; see nadamMomentum in reference/optim.ts)
   * and multiplies it by μ_t before each call. It must lie in [0, 1).
   */
  nadamStep(
    param: Float32Array, grad: Float32Array, expAvg: Float32Array, expAvgSq: Float32Array,
    lr: number, beta1: number, beta2: number, eps: number, weightDecay: number,
    momentumDecay: number, muProduct: number, step: number,
  ): void;
}

/** Relative bound of one update's float32 arithmetic against the reference's double. */
export const OPTIM_RELATIVE_TOLERANCE = 1e-6;

/**
 * The bound for every output of an update, per element: 1e-6 relative to the largest magnitude
 * at that element among the outputs before and after the (reference) update, plus the smallest
 * denormal. Relative, because the float32 path rounds a handful of times per element where the
 * reference rounds once; the bound is shared by the outputs (the checked backend takes one
 * tolerance per kernel), so it is as loose as the largest of them at that element.
 */
function updateTolerance(name: keyof OptimKernels, outputs: number[]) {
  return (before: Args, reference: Backend): Tolerance => {
    const after = before.map((arg) => (arg instanceof Float32Array ? arg.slice() : arg));
    (reference[name] as (...args: Args) => void)(...after);
    const length = (before[0] as Float32Array).length;
    const bound = new Float64Array(length);
    for (const position of outputs) {
      const was = before[position] as Float32Array;
      const now = after[position] as Float32Array;
      if (was.length !== length) continue; // an unused optional state
      for (let i = 0; i < length; i++) {
        bound[i] = Math.max(bound[i]!, Math.abs(was[i]!), Math.abs(now[i]!));
      }
    }
    for (let i = 0; i < length; i++) bound[i] = OPTIM_RELATIVE_TOLERANCE * bound[i]! + Number.MIN_VALUE;
    return bound;
  };
}

function check(name: keyof OptimKernels, outputs: [number, string][]): KernelCheck {
  return { outputs, tolerance: updateTolerance(name, outputs.map(([position]) => position)) };
}

export const OPTIM_CHECKS: Record<keyof OptimKernels, KernelCheck> = {
  sgdStep: check('sgdStep', [[0, 'param'], [2, 'momentumBuffer']]),
  adagradStep: check('adagradStep', [[0, 'param'], [2, 'stateSum']]),
  rmspropStep: check('rmspropStep', [[0, 'param'], [2, 'squareAvg'], [3, 'gradAvg'], [4, 'momentumBuffer']]),
  adadeltaStep: check('adadeltaStep', [[0, 'param'], [2, 'squareAvg'], [3, 'accDelta']]),
  adamStep: check('adamStep', [[0, 'param'], [2, 'expAvg'], [3, 'expAvgSq'], [4, 'maxExpAvgSq']]),
  adamwStep: check('adamwStep', [[0, 'param'], [2, 'expAvg'], [3, 'expAvgSq'], [4, 'maxExpAvgSq']]),
  adamaxStep: check('adamaxStep', [[0, 'param'], [2, 'expAvg'], [3, 'expInf']]),
  nadamStep: check('nadamStep', [[0, 'param'], [2, 'expAvg'], [3, 'expAvgSq']]),
};
