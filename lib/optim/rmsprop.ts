/** RMSprop (Hinton, 2012), with PyTorch's centered and momentum variants. */
import type { Tensor } from '../autograd/tensor';
import type { BaseHyper, ParamGroupSpec, ParamState, StateSpec } from './optimizer';
import { Optimizer } from './optimizer';
import { atLeast, bool, inInterval, withDefaults } from './hyper';
import { array, filled, keep, kernels, optional, stepNumber } from './state';

export interface RMSpropOptions extends BaseHyper {
  /** Learning rate (default 1e-2, as PyTorch). */
  lr: number;
  /** Decay α of the running mean of g², in [0, 1] (default 0.99 as PyTorch; the notes use 0.9). */
  alpha: number;
  /** Added to the root, outside it (default 1e-8). */
  eps: number;
  /** L2 penalty λ added to the gradient (default 0). */
  weightDecay: number;
  /** Momentum μ ≥ 0 of the scaled step (default 0). */
  momentum: number;
  /** Divide by the running standard deviation √(v − ḡ²) instead of √v (default false). */
  centered: boolean;
}

export const RMSPROP_DEFAULTS: Readonly<RMSpropOptions> = { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false };

/**
 * RMSprop: g = ∇θ + λθ; v = αv + (1 − α)g²; d = √v + ε (centered: ḡ = αḡ + (1 − α)g,
 * d = √(v − ḡ²) + ε); μ > 0: b = μb + g/d, θ −= lr·b; else θ −= lr·g/d.
 */
export class RMSprop extends Optimizer<RMSpropOptions> {
  override readonly elementwise = true;
  protected override readonly stateSpec: StateSpec = { step: 'number', squareAvg: 'array' };

  constructor(params: readonly Tensor[] | readonly ParamGroupSpec<RMSpropOptions>[], options?: Partial<RMSpropOptions>) {
    super(params, withDefaults('RMSprop', RMSPROP_DEFAULTS, options));
  }

  protected checkHyper(group: RMSpropOptions): void {
    atLeast('RMSprop', 'lr', group.lr);
    inInterval('RMSprop', 'alpha', group.alpha, 0, 1, true);
    atLeast('RMSprop', 'eps', group.eps);
    atLeast('RMSprop', 'weightDecay', group.weightDecay);
    atLeast('RMSprop', 'momentum', group.momentum);
    bool('RMSprop', 'centered', group.centered);
  }

  protected initState(param: Tensor): ParamState {
    return { step: 0, squareAvg: filled(param) };
  }

  protected update(param: Tensor, grad: Tensor, state: ParamState, group: RMSpropOptions): void {
    const t = stepNumber(state);
    const gradAvg = optional(state, 'gradAvg', param, group.centered);
    const momentum = optional(state, 'momentumBuffer', param, group.momentum > 0);
    kernels(param).rmspropStep(param.data, grad.data, array(state, 'squareAvg'), gradAvg.buffer, momentum.buffer,
      group.lr, group.alpha, group.eps, group.weightDecay, group.momentum, group.centered);
    keep(state, 'gradAvg', gradAvg);
    keep(state, 'momentumBuffer', momentum);
    state['step'] = t;
  }
}
