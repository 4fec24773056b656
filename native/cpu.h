// Which SIMD path the kernels take. Detected once from the CPU (cpuid, and XGETBV for what the
// OS saves); TENSORGRAD_SIMD=avx2|portable or setSimdLevel() forces a lower level (tests run
// every level this machine has).
#pragma once

#include "platform.h"

namespace tg {

// Ordered: a level can run the code of every level below it.
enum class SimdLevel { Portable = 0, Avx2 = 1, Avx512 = 2 };

SimdLevel detectedSimd();  // the best level this CPU and this build support
SimdLevel activeSimd();    // the level kernels use now
bool setActiveSimd(SimdLevel level);  // false when the CPU or build cannot run `level`
const char* simdName(SimdLevel level);

// The AVX2/FMA code of a kernel runs on the avx2 level and, for the kernels that have no
// AVX-512 version (all but gemm), on the avx512 level too.
inline bool useAvx2Code() { return activeSimd() >= SimdLevel::Avx2; }
// GEMM's AVX-512 micro-kernel: the avx512 level only.
inline bool useAvx512() { return activeSimd() == SimdLevel::Avx512; }

// AVX-512 BF16 (vdpbf16ps), on top of the avx512 level: whether this CPU and build have it, and
// whether the bfloat16 GEMM uses it now (else its emulated path, which gives the same numbers).
// TENSORGRAD_BF16=emulate or setBf16Instructions(false) turns it off (tests run both paths).
bool detectedAvx512Bf16();
bool setBf16Instructions(bool on);  // false when asked for instructions this CPU lacks
bool bf16Instructions();            // the setting, whatever the SIMD level
inline bool useAvx512Bf16() { return useAvx512() && bf16Instructions(); }

}  // namespace tg
