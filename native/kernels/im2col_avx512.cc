// im2col_rows.inc for AVX-512: 16 floats a step, masked loads and stores. Include nothing but
// declaration-only headers.
#include "../platform.h"
#include "im2col.h"

#if defined(TG_X86) && defined(__AVX512F__)
#include <immintrin.h>

namespace tg {
namespace avx512 {
namespace {

constexpr size_t kWidth = 16;
using Vec = __m512;

__mmask16 lanes(size_t from, size_t to) {
  return static_cast<__mmask16>((0xFFFFu >> (kWidth - to)) & ~((1u << from) - 1u) & (to > from ? 0xFFFFu : 0u));
}

// Masked-off lanes are not read (AVX-512 suppresses their faults), so base may point anywhere
// those lanes would fall.
Vec loadLanes(const float* base, size_t from, size_t to) {
  return to > from ? _mm512_maskz_loadu_ps(lanes(from, to), base) : _mm512_setzero_ps();
}
void storeFirst(float* p, Vec v, size_t count) { _mm512_mask_storeu_ps(p, lanes(0, count), v); }
Vec addVec(Vec a, Vec b) { return _mm512_add_ps(a, b); }

}  // namespace
#include "im2col_rows.inc"
}  // namespace avx512
}  // namespace tg

#elif defined(TG_X86)
#error "the avx512 units must be compiled with native/sources.json's avx512_cflags"
#endif
