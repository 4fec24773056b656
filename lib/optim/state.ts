/**
 * Per-parameter state arrays for the update rules: of the parameter's dtype and size, so a
 * float64 parameter keeps float64 moments. The kernels come from kernelsFor(param.dtype): the
 * selected backend for float32 parameters, the float64 reference kernels (double precision, no
 * rounding to float32) for float64 ones, whatever backend is selected.
 */
import type { FloatArray, Kernels, Tensor } from '../autograd/tensor';
import { kernelsFor } from '../autograd/tensor';
import type { ParamState } from './optimizer';

const EMPTY = { float32: new Float32Array(0), float64: new Float64Array(0) };

/** What the kernels take for a state that the options leave unused: an empty array of the parameter's dtype. */
export function empty(param: Tensor): FloatArray {
  return EMPTY[param.dtype];
}

/** The kernels that update `param`: its dtype's. */
export function kernels(param: Tensor): Kernels {
  return kernelsFor(param.dtype);
}

/** A new state array for `param`, filled with `value`. */
export function filled(param: Tensor, value = 0): FloatArray {
  const out = param.dtype === 'float64' ? new Float64Array(param.size) : new Float32Array(param.size);
  return value === 0 ? out : out.fill(value);
}

/** A state array every update uses (created by initState, checked by loadStateDict). */
export function array(state: ParamState, key: string): FloatArray {
  return state[key] as FloatArray;
}

/**
 * A state array an option needs (a momentum buffer): empty(param) when unused; when used, the one in
 * `state`, or a new zero-filled one when the option was just switched on (`created`: SGD's
 * buffer starts as the gradient). Store a created one with `keep` once the kernel has run, so a
 * throwing kernel leaves the state as it was.
 */
export interface OptionalState {
  buffer: FloatArray;
  created: boolean;
}

export function optional(state: ParamState, key: string, param: Tensor, used: boolean): OptionalState {
  if (!used) return { buffer: empty(param), created: false };
  const existing = state[key];
  if (existing !== undefined && typeof existing !== 'number') return { buffer: existing, created: false };
  return { buffer: filled(param), created: true };
}

export function keep(state: ParamState, key: string, optionalState: OptionalState): void {
  if (optionalState.created) state[key] = optionalState.buffer;
}

/** The number of the update about to run (the state's step count + 1, stored once it ran). */
export function stepNumber(state: ParamState): number {
  return (state['step'] as number) + 1;
}
