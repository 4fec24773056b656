#include "cpu.h"

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#if defined(TG_X86) && defined(_MSC_VER)
#include <immintrin.h>
#include <intrin.h>
#elif defined(TG_X86)
#include <cpuid.h>
#endif

namespace tg {

namespace {

#ifdef TG_X86
struct CpuidRegisters {
  uint32_t eax, ebx, ecx, edx;
};

CpuidRegisters cpuid(uint32_t leaf, uint32_t subleaf) {
  CpuidRegisters r{0, 0, 0, 0};
#ifdef _MSC_VER
  int out[4];
  __cpuidex(out, static_cast<int>(leaf), static_cast<int>(subleaf));
  r = {static_cast<uint32_t>(out[0]), static_cast<uint32_t>(out[1]),
       static_cast<uint32_t>(out[2]), static_cast<uint32_t>(out[3])};
#else
  __cpuid_count(leaf, subleaf, r.eax, r.ebx, r.ecx, r.edx);
#endif
  return r;
}

// XCR0: which register states the OS saves on a context switch. Only call when CPUID says
// OSXSAVE, or XGETBV faults. Inline assembly, so this unit needs no -mxsave.
uint64_t xcr0() {
#ifdef _MSC_VER
  return _xgetbv(0);
#else
  uint32_t lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (static_cast<uint64_t>(hi) << 32) | lo;
#endif
}

bool bit(uint32_t word, int n) { return (word >> n) & 1u; }
#endif

SimdLevel detect() {
#ifdef TG_X86
  if (cpuid(0, 0).eax < 7) return SimdLevel::Portable;
  const CpuidRegisters one = cpuid(1, 0), seven = cpuid(7, 0);
  // AVX2 and FMA, and the OS saving XMM (bit 1) and YMM (bit 2) state.
  if (!bit(one.ecx, 27) || !bit(one.ecx, 28) || !bit(one.ecx, 12) || !bit(seven.ebx, 5)) {
    return SimdLevel::Portable;  // no OSXSAVE, AVX, FMA or AVX2
  }
  const uint64_t xcr = xcr0();
  if ((xcr & 0x6) != 0x6) return SimdLevel::Portable;
  // AVX-512 F, DQ, BW and VL, and the OS saving the opmask (bit 5) and ZMM (bits 6, 7) state:
  // a kernel without that could lose its upper halves and k registers at any interrupt.
  const bool avx512 = bit(seven.ebx, 16) && bit(seven.ebx, 17) && bit(seven.ebx, 30) &&
                      bit(seven.ebx, 31);
  if (avx512 && (xcr & 0xe6) == 0xe6) return SimdLevel::Avx512;
  return SimdLevel::Avx2;
#else
  return SimdLevel::Portable;
#endif
}

// AVX512_BF16: CPUID leaf 7, subleaf 1, EAX bit 5, on a CPU (and OS) with the avx512 level.
bool detectBf16() {
#ifdef TG_X86
  if (detectedSimd() != SimdLevel::Avx512) return false;
  if (cpuid(7, 0).eax < 1) return false;  // no subleaf 1
  return bit(cpuid(7, 1).eax, 5);
#else
  return false;
#endif
}

std::atomic<bool>& bf16Setting() {
  const char* forced = std::getenv("TENSORGRAD_BF16");
  static std::atomic<bool> on{detectedAvx512Bf16() &&
                              !(forced != nullptr && std::strcmp(forced, "emulate") == 0)};
  return on;
}

// TENSORGRAD_SIMD names a lower level to force; a level this CPU lacks, or another word, does
// nothing.
SimdLevel initialLevel() {
  const SimdLevel best = detectedSimd();
  const char* forced = std::getenv("TENSORGRAD_SIMD");
  if (forced == nullptr) return best;
  if (std::strcmp(forced, "portable") == 0) return SimdLevel::Portable;
  if (std::strcmp(forced, "avx2") == 0 && best >= SimdLevel::Avx2) return SimdLevel::Avx2;
  return best;
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

bool detectedAvx512Bf16() {
  static const bool has = detectBf16();
  return has;
}

bool bf16Instructions() { return bf16Setting().load(std::memory_order_relaxed); }

bool setBf16Instructions(bool on) {
  if (on && !detectedAvx512Bf16()) return false;
  bf16Setting().store(on, std::memory_order_relaxed);
  return true;
}

const char* simdName(SimdLevel level) {
  switch (level) {
    case SimdLevel::Avx512:
      return "avx512";
    case SimdLevel::Avx2:
      return "avx2";
    case SimdLevel::Portable:
      break;
  }
  return "portable";
}

}  // namespace tg
