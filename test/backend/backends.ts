// The backends every kernel case runs against: the reference, the native one on each SIMD level
// this CPU has (of avx512, avx2, portable), and the checked one. The native ones are left out
// only when the addon is missing and TENSORGRAD_TEST_REFERENCE_ONLY=1 says that is expected;
// otherwise the native tests fail.
import { checkedBackend, nativeBackend, nativeInfo, referenceBackend, setSimdLevel } from '../../lib/backend';
import type { Backend, SimdLevel } from '../../lib/backend';

export interface BackendUnderTest {
  label: string;
  backend: () => Backend;
  /** The SIMD path the native kernels must take for this entry. */
  simd?: SimdLevel;
}

export const referenceOnly = process.env['TENSORGRAD_TEST_REFERENCE_ONLY'] === '1';

export function backendsUnderTest(): BackendUnderTest[] {
  const list: BackendUnderTest[] = [{ label: 'reference', backend: () => referenceBackend }];
  const info = nativeInfo();
  if (!info.available && referenceOnly) return list;
  for (const simd of info.simdLevels ?? ['portable']) list.push({ label: `native (${simd})`, backend: nativeBackend, simd });
  list.push({ label: 'checked', backend: () => checkedBackend(nativeBackend()), simd: info.detectedSimd ?? 'portable' });
  return list;
}

export function backendLabels(): string[] {
  return backendsUnderTest().map((b) => b.label);
}

/** Puts the native kernels on the entry's SIMD path (call in beforeAll). */
export function selectSimd(entry: BackendUnderTest): void {
  if (entry.simd) setSimdLevel(entry.simd);
}
