/**
 * bfloat16, stored as its 16 bits in a Uint16Array: the high half of a float32 (sign, the same
 * 8-bit exponent, 7 mantissa bits). Widening is exact; narrowing rounds to nearest, ties to
 * even, as PyTorch's tensor.to(torch.bfloat16): subnormals are kept, values past the largest
 * finite bfloat16 become ±Inf, ±Inf stay, and every NaN becomes the quiet NaN 0x7fc0 (c10's
 * round_to_nearest_even).
 */
import { describe } from './validate';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The quiet NaN every NaN narrows to. */
export const BFLOAT16_NAN = 0x7fc0;

/** The float32 value of bfloat16 bits. */
export function bfloat16ToFloat(bits: number): number {
  u32[0] = (bits & 0xffff) << 16;
  return f32[0]!;
}

/** The bfloat16 bits nearest to a number (rounded to float32 first, then to nearest even). */
export function floatToBfloat16(value: number): number {
  f32[0] = value;
  const bits = u32[0]!;
  if ((bits & 0x7fffffff) > 0x7f800000) return BFLOAT16_NAN;
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
}

export function widen(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = bfloat16ToFloat(bits[i]!);
  return out;
}

export function narrowInto(values: Float32Array, bits: Uint16Array): void {
  for (let i = 0; i < bits.length; i++) bits[i] = floatToBfloat16(values[i]!);
}

/**
 * Numbers as bfloat16 bits (a new Uint16Array, or `into`), each rounded to float32 and then to
 * the nearest bfloat16, ties to even: what `tensor.to(torch.bfloat16)` gives.
 */
export function toBfloat16(values: ArrayLike<number>, into?: Uint16Array): Uint16Array {
  if (values === null || typeof values !== 'object' || typeof values.length !== 'number') {
    throw new TypeError(`toBfloat16: Expected a typed array or an array of numbers for values but received ${describe(values)}`);
  }
  const out = into ?? new Uint16Array(values.length);
  if (!(out instanceof Uint16Array) || out.length !== values.length) {
    throw new RangeError(`toBfloat16: Expected a Uint16Array of length ${values.length} for into but received ${describe(into)}`);
  }
  for (let i = 0; i < out.length; i++) {
    const v = values[i];
    if (typeof v !== 'number') throw new TypeError(`toBfloat16: Expected a number at values[${i}] but received ${describe(v)}`);
    out[i] = floatToBfloat16(v);
  }
  return out;
}

/** bfloat16 bits as float32 values (exact), in a new Float32Array or `into`. */
export function fromBfloat16(bits: Uint16Array, into?: Float32Array): Float32Array {
  if (!(bits instanceof Uint16Array)) throw new TypeError(`fromBfloat16: Expected a Uint16Array for bits but received ${describe(bits)}`);
  const out = into ?? new Float32Array(bits.length);
  if (!(out instanceof Float32Array) || out.length !== bits.length) {
    throw new RangeError(`fromBfloat16: Expected a Float32Array of length ${bits.length} for into but received ${describe(into)}`);
  }
  for (let i = 0; i < bits.length; i++) out[i] = bfloat16ToFloat(bits[i]!);
  return out;
}
