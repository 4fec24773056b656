/**
 * The one notice of a process that computes bfloat16 GEMMs without the AVX-512 BF16
 * instructions: they then run an emulation (the same bits, more slowly than float32 GEMMs).
 */
import { nativeInfo } from './native';
import { getBackend } from './select';

let noticed = false;

/** Emits the notice once per process when the native bfloat16 GEMM would run emulated. */
export function noticeBf16Emulation(): void {
  if (noticed || getBackend().name !== 'native') return;
  const info = nativeInfo();
  if (!info.available || info.bf16) return;
  noticed = true;
  const why = !info.detectedBf16
    ? 'this CPU has no AVX-512 BF16 instructions (vdpbf16ps)'
    : info.simd !== 'avx512'
      ? `the kernels run at the ${String(info.simd)} SIMD level, not avx512`
      : 'the AVX-512 BF16 instructions are turned off (setBf16Instructions(false) or TENSORGRAD_BF16=emulate)';
  process.emitWarning(`tensorgrad: ${why}: bfloat16 GEMMs run an emulation, with the same results but slower than float32`, {
    code: 'TENSORGRAD_BF16_EMULATED',
    detail: 'docs/mixed-precision.md in the tensorgrad package says what runs in bfloat16 and what it costs.',
  });
}
