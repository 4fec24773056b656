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

using Mask = __mmask16;
using Cols = __m512i;

Cols firstCols(size_t ow) {
  alignas(64) int lane[kWidth];
  for (size_t l = 0; l < kWidth; ++l) lane[l] = static_cast<int>(l % ow);
  return _mm512_load_si512(lane);
}
Cols nextCols(Cols c, size_t step, size_t ow) {
  const Cols moved = _mm512_add_epi32(c, _mm512_set1_epi32(static_cast<int>(step)));
  const __mmask16 wrapped = _mm512_cmpge_epi32_mask(moved, _mm512_set1_epi32(static_cast<int>(ow)));
  return _mm512_mask_sub_epi32(moved, wrapped, moved, _mm512_set1_epi32(static_cast<int>(ow)));
}
Mask inRun(Cols c, size_t first, size_t last, size_t count) {
  return _mm512_cmpge_epi32_mask(c, _mm512_set1_epi32(static_cast<int>(first))) &
         _mm512_cmplt_epi32_mask(c, _mm512_set1_epi32(static_cast<int>(last))) & lanes(0, count);
}
Vec loadMasked(const float* p, Mask m) { return _mm512_maskz_loadu_ps(m, p); }
void storeMasked(float* p, Vec v, Mask m) { _mm512_mask_storeu_ps(p, m, v); }

}  // namespace
#include "im2col_rows.inc"
}  // namespace avx512
}  // namespace tg

#elif defined(TG_X86)
#error "the avx512 units must be compiled with native/sources.json's avx512_cflags"
#endif
