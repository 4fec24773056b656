/**
 * Contiguous runs of parameters: when consecutive parameters' values, gradients and state arrays
 * each lie back to back in one buffer (a ParameterArena puts them there), an elementwise update
 * rule updates the whole run with one kernel call over the spans instead of one per parameter.
 *
 * Bit for bit the same: the native update loops take 8 floats a step with fused multiply-adds
 * and finish a parameter's last (size mod 8) values with the portable loop, whose roundings
 * differ. A run joins a parameter to the next only when its size is a multiple of RUN_BLOCK, so
 * every value takes the same path (vector or tail) in the run as in its own call.
 */
import type { FloatArray } from '../autograd/tensor';

/** A multiple of every native update loop's vector width (8 floats on AVX2, the widest used). */
export const RUN_BLOCK = 16;

/** Whether b starts where a ends, in the same buffer and of the same type. */
export function follows(a: FloatArray, b: FloatArray): boolean {
  return a.buffer === b.buffer && a.constructor === b.constructor && a.byteOffset + a.byteLength === b.byteOffset;
}

/** Whether the arrays lie back to back, in order. */
export function backToBack(arrays: readonly FloatArray[]): boolean {
  for (let i = 1; i < arrays.length; i++) if (!follows(arrays[i - 1]!, arrays[i]!)) return false;
  return true;
}

/** One array over back-to-back arrays (sharing their memory). */
export function span(arrays: readonly FloatArray[]): FloatArray {
  const first = arrays[0]!;
  let length = 0;
  for (const a of arrays) length += a.length;
  return first instanceof Float64Array ? new Float64Array(first.buffer, first.byteOffset, length) : new Float32Array(first.buffer, first.byteOffset, length);
}

/** Views of `whole`, one per length, in order. */
export function split(whole: FloatArray, lengths: readonly number[]): FloatArray[] {
  const out: FloatArray[] = [];
  let offset = 0;
  for (const n of lengths) {
    out.push(whole.subarray(offset, offset + n));
    offset += n;
  }
  return out;
}

/** The arrays' values copied into one new array, returned as views of it (one per array). */
export function pack(arrays: readonly FloatArray[]): FloatArray[] {
  const length = arrays.reduce((n, a) => n + a.length, 0);
  const whole = arrays[0] instanceof Float64Array ? new Float64Array(length) : new Float32Array(length);
  let offset = 0;
  for (const a of arrays) {
    whole.set(a, offset);
    offset += a.length;
  }
  return split(whole, arrays.map((a) => a.length));
}
