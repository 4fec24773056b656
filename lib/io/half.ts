/** float32 ↔ float16 and bfloat16, rounding to nearest even (as numpy and PyTorch do). */

import { bfloat16ToFloat, floatToBfloat16 } from '../backend/bfloat16';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** As tensor.to(torch.bfloat16): to nearest even, every NaN the quiet NaN 0x7fc0. */
export const float32ToBfloat16: (value: number) => number = floatToBfloat16;

export const bfloat16ToFloat32: (half: number) => number = bfloat16ToFloat;

export function float32ToFloat16(value: number): number {
  f32[0] = value;
  const bits = u32[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  let mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0); // Inf, NaN
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // overflow to Inf
  if (e <= 0) {
    // A subnormal half holds M·2^−24: shift the full mantissa (implicit bit set) into place.
    if (e < -10) return sign; // below half the smallest subnormal: ±0
    const full = mantissa | 0x800000;
    const shift = 14 - e;
    let q = full >>> shift;
    const rest = full & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rest > half || (rest === half && (q & 1))) q++;
    return sign | q;
  }
  const rounded = (e << 10) | (mantissa >>> 13);
  const halfway = mantissa & 0x1fff;
  // Round to nearest even; a carry into the exponent is correct (up to Inf).
  return sign | (rounded + (halfway > 0x1000 || (halfway === 0x1000 && (rounded & 1)) ? 1 : 0));
}

export function float16ToFloat32(half: number): number {
  const sign = half & 0x8000 ? -1 : 1;
  const exponent = (half >>> 10) & 0x1f;
  const mantissa = half & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa ? Number.NaN : sign * Infinity;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}
