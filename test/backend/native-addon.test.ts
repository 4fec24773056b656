// The native addon must load wherever the tests run, unless TENSORGRAD_TEST_REFERENCE_ONLY=1
// says this machine cannot build it; otherwise a run on the reference backend alone would pass.
import { describe, expect, it } from 'vitest';
import { nativeInfo, setSimdLevel } from '../../lib/backend';
import type { SimdLevel } from '../../lib/backend';
import { referenceOnly } from './backends';

const LEVELS: SimdLevel[] = ['avx512', 'avx2', 'portable'];

describe.skipIf(referenceOnly)('native addon', () => {
  it('loaded', () => {
    const info = nativeInfo();
    expect(info.error).toBeUndefined();
    expect(info.available).toBe(true);
    expect(LEVELS).toContain(info.simd);
    expect(info.simdLevels).toContain(info.simd);
  });

  it('lists the detected SIMD level and every level below it, best first', () => {
    const info = nativeInfo();
    expect(info.simdLevels).toEqual(LEVELS.slice(LEVELS.indexOf(info.detectedSimd!)));
  });

  it('switches to every level it lists and refuses the others', () => {
    const info = nativeInfo();
    try {
      for (const level of info.simdLevels!) {
        expect(setSimdLevel(level)).toBe(level);
        expect(nativeInfo().simd).toBe(level);
      }
      for (const level of LEVELS.filter((l) => !info.simdLevels!.includes(l))) {
        expect(() => setSimdLevel(level)).toThrow(RangeError);
      }
      expect(() => setSimdLevel('avx1024' as SimdLevel)).toThrow(/Expected "avx512", "avx2" or "portable" for level/);
    } finally {
      setSimdLevel(info.simd!);
    }
  });
});
