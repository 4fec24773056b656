// The native SIMD paths this CPU has, for the native-against-reference cases of each area.
import { nativeInfo } from '../../lib/backend';
import type { SimdLevel } from '../../lib/backend';

/** Sizes around the SIMD widths, plus empty and large. */
export const SIZES = [0, 1, 2, 7, 8, 9, 15, 16, 17, 63, 64, 65, 1023, 100_003];

export function nativePaths(): SimdLevel[] {
  const info = nativeInfo();
  if (!info.available) return [];
  return info.simdLevels ?? ['portable'];
}

/** The bits of a Float32Array, for bit-for-bit comparisons. */
export function bits(x: Float32Array): Uint32Array {
  return new Uint32Array(x.buffer, x.byteOffset, x.length);
}
