/**
 * Optimizer: the base of the update rules, shaped like torch.optim.Optimizer. Parameters come in
 * groups with their own hyper-parameters (changeable between steps); per-parameter state is
 * created on the first step; stateDict() packs the state by parameter index so it can be loaded
 * into a fresh optimizer over a fresh model.
 */
import type { Tensor } from '../autograd/tensor';

export type StateValue = Float32Array | Float64Array | number;
export type ParamState = Record<string, StateValue>;

/** A group as given to the constructor: its parameters and any hyper-parameters to override. */
export type ParamGroupSpec<H> = { params: readonly Tensor[] } & Partial<H>;
export type ParamGroup<H> = H & { params: Tensor[] };

export interface OptimizerStateDict<H> {
  /** Per-parameter state by the parameter's index over all groups, in order. */
  state: Record<number, ParamState>;
  /** Each group's hyper-parameters, and its parameters as indices. */
  paramGroups: (H & { params: number[] })[];
}

export interface BaseHyper {
  lr: number;
}

function copyState(state: ParamState): ParamState {
  const out: ParamState = {};
  for (const [k, v] of Object.entries(state)) out[k] = typeof v === 'number' ? v : v.slice();
  return out;
}

export abstract class Optimizer<H extends BaseHyper = BaseHyper> {
  readonly paramGroups: ParamGroup<H>[] = [];
  /** Per-parameter state (moments, step counts), created on a parameter's first update. */
  readonly state = new Map<Tensor, ParamState>();
  /** How many times step() ran: lets a scheduler notice it is stepped first. */
  stepCount = 0;
  readonly defaults: H;

  constructor(params: readonly Tensor[] | readonly ParamGroupSpec<H>[], defaults: H) {
    this.defaults = defaults;
    const name = this.constructor.name;
    if (!Array.isArray(params) || params.length === 0) throw new TypeError(`${name}: Expected a non-empty list of parameters or groups`);
    const groups = (params[0] && 'params' in (params[0] as object) ? params : [{ params }]) as ParamGroupSpec<H>[];
    const seen = new Set<Tensor>();
    for (const spec of groups) {
      const group = { ...defaults, ...spec, params: [...spec.params] } as ParamGroup<H>;
      for (const p of group.params) {
        if (seen.has(p)) throw new RangeError(`${name}: a parameter appears in more than one group`);
        if (!p.requiresGrad) throw new TypeError(`${name}: Expected parameters that require gradients`);
        seen.add(p);
      }
      this.checkHyper(group);
      this.paramGroups.push(group);
    }
  }

  /** Validates a group's hyper-parameters (called at construction and before each step). */
  protected abstract checkHyper(group: H): void;

  /** Updates one parameter of `group` from its gradient; `state` is that parameter's. */
  protected abstract update(param: Tensor, grad: Tensor, state: ParamState, group: H): void;

  /** Creates a parameter's state on its first update. */
  protected abstract initState(param: Tensor): ParamState;

  /** One update of every parameter that has a gradient; parameters whose grad is null are skipped. */
  step(): void {
    for (const group of this.paramGroups) {
      this.checkHyper(group);
      for (const p of group.params) {
        if (!p.grad) continue;
        let state = this.state.get(p);
        if (!state) {
          state = this.initState(p);
          this.state.set(p, state);
        }
        this.update(p, p.grad, state, group);
      }
    }
    this.stepCount++;
  }

  /** Clears the gradients (to null, or to zeros with setToNone = false). */
  zeroGrad(options: { setToNone?: boolean } = {}): void {
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        if (options.setToNone === false && p.grad) p.grad.data.fill(0);
        else p.grad = null;
      }
    }
  }

  stateDict(): OptimizerStateDict<H> {
    const state: Record<number, ParamState> = {};
    let index = 0;
    const paramGroups = this.paramGroups.map((group) => {
      const { params, ...hyper } = group;
      const indices = params.map((p) => {
        const s = this.state.get(p);
        if (s) state[index] = copyState(s);
        return index++;
      });
      return { ...(hyper as unknown as H), params: indices };
    });
    return { state, paramGroups };
  }

  /** Loads a state dict saved from an optimizer with the same group sizes (state is copied). */
  loadStateDict(saved: OptimizerStateDict<H>): void {
    const name = this.constructor.name;
    if (!saved || !Array.isArray(saved.paramGroups) || saved.paramGroups.length !== this.paramGroups.length) {
      throw new RangeError(`${name}.loadStateDict: Expected ${this.paramGroups.length} parameter groups but the state dict has ${saved?.paramGroups?.length}`);
    }
    saved.paramGroups.forEach((g, i) => {
      if (g.params.length !== this.paramGroups[i]!.params.length) {
        throw new RangeError(`${name}.loadStateDict: group ${i} has ${this.paramGroups[i]!.params.length} parameters but the state dict's has ${g.params.length}`);
      }
    });
    const params = this.paramGroups.flatMap((g) => g.params);
    this.state.clear();
    for (const [key, value] of Object.entries(saved.state)) {
      const p = params[Number(key)];
      if (!p) throw new RangeError(`${name}.loadStateDict: state for parameter ${key}, which does not exist`);
      for (const [k, v] of Object.entries(value)) {
        if (typeof v !== 'number' && v.length !== p.size) {
          throw new RangeError(`${name}.loadStateDict: state "${k}" of parameter ${key} has ${v.length} values but the parameter has ${p.size}`);
        }
      }
      this.state.set(p, copyState(value));
    }
    saved.paramGroups.forEach((g, i) => {
      const { params: _indices, ...hyper } = g;
      Object.assign(this.paramGroups[i]!, hyper);
    });
  }
}
