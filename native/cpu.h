// Which SIMD path the kernels take. Detected once from the CPU; TENSORGRAD_SIMD=portable or
// setSimdLevel() forces the portable path (tests run both paths on a machine that has AVX2).
#pragma once

#include "platform.h"

namespace tg {

enum class SimdLevel { Portable = 0, Avx2 = 1 };

SimdLevel detectedSimd();  // the best level this CPU and this build support
SimdLevel activeSimd();    // the level kernels use now
bool setActiveSimd(SimdLevel level);  // false when the CPU or build cannot run `level`
const char* simdName(SimdLevel level);

inline bool useAvx2() { return activeSimd() == SimdLevel::Avx2; }

}  // namespace tg
