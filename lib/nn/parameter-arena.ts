/**
 * ParameterArena: float32 parameters moved into one contiguous Float32Array, in order, with one
 * more for their gradients, so that an elementwise optimizer updates them all with one kernel
 * call (lib/optim/contiguous.ts) and a gradient all-reduce sends one buffer.
 *
 * The parameters' .data become views of `data` (their values copied in: arrays taken from .data
 * before are no longer theirs). Backward still writes each gradient into a buffer of its own;
 * gatherGradients() copies them into `grad` and makes each parameter's .grad its view, which
 * then accumulates as any gradient does until it is cleared.
 */
import { Tensor, isHeldGradBuffer } from '../autograd/tensor';
import type { FloatArray } from '../autograd/tensor';
import { describe } from '../backend/validate';
import { Parameter } from './parameter';

export class ParameterArena {
  /** Every parameter's values, back to back in the order given. */
  readonly data: Float32Array;
  /** Their gradients, at the same offsets (zeros where a parameter's gradient is not here). */
  readonly grad: Float32Array;
  readonly parameters: readonly Parameter[];
  /** Where each parameter starts in data and grad. */
  readonly offsets: readonly number[];
  readonly #grads: Tensor[];

  /** Whether a parameter can join an arena: a float32 Parameter. */
  static accepts(p: unknown): p is Parameter {
    return p instanceof Parameter && p.dtype === 'float32';
  }

  /**
   * The parameters of a list that can share an arena, in order: float32 Parameters, each once,
   * leaving out any that shares memory with another (tied weights stay tied).
   */
  static eligible(list: readonly unknown[]): Parameter[] {
    const params = [...new Set(list.filter(ParameterArena.accepts))];
    return params.filter((p) => !params.some((q) => q !== p && overlap(p.data, q.data)));
  }

  constructor(parameters: readonly Parameter[]) {
    if (!Array.isArray(parameters)) throw new TypeError(`ParameterArena: Expected an Array of Parameters but received ${describe(parameters)}`);
    const seen = new Set<Parameter>();
    parameters.forEach((p, i) => {
      if (!ParameterArena.accepts(p)) throw new TypeError(`ParameterArena: Expected a float32 Parameter at parameters[${i}] but received ${describe(p)}`);
      if (seen.has(p)) throw new RangeError(`ParameterArena: parameters[${i}] is listed twice`);
      seen.add(p);
    });
    // Two parameters sharing memory (tied weights) would be untied by copying them apart.
    for (let i = 0; i < parameters.length; i++) {
      for (let j = 0; j < i; j++) {
        if (overlap(parameters[i]!.data, parameters[j]!.data)) throw new RangeError(`ParameterArena: parameters[${j}] and parameters[${i}] share memory`);
      }
    }
    const offsets: number[] = [];
    let total = 0;
    for (const p of parameters) {
      offsets.push(total);
      total += p.size;
    }
    this.data = new Float32Array(total);
    this.grad = new Float32Array(total);
    this.parameters = [...parameters];
    this.offsets = offsets;
    this.#grads = this.parameters.map((p, i) => new Tensor(this.grad.subarray(offsets[i]!, offsets[i]! + p.size), p.shape));
    this.parameters.forEach((p, i) => p.moveTo(this.data.subarray(offsets[i]!, offsets[i]! + p.size)));
  }

  /** Whether an array is part of this arena's values or gradients. */
  owns(array: FloatArray): boolean {
    return array.buffer === this.data.buffer || array.buffer === this.grad.buffer;
  }

  /**
   * Copies each parameter's dense gradient into `grad` and makes the parameter's .grad its view;
   * `release` gets each buffer given up (a BufferPool's give). Row-sparse gradients (their
   * buffer stays with the parameter) stay where they are, and a parameter without a gradient
   * keeps none; their slots in `grad` are zeroed.
   */
  gatherGradients(release?: (buffer: FloatArray) => void): void {
    for (let i = 0; i < this.parameters.length; i++) {
      const p = this.parameters[i]!;
      const view = this.#grads[i]!;
      const g = p.grad;
      if (g === view) continue;
      if (g === null || g.dtype !== 'float32' || g.size !== p.size || p.gradRows !== null || isHeldGradBuffer(g.data)) {
        view.data.fill(0);
        continue;
      }
      view.data.set(g.data);
      p.grad = view;
      if (release && !this.owns(g.data)) release(g.data);
    }
  }
}

function overlap(a: FloatArray, b: FloatArray): boolean {
  return a.buffer === b.buffer && a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
}
