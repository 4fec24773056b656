/** Adam (Kingma & Ba, 2014) with L2 weight decay, and AdamW (Loshchilov & Hutter) with decoupled decay. */
import type { Tensor } from '../autograd/tensor';
import type { BaseHyper, ParamGroupSpec, ParamState, StateSpec } from './optimizer';
import { Optimizer } from './optimizer';
import { atLeast, betas, bool, withDefaults } from './hyper';
import { array, filled, keep, kernels, optional, stepNumber } from './state';

export interface AdamOptions extends BaseHyper {
  /** Learning rate (default 1e-3). */
  lr: number;
  /** [β₁, β₂], decays of the first and second moments, each in [0, 1) (default [0.9, 0.999]). */
  betas: readonly [number, number];
  /** Added to √v̂, outside the root (default 1e-8). */
  eps: number;
  /** Adam: L2 penalty λθ added to the gradient (default 0). AdamW: decoupled decay (default 1e-2). */
  weightDecay: number;
  /** AMSGrad: divide by the running maximum of v (default false). */
  amsgrad: boolean;
  /**
   * Divide the moments by 1 − βᵗ (default true). false is the lecture notes' variant, whose
   * first steps are shrunk by the zero-initialized moments (not in PyTorch).
   */
  biasCorrection: boolean;
}

export const ADAM_DEFAULTS: Readonly<AdamOptions> = {
  lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, biasCorrection: true,
};

export const ADAMW_DEFAULTS: Readonly<AdamOptions> = { ...ADAM_DEFAULTS, weightDecay: 1e-2 };

abstract class AdamBase extends Optimizer<AdamOptions> {
  override readonly elementwise = true;
  protected override readonly stateSpec: StateSpec = { step: 'number', expAvg: 'array', expAvgSq: 'array' };
  protected abstract readonly decoupled: boolean;

  protected checkHyper(group: AdamOptions): void {
    const name = this.constructor.name;
    atLeast(name, 'lr', group.lr);
    betas(name, group.betas);
    atLeast(name, 'eps', group.eps);
    atLeast(name, 'weightDecay', group.weightDecay);
    bool(name, 'amsgrad', group.amsgrad);
    bool(name, 'biasCorrection', group.biasCorrection);
  }

  protected initState(param: Tensor): ParamState {
    return { step: 0, expAvg: filled(param), expAvgSq: filled(param) };
  }

  protected update(param: Tensor, grad: Tensor, state: ParamState, group: AdamOptions): void {
    const t = stepNumber(state);
    const max = optional(state, 'maxExpAvgSq', param, group.amsgrad);
    const k = kernels(param);
    (this.decoupled ? k.adamwStep : k.adamStep)(param.data, grad.data, array(state, 'expAvg'), array(state, 'expAvgSq'),
      max.buffer, group.lr, group.betas[0], group.betas[1], group.eps, group.weightDecay, group.amsgrad, group.biasCorrection, t);
    keep(state, 'maxExpAvgSq', max);
    state['step'] = t;
  }
}

/**
 * Adam: g = ∇θ + λθ; m = β₁m + (1 − β₁)g; v = β₂v + (1 − β₂)g² (AMSGrad: v̂ from max v);
 * θ −= lr·m̂/(√v̂ + ε) with m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ).
 */
export class Adam extends AdamBase {
  protected readonly decoupled = false;

  constructor(params: readonly Tensor[] | readonly ParamGroupSpec<AdamOptions>[], options?: Partial<AdamOptions>) {
    super(params, withDefaults('Adam', ADAM_DEFAULTS, options));
  }
}

/** AdamW: θ −= lr·λθ, then Adam's step with g = ∇θ (the decay is not scaled by 1/√v̂). */
export class AdamW extends AdamBase {
  protected readonly decoupled = true;

  constructor(params: readonly Tensor[] | readonly ParamGroupSpec<AdamOptions>[], options?: Partial<AdamOptions>) {
    super(params, withDefaults('AdamW', ADAMW_DEFAULTS, options));
  }
}
