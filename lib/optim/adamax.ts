/** Adamax (Kingma & Ba, 2014, §7.1): Adam with the infinity norm in place of the second moment. */
import type { Tensor } from '../autograd/tensor';
import type { BaseHyper, ParamGroupSpec, ParamState, StateSpec } from './optimizer';
import { Optimizer } from './optimizer';
import { atLeast, betas, withDefaults } from './hyper';
import { array, filled, kernels, stepNumber } from './state';

export interface AdamaxOptions extends BaseHyper {
  /** Learning rate (default 2e-3, as PyTorch and the paper). */
  lr: number;
  /** [β₁, β₂] in [0, 1) (default [0.9, 0.999]). */
  betas: readonly [number, number];
  /** Added to |g| inside the maximum (default 1e-8). */
  eps: number;
  /** L2 penalty λ added to the gradient (default 0). */
  weightDecay: number;
}

export const ADAMAX_DEFAULTS: Readonly<AdamaxOptions> = { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0 };

/** Adamax: g = ∇θ + λθ; m = β₁m + (1 − β₁)g; u = max(β₂u, |g| + ε); θ −= lr/(1 − β₁ᵗ)·m/u. */
export class Adamax extends Optimizer<AdamaxOptions> {
  override readonly elementwise = true;
  protected override readonly stateSpec: StateSpec = { step: 'number', expAvg: 'array', expInf: 'array' };

  constructor(params: readonly Tensor[] | readonly ParamGroupSpec<AdamaxOptions>[], options?: Partial<AdamaxOptions>) {
    super(params, withDefaults('Adamax', ADAMAX_DEFAULTS, options));
  }

  protected checkHyper(group: AdamaxOptions): void {
    atLeast('Adamax', 'lr', group.lr);
    betas('Adamax', group.betas);
    atLeast('Adamax', 'eps', group.eps);
    atLeast('Adamax', 'weightDecay', group.weightDecay);
  }

  protected initState(param: Tensor): ParamState {
    return { step: 0, expAvg: filled(param), expInf: filled(param) };
  }

  protected update(param: Tensor, grad: Tensor, state: ParamState, group: AdamaxOptions): void {
    const t = stepNumber(state);
    kernels(param).adamaxStep(param.data, grad.data, array(state, 'expAvg'), array(state, 'expInf'),
      group.lr, group.betas[0], group.betas[1], group.eps, group.weightDecay, t);
    state['step'] = t;
  }
}
