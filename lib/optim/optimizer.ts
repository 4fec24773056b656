/**
 * Optimizer: the base of the update rules, shaped like torch.optim.Optimizer. Parameters come in
 * groups with their own hyper-parameters (changeable between steps); per-parameter state is
 * created on the first step; stateDict() packs the state by parameter index so it can be loaded
 * into a fresh optimizer over a fresh model.
 */
import { zeroLeafGrad } from '../autograd/sparse-grad';
import { Tensor } from '../autograd/tensor';
import type { FloatArray } from '../autograd/tensor';
import { describe } from '../backend/validate';
import { RUN_BLOCK, backToBack, follows, pack, span, split } from './contiguous';
import { definedOnly } from './hyper';

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

/** A group's hyper-parameters with arrays (Adam's betas) copied, so saved and live ones never alias. */
function copyHyper<T extends object>(hyper: T): T {
  const out = { ...hyper };
  for (const [k, v] of Object.entries(out)) if (Array.isArray(v)) (out as Record<string, unknown>)[k] = [...v];
  return out;
}

/** What a parameter's state entry holds: a number (step counts) or an array of the parameter's size. */
export type StateSpec = Record<string, 'number' | 'array'>;

/**
 * Back-to-back parameters updated as one (contiguous.ts): the members and the arrays the spans
 * were made over, so a step can tell whether the spans still hold.
 */
interface Run {
  members: Tensor[];
  data: FloatArray[];
  grads: FloatArray[];
  states: ParamState[];
  /** Each state array's members, by key. */
  arrays: Map<string, FloatArray[]>;
  param: Tensor;
  grad: Tensor;
  state: ParamState;
  /** How many entries each member's state has. */
  keys: number;
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
      for (const key of Object.keys(spec)) {
        if (key !== 'params' && !(key in defaults)) {
          throw new TypeError(`${name}: Expected parameter-group options among ${Object.keys(defaults).join(', ')} but received "${key}"`);
        }
      }
      if (!Array.isArray(spec.params)) throw new TypeError(`${name}: Expected an Array of parameters for params of each group`);
      const group = { ...copyHyper(defaults), ...copyHyper(definedOnly(spec)), params: [...spec.params] } as ParamGroup<H>;
      for (const p of group.params) {
        if (!(p instanceof Tensor)) throw new TypeError(`${name}: Expected Tensors as parameters but received ${describe(p)}`);
        if (seen.has(p)) throw new RangeError(`${name}: a parameter appears in more than one group`);
        if (!p.requiresGrad) throw new TypeError(`${name}: Expected parameters that require gradients`);
        seen.add(p);
      }
      this.checkHyper(group);
      this.paramGroups.push(group);
    }
  }

  /**
   * The entries every parameter's state must hold once created (checked by loadStateDict, so
   * state saved by another kind of optimizer is refused there rather than at the next step).
   * Entries an option adds (a momentum buffer) are not listed: they are created when missing.
   */
  protected readonly stateSpec: StateSpec = {};

  /**
   * Whether update() is elementwise, with scalars that depend on the group and the step count
   * only: then parameters whose values, gradients and state lie back to back (a ParameterArena's)
   * are updated by one call over all of them, with the same bits as one call each. Rules that
   * look at a parameter's shape or rows leave it false, as do subclasses that do not say so.
   */
  readonly elementwise: boolean = false;

  readonly #runs = new Map<Tensor, Run>();

  /** Validates a group's hyper-parameters (called at construction and before each step). */
  protected abstract checkHyper(group: H): void;

  /** Updates one parameter of `group` from its gradient; `state` is that parameter's. */
  protected abstract update(param: Tensor, grad: Tensor, state: ParamState, group: H): void;

  /** Creates a parameter's state on its first update (with its group's hyper-parameters). */
  protected abstract initState(param: Tensor, group: H): ParamState;

  /** One update of every parameter that has a gradient; parameters whose grad is null are skipped. */
  step(): void {
    // Everything is checked before anything is updated, so a refused step changes nothing.
    for (const group of this.paramGroups) {
      this.checkHyper(group);
      for (const p of group.params) {
        if (p.grad && (p.grad.dtype !== p.dtype || p.grad.size !== p.size)) {
          throw new TypeError(`${this.constructor.name}.step: Expected a ${p.dtype} gradient of ${p.size} values for a parameter of shape [${p.shape.join(', ')}] but received ${p.grad.dtype} with ${p.grad.size}`);
        }
      }
    }
    for (const group of this.paramGroups) {
      if (this.elementwise) this.#stepInRuns(group);
      else for (const p of group.params) this.#updateOne(p, group);
    }
    this.stepCount++;
  }

  #updateOne(p: Tensor, group: ParamGroup<H>): void {
    if (!p.grad) return;
    let state = this.state.get(p);
    if (!state) {
      state = this.initState(p, group);
      this.state.set(p, state);
    }
    this.update(p, p.grad, state, group);
  }

  /** The group's parameters, each run of back-to-back ones in one update. */
  #stepInRuns(group: ParamGroup<H>): void {
    const params = group.params;
    const joinable = (p: Tensor) => p.grad !== null && p.gradRows === null && p.grad.size === p.size;
    for (let i = 0; i < params.length;) {
      let j = i + 1;
      if (joinable(params[i]!)) {
        while (j < params.length && joinable(params[j]!) && params[j - 1]!.size % RUN_BLOCK === 0
          && follows(params[j - 1]!.data, params[j]!.data) && follows(params[j - 1]!.grad!.data, params[j]!.grad!.data)) j++;
      }
      const run = j - i > 1 ? this.#run(params, i, j, group) : null;
      if (run) this.#updateRun(run, group);
      else for (let k = i; k < j; k++) this.#updateOne(params[k]!, group);
      i = j;
    }
  }

  /**
   * The run of params[i..j), its spans reused from the last step when they still hold; null
   * when the members' states differ (a parameter skipped on some step has another step count).
   * State arrays that are not back to back (loaded from a state dict) are packed into one array
   * once, their values unchanged.
   */
  #run(params: Tensor[], i: number, j: number, group: ParamGroup<H>): Run | null {
    const cached = this.#runs.get(params[i]!);
    if (cached && this.#holds(cached, params, i, j)) return cached;
    const members = params.slice(i, j);
    const sizes = members.map((p) => p.size);
    const param = new Tensor(span(members.map((p) => p.data)), [sizes.reduce((n, size) => n + size, 0)], { requiresGrad: true });
    let states = members.map((p) => this.state.get(p));
    if (states.every((s) => s === undefined)) {
      const whole = this.initState(param, group);
      states = members.map((_, k) => {
        const own: ParamState = {};
        for (const [key, value] of Object.entries(whole)) own[key] = typeof value === 'number' ? value : split(value, sizes)[k]!;
        return own;
      });
      members.forEach((p, k) => this.state.set(p, states[k]!));
    }
    if (states.some((s) => s === undefined)) return null;
    const first = states[0]!;
    const keys = Object.keys(first);
    for (const s of states as ParamState[]) {
      const own = Object.keys(s);
      if (own.length !== keys.length || !keys.every((key) => key in s && typeof s[key] === typeof first[key] && (typeof s[key] !== 'number' || Object.is(s[key], first[key])))) return null;
    }
    const grad = new Tensor(span(members.map((p) => p.grad!.data)), param.shape);
    const run: Run = { members, data: members.map((p) => p.data), grads: members.map((p) => p.grad!.data), states: states as ParamState[], arrays: new Map(), param, grad, state: {}, keys: keys.length };
    for (const key of keys) {
      if (typeof first[key] === 'number') {
        run.state[key] = first[key];
        continue;
      }
      let arrays = run.states.map((s) => s[key] as FloatArray);
      if (!backToBack(arrays)) {
        arrays = pack(arrays);
        run.states.forEach((s, k) => (s[key] = arrays[k]!));
      }
      run.arrays.set(key, arrays);
      run.state[key] = span(arrays);
    }
    this.#runs.set(params[i]!, run);
    return run;
  }

  /** Whether a run's spans still cover params[i..j) as they are now. */
  #holds(run: Run, params: Tensor[], i: number, j: number): boolean {
    if (run.members.length !== j - i) return false;
    for (let k = 0; k < run.members.length; k++) {
      const p = params[i + k]!;
      const state = this.state.get(p);
      if (run.members[k] !== p || run.data[k] !== p.data || run.grads[k] !== p.grad!.data || run.states[k] !== state) return false;
      let keys = 0;
      for (const key in state) {
        keys += key in run.state ? 1 : 2;
        // A member updated alone since (it lacked a gradient for a step) has another step count.
        if (typeof state[key] === 'number' && !Object.is(state[key], run.state[key])) return false;
      }
      if (keys !== run.keys) return false;
      for (const [key, arrays] of run.arrays) if (state[key] !== arrays[k]) return false;
    }
    return true;
  }

  /** One update over the run's spans; scalars (step counts) and newly made state arrays go back to each member. */
  #updateRun(run: Run, group: ParamGroup<H>): void {
    this.update(run.param, run.grad, run.state, group);
    for (const [key, value] of Object.entries(run.state)) {
      if (typeof value === 'number') {
        for (const s of run.states) s[key] = value;
      } else if (!run.arrays.has(key)) {
        // Created by this update (a momentum buffer switched on): each member gets its part.
        const parts = split(value, run.members.map((p) => p.size));
        run.states.forEach((s, k) => (s[key] = parts[k]!));
        run.arrays.set(key, parts);
        run.keys++;
      }
    }
  }

  /** Clears the gradients (to null, or to zeros with setToNone = false); row-sparse ones row by row (lib/autograd/sparse-grad.ts). */
  zeroGrad(options: { setToNone?: boolean } = {}): void {
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        zeroLeafGrad(p, options.setToNone !== false);
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
      return { ...copyHyper(hyper as unknown as H), params: indices };
    });
    return { state, paramGroups };
  }

  /**
   * Loads a state dict saved from an optimizer with the same group sizes. The state is copied,
   * arrays converted to their parameter's dtype (as PyTorch casts state to the parameter's); the
   * groups' hyper-parameters are replaced by the saved ones. Nothing changes when it throws.
   */
  loadStateDict(saved: OptimizerStateDict<H>): void {
    const name = this.constructor.name;
    if (!saved || !Array.isArray(saved.paramGroups) || saved.paramGroups.length !== this.paramGroups.length) {
      throw new RangeError(`${name}.loadStateDict: Expected ${this.paramGroups.length} parameter groups but the state dict has ${saved?.paramGroups?.length}`);
    }
    saved.paramGroups.forEach((g, i) => {
      if (!g || !Array.isArray(g.params) || g.params.length !== this.paramGroups[i]!.params.length) {
        throw new RangeError(`${name}.loadStateDict: group ${i} has ${this.paramGroups[i]!.params.length} parameters but the state dict's has ${g?.params?.length}`);
      }
    });
    const params = this.paramGroups.flatMap((g) => g.params);
    const loaded = new Map<Tensor, ParamState>();
    for (const [key, value] of Object.entries(saved.state ?? {})) {
      const p = params[Number(key)];
      if (!p) throw new RangeError(`${name}.loadStateDict: state for parameter ${key}, which does not exist`);
      for (const [k, kind] of Object.entries(this.stateSpec)) {
        const v = value[k];
        const ok = kind === 'number' ? typeof v === 'number' : v instanceof Float32Array || v instanceof Float64Array;
        if (!ok) throw new TypeError(`${name}.loadStateDict: Expected ${kind === 'number' ? 'a number' : 'a Float32Array or Float64Array'} for state "${k}" of parameter ${key} but received ${describe(v)}`);
      }
      const state: ParamState = {};
      for (const [k, v] of Object.entries(value)) {
        if (typeof v === 'number') {
          state[k] = v;
          continue;
        }
        if (!(v instanceof Float32Array || v instanceof Float64Array)) {
          throw new TypeError(`${name}.loadStateDict: Expected a number or a float array for state "${k}" of parameter ${key} but received ${describe(v)}`);
        }
        if (v.length !== p.size) {
          throw new RangeError(`${name}.loadStateDict: state "${k}" of parameter ${key} has ${v.length} values but the parameter has ${p.size}`);
        }
        state[k] = p.dtype === 'float64' ? Float64Array.from(v) : Float32Array.from(v);
      }
      loaded.set(p, state);
    }
    const hypers = saved.paramGroups.map((g, i) => {
      const { params: _indices, ...hyper } = g;
      const merged = { ...this.paramGroups[i]!, ...copyHyper(hyper) };
      this.checkHyper(merged);
      return merged;
    });
    this.state.clear();
    for (const [p, s] of loaded) this.state.set(p, s);
    hypers.forEach((merged, i) => Object.assign(this.paramGroups[i]!, merged));
  }
}
