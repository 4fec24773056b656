/** Adagrad (Duchi et al., 2011) with PyTorch's learning-rate decay and initial accumulator. */
import type { Tensor } from '../autograd/tensor';
import type { BaseHyper, ParamGroupSpec, ParamState, StateSpec } from './optimizer';
import { Optimizer } from './optimizer';
import { atLeast, withDefaults } from './hyper';
import { array, filled, kernels, stepNumber } from './state';

export interface AdagradOptions extends BaseHyper {
  /** Learning rate (default 1e-2, as PyTorch and the notes' "most implementations"). */
  lr: number;
  /** The rate at step t is lr/(1 + (t − 1)·lrDecay) (default 0). */
  lrDecay: number;
  /** L2 penalty λ added to the gradient (default 0). */
  weightDecay: number;
  /** The value the sum of squares starts from (default 0). */
  initialAccumulatorValue: number;
  /** Added to √sum, outside the root (default 1e-10, as PyTorch). */
  eps: number;
}

export const ADAGRAD_DEFAULTS: Readonly<AdagradOptions> = { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10 };

/** Adagrad: g = ∇θ + λθ; s += g²; θ −= lr/(1 + (t − 1)·lrDecay) · g/(√s + ε). */
export class Adagrad extends Optimizer<AdagradOptions> {
  override readonly elementwise = true;
  protected override readonly stateSpec: StateSpec = { step: 'number', sum: 'array' };

  constructor(params: readonly Tensor[] | readonly ParamGroupSpec<AdagradOptions>[], options?: Partial<AdagradOptions>) {
    super(params, withDefaults('Adagrad', ADAGRAD_DEFAULTS, options));
  }

  protected checkHyper(group: AdagradOptions): void {
    atLeast('Adagrad', 'lr', group.lr);
    atLeast('Adagrad', 'lrDecay', group.lrDecay);
    atLeast('Adagrad', 'weightDecay', group.weightDecay);
    atLeast('Adagrad', 'initialAccumulatorValue', group.initialAccumulatorValue);
    atLeast('Adagrad', 'eps', group.eps);
  }

  protected initState(param: Tensor, group: AdagradOptions): ParamState {
    return { step: 0, sum: filled(param, group.initialAccumulatorValue) };
  }

  protected update(param: Tensor, grad: Tensor, state: ParamState, group: AdagradOptions): void {
    const t = stepNumber(state);
    kernels(param).adagradStep(param.data, grad.data, array(state, 'sum'), group.lr, group.lrDecay, group.weightDecay, group.eps, t);
    state['step'] = t;
  }
}
