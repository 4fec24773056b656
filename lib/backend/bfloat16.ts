/**
 * bfloat16, stored as its 16 bits in a Uint16Array: the high half of a float32 (sign, the same
 * 8-bit exponent, 7 mantissa bits). Widening is exact; narrowing rounds to nearest, ties to
 * even, and keeps NaN a (quiet) NaN.
 */
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The float32 value of bfloat16 bits. */
export function bfloat16ToFloat(bits: number): number {
  u32[0] = (bits & 0xffff) << 16;
  return f32[0]!;
}

/** The bfloat16 bits nearest to a number (rounded to float32 first, then to nearest even). */
export function floatToBfloat16(value: number): number {
  f32[0] = value;
  const bits = u32[0]!;
  if ((bits & 0x7fffffff) > 0x7f800000) return ((bits >>> 16) | 0x0040) & 0xffff; // NaN stays NaN
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
