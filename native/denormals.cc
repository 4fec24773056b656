// The process-wide flush setting and the MXCSR scope behind denormals.h.
#include "denormals.h"

#include <atomic>

#include "platform.h"
#ifdef TG_X86
#include <xmmintrin.h>  // _mm_getcsr, _mm_setcsr (SSE, every x86-64)
#endif

namespace tg {

namespace {

std::atomic<bool> flushing{false};

#ifdef TG_X86
constexpr unsigned kFlushToZero = 0x8000;      // FTZ: subnormal results become 0
constexpr unsigned kDenormalsAreZero = 0x0040;  // DAZ: subnormal inputs read as 0
#endif

}  // namespace

bool flushDenormals() { return flushing.load(std::memory_order_relaxed); }

void setFlushDenormals(bool on) { flushing.store(on, std::memory_order_relaxed); }

DenormalScope::DenormalScope(bool on) : saved_(0), set_(false) {
#ifdef TG_X86
  if (!on) return;
  saved_ = _mm_getcsr();
  const unsigned wanted = saved_ | kFlushToZero | kDenormalsAreZero;
  if (wanted != saved_) {
    _mm_setcsr(wanted);
    set_ = true;
  }
#else
  (void)on;
#endif
}

DenormalScope::~DenormalScope() {
#ifdef TG_X86
  if (set_) _mm_setcsr(saved_);
#endif
}

}  // namespace tg
