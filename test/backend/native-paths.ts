// The native SIMD paths this CPU has, for the native-against-reference cases of each area.
import { getNumThreads, nativeInfo, nativeKernels, referenceKernels, setNumThreads } from '../../lib/backend';
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

/** What `run` returns on each of these thread counts, in turn (the count in use restored after). */
export function onThreadCounts<T>(counts: readonly number[], run: () => T): T[] {
  const before = getNumThreads();
  try {
    return counts.map((n) => {
      setNumThreads(n);
      return run();
    });
  } finally {
    setNumThreads(before);
  }
}

/** The bfloat16 kernels to refuse or run: the reference's, and the addon's when it loads. */
export function bfloat16Tables() {
  return [
    ['reference', () => referenceKernels('bfloat16')],
    ...nativePaths().slice(0, 1).map((simd) => [`native (${simd})`, () => nativeKernels('bfloat16')] as const),
  ] as const;
}
