/** NAdam (Dozat, 2016): Adam with Nesterov momentum, with PyTorch's momentum schedule. */
import type { Tensor } from '../autograd/tensor';
import type { BaseHyper, ParamGroupSpec, ParamState, StateSpec } from './optimizer';
import { Optimizer } from './optimizer';
import { atLeast, betas, withDefaults } from './hyper';
import { array, filled, kernels, stepNumber } from './state';

export interface NAdamOptions extends BaseHyper {
  /** Learning rate (default 2e-3, as PyTorch). */
  lr: number;
  /** [β₁, β₂] in [0, 1) (default [0.9, 0.999]). */
  betas: readonly [number, number];
  /** Added to √v̂, outside the root (default 1e-8). */
  eps: number;
  /** L2 penalty λ added to the gradient (default 0). */
  weightDecay: number;
  /** ψ of the momentum schedule μₜ = β₁(1 − ½·0.96^(tψ)) (default 4e-3). */
  momentumDecay: number;
}

/**
 * NAdam's momentum coefficient μₜ = β₁(1 − ½·0.96^(tψ)), PyTorch's schedule. The optimizer carries
 * the product Pₜ = μ₁⋯μₜ per parameter and hands it to the kernel, which computes μₜ and μₜ₊₁
 * by the same formula.
 */
export function nadamMomentum(beta1: number, momentumDecay: number, t: number): number {
  return beta1 * (1 - 0.5 * 0.96 ** (t * momentumDecay));
}

export const NADAM_DEFAULTS: Readonly<NAdamOptions> = { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, momentumDecay: 4e-3 };

/**
 * NAdam: g = ∇θ + λθ; μₜ = β₁(1 − ½·0.96^(tψ)), Pₜ = μ₁⋯μₜ; m, v as Adam; d = √(v/(1 − β₂ᵗ)) + ε;
 * θ −= lr·(1 − μₜ)/(1 − Pₜ)·g/d + lr·μₜ₊₁/(1 − Pₜμₜ₊₁)·m/d.
 */
export class NAdam extends Optimizer<NAdamOptions> {
  override readonly elementwise = true;
  protected override readonly stateSpec: StateSpec = { step: 'number', muProduct: 'number', expAvg: 'array', expAvgSq: 'array' };

  constructor(params: readonly Tensor[] | readonly ParamGroupSpec<NAdamOptions>[], options?: Partial<NAdamOptions>) {
    super(params, withDefaults('NAdam', NADAM_DEFAULTS, options));
  }

  protected checkHyper(group: NAdamOptions): void {
    atLeast('NAdam', 'lr', group.lr);
    betas('NAdam', group.betas);
    atLeast('NAdam', 'eps', group.eps);
    atLeast('NAdam', 'weightDecay', group.weightDecay);
    atLeast('NAdam', 'momentumDecay', group.momentumDecay);
  }

  protected initState(param: Tensor): ParamState {
    return { step: 0, muProduct: 1, expAvg: filled(param), expAvgSq: filled(param) };
  }

  protected update(param: Tensor, grad: Tensor, state: ParamState, group: NAdamOptions): void {
    const t = stepNumber(state);
    // Pₜ, carried per parameter as PyTorch's state['mu_product'], includes this step's μₜ.
    const muProduct = (state['muProduct'] as number) * nadamMomentum(group.betas[0], group.momentumDecay, t);
    kernels(param).nadamStep(param.data, grad.data, array(state, 'expAvg'), array(state, 'expAvgSq'),
      group.lr, group.betas[0], group.betas[1], group.eps, group.weightDecay, group.momentumDecay, muProduct, t);
    state['muProduct'] = muProduct;
    state['step'] = t;
  }
}
