/**
 * SparseAdam: lazy Adam for row-sparse gradients (an Embedding with sparse: true, hierarchical
 * softmax), as torch.optim.SparseAdam. Only the rows in the gradient (param.gradRows) have their
 * moments and values updated; the other rows' moments are not decayed, which is what makes a
 * step cost the rows touched. A dense gradient (gradRows null) counts as every row present.
 */
import type { Tensor } from '../autograd/tensor';
import type { BaseHyper, ParamGroupSpec, ParamState, StateSpec } from './optimizer';
import { Optimizer } from './optimizer';
import { atLeast, betas, withDefaults } from './hyper';
import { empty, array, filled, kernels, stepNumber } from './state';
import { forEachRowRun } from './rows';

export interface SparseAdamOptions extends BaseHyper {
  /** Learning rate (default 1e-3). */
  lr: number;
  /** [β₁, β₂], decays of the first and second moments, each in [0, 1) (default [0.9, 0.999]). */
  betas: readonly [number, number];
  /** Added to √v̂, outside the root (default 1e-8). */
  eps: number;
}

export const SPARSE_ADAM_DEFAULTS: Readonly<SparseAdamOptions> = { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8 };

/**
 * For each row r present in the gradient, with t the parameter's step count (every step it has
 * a gradient, whichever rows): m_r = β₁m_r + (1 − β₁)g_r; v_r = β₂v_r + (1 − β₂)g_r²;
 * θ_r −= lr·m̂_r/(√v̂_r + ε), m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ). Rows not present keep θ, m and
 * v. When every row is present every step this is Adam exactly (same kernel, same bits).
 * PyTorch's SparseAdam writes the denominator √v + ε with √(1 − β₂ᵗ) folded into the step
 * size, i.e. ε/√(1 − β₂ᵗ) here: the same update but for ε's weight in the first steps.
 */
export class SparseAdam extends Optimizer<SparseAdamOptions> {
  protected override readonly stateSpec: StateSpec = { step: 'number', expAvg: 'array', expAvgSq: 'array' };

  constructor(params: readonly Tensor[] | readonly ParamGroupSpec<SparseAdamOptions>[], options?: Partial<SparseAdamOptions>) {
    super(params, withDefaults('SparseAdam', SPARSE_ADAM_DEFAULTS, options));
  }

  protected checkHyper(group: SparseAdamOptions): void {
    atLeast('SparseAdam', 'lr', group.lr);
    betas('SparseAdam', group.betas);
    atLeast('SparseAdam', 'eps', group.eps);
  }

  protected initState(param: Tensor): ParamState {
    return { step: 0, expAvg: filled(param), expAvgSq: filled(param) };
  }

  protected update(param: Tensor, grad: Tensor, state: ParamState, group: SparseAdamOptions): void {
    const t = stepNumber(state);
    const m = array(state, 'expAvg');
    const v = array(state, 'expAvgSq');
    const k = kernels(param);
    const run = (begin: number, end: number) => k.adamStep(param.data.subarray(begin, end), grad.data.subarray(begin, end),
      m.subarray(begin, end), v.subarray(begin, end), empty(param), group.lr, group.betas[0], group.betas[1], group.eps, 0, false, true, t);
    const rows = param.gradRows;
    if (rows === null) run(0, param.size);
    else forEachRowRun(param, rows, run);
    state['step'] = t;
  }
}
