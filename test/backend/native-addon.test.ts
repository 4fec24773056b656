// The native addon must load wherever the tests run, unless TENSORGRAD_TEST_REFERENCE_ONLY=1
// says this machine cannot build it; otherwise a run on the reference backend alone would pass.
import { describe, expect, it } from 'vitest';
import { nativeInfo } from '../../lib/backend';
import { referenceOnly } from './backends';

describe.skipIf(referenceOnly)('native addon', () => {
  it('loaded', () => {
    const info = nativeInfo();
    expect(info.error).toBeUndefined();
    expect(info.available).toBe(true);
    expect(['avx512', 'avx2', 'portable']).toContain(info.simd);
    expect(info.simdLevels).toContain(info.simd);
  });
});
