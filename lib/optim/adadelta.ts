/** Adadelta (Zeiler, 2012): a step size from the ratio of two running root-mean-squares. */
import type { Tensor } from '../autograd/tensor';
import type { BaseHyper, ParamGroupSpec, ParamState, StateSpec } from './optimizer';
import { Optimizer } from './optimizer';
import { atLeast, inInterval, withDefaults } from './hyper';
import { array, filled, kernels, stepNumber } from './state';

export interface AdadeltaOptions extends BaseHyper {
  /** A multiplier of the update (default 1: Zeiler's method has no learning rate). */
  lr: number;
  /** Decay ρ of both running means, in [0, 1] (default 0.9). */
  rho: number;
  /** Added inside both roots (default 1e-6): it sizes the first steps. */
  eps: number;
  /** L2 penalty λ added to the gradient (default 0). */
  weightDecay: number;
}

export const ADADELTA_DEFAULTS: Readonly<AdadeltaOptions> = { lr: 1, rho: 0.9, eps: 1e-6, weightDecay: 0 };

/**
 * Adadelta: g = ∇θ + λθ; v = ρv + (1 − ρ)g²; Δ = √(u + ε)/√(v + ε)·g; u = ρu + (1 − ρ)Δ²;
 * θ −= lr·Δ (u holds the previous updates, so the numerator lags one step, as in Zeiler).
 */
export class Adadelta extends Optimizer<AdadeltaOptions> {
  override readonly elementwise = true;
  protected override readonly stateSpec: StateSpec = { step: 'number', squareAvg: 'array', accDelta: 'array' };

  constructor(params: readonly Tensor[] | readonly ParamGroupSpec<AdadeltaOptions>[], options?: Partial<AdadeltaOptions>) {
    super(params, withDefaults('Adadelta', ADADELTA_DEFAULTS, options));
  }

  protected checkHyper(group: AdadeltaOptions): void {
    atLeast('Adadelta', 'lr', group.lr);
    inInterval('Adadelta', 'rho', group.rho, 0, 1, true);
    atLeast('Adadelta', 'eps', group.eps);
    atLeast('Adadelta', 'weightDecay', group.weightDecay);
  }

  protected initState(param: Tensor): ParamState {
    return { step: 0, squareAvg: filled(param), accDelta: filled(param) };
  }

  protected update(param: Tensor, grad: Tensor, state: ParamState, group: AdadeltaOptions): void {
    const t = stepNumber(state);
    kernels(param).adadeltaStep(param.data, grad.data, array(state, 'squareAvg'), array(state, 'accDelta'),
      group.lr, group.rho, group.eps, group.weightDecay);
    state['step'] = t;
  }
}
