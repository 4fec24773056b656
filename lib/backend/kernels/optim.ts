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
import { copyArguments, type Tolerance } from '../compare';
import { double, flag, index, inout, input, kernel, type Length, type Rerun } from '../declare';
import * as reference from '../reference/optim';

/** Relative bound of one update's float32 arithmetic against the reference's double. */
export const OPTIM_RELATIVE_TOLERANCE = 1e-6;

/**
 * The bound for every output of an update, per element: 1e-6 relative to the largest magnitude
 * at that element among the outputs (param and the states) before and after the (reference)
 * update, plus the smallest denormal. Relative, because the float32 path rounds a handful of
 * times per element where the reference rounds once; the bound is shared by the outputs, so it
 * is as loose as the largest of them at that element.
 */
function updateTolerance(before: unknown[], _output: string, rerun: Rerun): Tolerance {
  const after = copyArguments(before);
  rerun(...after);
  const length = (before[0] as Float32Array).length;
  const bound = new Float64Array(length);
  before.forEach((was, position) => {
    // Every array but grad (position 1) is written; an unused optional state is empty.
    if (position === 1 || !(was instanceof Float32Array) || was.length !== length) return;
    const now = after[position] as Float32Array;
    for (let i = 0; i < length; i++) bound[i] = Math.max(bound[i]!, Math.abs(was[i]!), Math.abs(now[i]!));
  });
  for (let i = 0; i < length; i++) bound[i] = OPTIM_RELATIVE_TOLERANCE * bound[i]! + Number.MIN_VALUE;
  return bound;
}

const param = () => inout('param');
const grad = () => input('grad', 'param.length');
const state = (name: string, length: Length = 'param.length') => inout(name, length);
const unusedWhen = (when: string, reason: string): Length => ({ expr: 'param.length', emptyWhen: when, reason });
const atLeast0 = (name: string, example: number) => double(name, { min: 0, example });
const below1 = (name: string, example: number) => double(name, { min: 0, max: 1, maxOpen: true, example });
const step = () => index('step', { min: 1, expected: 'a step number of at least 1', example: 3 });

const adam = (update: typeof reference.adamStep) => kernel({
  args: [
    param(), grad(), state('expAvg'), state('expAvgSq'), state('maxExpAvgSq', unusedWhen('!amsgrad', 'amsgrad is false')),
    atLeast0('lr', 1e-3), below1('beta1', 0.9), below1('beta2', 0.999), atLeast0('eps', 1e-8), atLeast0('weightDecay', 0.01),
    flag('amsgrad', { example: true }), flag('biasCorrection', { example: true }), step(),
  ],
  reference: update,
  tolerance: updateTolerance,
});

export const OPTIM = {
  /**
   * SGD: g = grad + weightDecay·param; with momentum, buf = g at step 1, else
   * buf = momentum·buf + (1 − dampening)·g, and g = nesterov ? g + momentum·buf : buf;
   * param −= lr·g. nesterov needs momentum > 0 and dampening = 0.
   */
  sgdStep: kernel({
    args: [
      param(), grad(), state('momentumBuffer', unusedWhen('momentum == 0', 'momentum is 0')), atLeast0('lr', 0.1),
      atLeast0('momentum', 0.9), double('dampening', { example: 0 }), atLeast0('weightDecay', 1e-4), flag('nesterov', { example: true }), step(),
    ],
    requires: [{
      when: 'nesterov', that: 'momentum > 0 && dampening == 0',
      message: 'Expected momentum > 0 and dampening = 0 for nesterov but received momentum {momentum} and dampening {dampening}',
    }],
    reference: reference.sgdStep,
    tolerance: updateTolerance,
  }),
  /**
   * Adagrad: g = grad + weightDecay·param; sum += g²;
   * param −= lr/(1 + (step − 1)·lrDecay) · g/(√sum + eps).
   */
  adagradStep: kernel({
    args: [param(), grad(), state('stateSum'), atLeast0('lr', 0.01), atLeast0('lrDecay', 1e-3), atLeast0('weightDecay', 0.01), atLeast0('eps', 1e-10), step()],
    reference: reference.adagradStep,
    tolerance: updateTolerance,
  }),
  /**
   * RMSprop: g = grad + weightDecay·param; v = alpha·v + (1 − alpha)·g²; centered:
   * gAvg = alpha·gAvg + (1 − alpha)·g and d = √(v − gAvg²) + eps, else d = √v + eps;
   * momentum > 0: buf = momentum·buf + g/d, param −= lr·buf; else param −= lr·g/d.
   */
  rmspropStep: kernel({
    args: [
      param(), grad(), state('squareAvg'), state('gradAvg', unusedWhen('!centered', 'centered is false')),
      state('momentumBuffer', unusedWhen('momentum == 0', 'momentum is 0')), atLeast0('lr', 0.01), atLeast0('alpha', 0.99),
      atLeast0('eps', 1e-8), atLeast0('weightDecay', 0.01), atLeast0('momentum', 0.9), flag('centered', { example: true }),
    ],
    reference: reference.rmspropStep,
    tolerance: updateTolerance,
  }),
  /**
   * Adadelta (Zeiler's form, the previous update in the numerator): g = grad + weightDecay·param;
   * v = rho·v + (1 − rho)·g²; delta = √(u + eps)/√(v + eps)·g; u = rho·u + (1 − rho)·delta²;
   * param −= lr·delta (lr 1 in PyTorch and in Zeiler's paper).
   */
  adadeltaStep: kernel({
    args: [
      param(), grad(), state('squareAvg'), state('accDelta'), atLeast0('lr', 1), double('rho', { min: 0, max: 1, example: 0.9 }),
      atLeast0('eps', 1e-6), atLeast0('weightDecay', 0.01),
    ],
    reference: reference.adadeltaStep,
    tolerance: updateTolerance,
  }),
  /**
   * Adam with L2 weight decay: g = grad + weightDecay·param; m = β1·m + (1 − β1)·g;
   * v = β2·v + (1 − β2)·g²; amsgrad: vMax = max(vMax, v) replaces v below;
   * param −= lr/(1 − β1^step) · m/(√v/√(1 − β2^step) + eps). eps is outside the square root.
   * biasCorrection false drops both corrections (the lecture notes' variant).
   */
  adamStep: adam(reference.adamStep),
  /** AdamW: as adamStep, with decoupled weight decay param −= lr·weightDecay·param first. */
  adamwStep: adam(reference.adamwStep),
  /**
   * Adamax: g = grad + weightDecay·param; m = β1·m + (1 − β1)·g; u = max(β2·u, |g| + eps);
   * param −= lr/(1 − β1^step) · m/u.
   */
  adamaxStep: kernel({
    args: [
      param(), grad(), state('expAvg'), state('expInf'), atLeast0('lr', 2e-3), below1('beta1', 0.9), below1('beta2', 0.999),
      atLeast0('eps', 1e-8), atLeast0('weightDecay', 0.01), step(),
    ],
    reference: reference.adamaxStep,
    tolerance: updateTolerance,
  }),
  /**
   * NAdam with PyTorch's momentum schedule μ_t = β1·(1 − ½·0.96^(t·momentumDecay)):
   * g = grad + weightDecay·param; m, v as Adam; d = √(v/(1 − β2^step)) + eps;
   * param −= lr·(1 − μ_t)/(1 − P_t)·g/d + lr·μ_{t+1}/(1 − P_t·μ_{t+1})·m/d.
   * muProduct is P_t = μ_1·…·μ_t, the product INCLUDING this step's μ_t: the caller carries
   * it (one number per parameter group, starting at 1; see nadamMomentum in reference/optim.ts)
   * and multiplies it by μ_t before each call. It must lie in [0, 1).
   */
  nadamStep: kernel({
    args: [
      param(), grad(), state('expAvg'), state('expAvgSq'), atLeast0('lr', 2e-3), below1('beta1', 0.9), below1('beta2', 0.999),
      atLeast0('eps', 1e-8), atLeast0('weightDecay', 0.01), atLeast0('momentumDecay', 0.004), below1('muProduct', 0.2), step(),
    ],
    reference: reference.nadamStep,
    tolerance: updateTolerance,
  }),
};
