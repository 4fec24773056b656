/** Stochastic gradient descent with momentum, dampening, Nesterov momentum and L2 weight decay. */
import type { Tensor } from '../autograd/tensor';
import type { BaseHyper, ParamGroupSpec, ParamState } from './optimizer';
import { Optimizer } from './optimizer';
import { atLeast, bool, inInterval, withDefaults } from './hyper';
import { empty, keep, kernels, optional } from './state';
import { forEachRowRun } from './rows';

export interface SGDOptions extends BaseHyper {
  /** Learning rate (default 1e-3, as PyTorch). */
  lr: number;
  /** Momentum factor μ ≥ 0 (default 0: plain SGD). */
  momentum: number;
  /** Dampening τ in [0, 1] of the gradient added to the momentum buffer (default 0). */
  dampening: number;
  /** Nesterov momentum (needs momentum > 0 and dampening 0). */
  nesterov: boolean;
  /** L2 penalty λ added to the gradient, λθ (default 0). */
  weightDecay: number;
}

export const SGD_DEFAULTS: Readonly<SGDOptions> = { lr: 1e-3, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0 };

/**
 * SGD (PyTorch's form): g = ∇θ + λθ; b = g at the first step, then b = μb + (1 − τ)g;
 * g = nesterov ? g + μb : b (plain g when μ = 0); θ −= lr·g.
 *
 * A row-sparse gradient (param.gradRows, from hierarchical softmax or a sparse Embedding)
 * updates only its rows when μ = 0 and λ = 0: the other rows have a zero gradient, which plain
 * SGD leaves unchanged, so the result is bit for bit the dense one. With momentum or weight
 * decay every row moves each step (the buffer's decay, λθ), so those update densely.
 */
export class SGD extends Optimizer<SGDOptions> {
  override readonly elementwise = true;
  constructor(params: readonly Tensor[] | readonly ParamGroupSpec<SGDOptions>[], options?: Partial<SGDOptions>) {
    super(params, withDefaults('SGD', SGD_DEFAULTS, options));
  }

  protected checkHyper(group: SGDOptions): void {
    atLeast('SGD', 'lr', group.lr);
    const momentum = atLeast('SGD', 'momentum', group.momentum);
    const dampening = inInterval('SGD', 'dampening', group.dampening, 0, 1, true);
    atLeast('SGD', 'weightDecay', group.weightDecay);
    if (bool('SGD', 'nesterov', group.nesterov) && (momentum <= 0 || dampening !== 0)) {
      throw new RangeError(`SGD: Expected momentum > 0 and dampening = 0 for nesterov but received momentum ${momentum} and dampening ${dampening}`);
    }
  }

  protected initState(): ParamState {
    return {};
  }

  protected update(param: Tensor, grad: Tensor, state: ParamState, group: SGDOptions): void {
    const rows = param.gradRows;
    if (rows !== null && group.momentum === 0 && group.weightDecay === 0) {
      const k = kernels(param);
      forEachRowRun(param, rows, (begin, end) => k.sgdStep(param.data.subarray(begin, end), grad.data.subarray(begin, end),
        empty(param), group.lr, 0, group.dampening, 0, false, 1));
      return;
    }
    // The buffer is created on the first step with momentum (also when momentum is switched on
    // later) and starts as the gradient: the kernel does that when told this is step 1.
    const momentum = optional(state, 'momentumBuffer', param, group.momentum > 0);
    kernels(param).sgdStep(param.data, grad.data, momentum.buffer, group.lr, group.momentum, group.dampening,
      group.weightDecay, group.nesterov, momentum.created ? 1 : 2);
    keep(state, 'momentumBuffer', momentum);
  }
}
