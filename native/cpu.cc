#include "cpu.h"

#include <atomic>
#include <cstdlib>
#include <cstring>

namespace tg {

namespace {

SimdLevel detect() {
#ifdef TG_X86
  // __builtin_cpu_supports also checks that the OS saves the AVX registers (XGETBV).
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    return SimdLevel::Avx2;
  }
#endif
  return SimdLevel::Portable;
}

SimdLevel initialLevel() {
  const char* forced = std::getenv("TENSORGRAD_SIMD");
  if (forced != nullptr && std::strcmp(forced, "portable") == 0) return SimdLevel::Portable;
  return detectedSimd();
}

std::atomic<int>& active() {
  static std::atomic<int> level{static_cast<int>(initialLevel())};
  return level;
}

}  // namespace

SimdLevel detectedSimd() {
  static const SimdLevel level = detect();
  return level;
}

SimdLevel activeSimd() {
  return static_cast<SimdLevel>(active().load(std::memory_order_relaxed));
}

bool setActiveSimd(SimdLevel level) {
  if (static_cast<int>(level) > static_cast<int>(detectedSimd())) return false;
  active().store(static_cast<int>(level), std::memory_order_relaxed);
  return true;
}

const char* simdName(SimdLevel level) {
  return level == SimdLevel::Avx2 ? "avx2" : "portable";
}

}  // namespace tg
