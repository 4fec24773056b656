// im2col_rows.inc for AVX2: 8 floats a step, vmaskmovps loads and stores. Include nothing but
// declaration-only headers.
#include "../platform.h"
#include "im2col.h"

#if defined(TG_X86) && defined(__AVX2__)
#include <immintrin.h>

namespace tg {
namespace avx2 {
namespace {

constexpr size_t kWidth = 8;
using Vec = __m256;

// Lane l set when from <= l < to.
__m256i lanes(size_t from, size_t to) {
  const __m256i index = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  const __m256i atLeast = _mm256_cmpgt_epi32(index, _mm256_set1_epi32(static_cast<int>(from) - 1));
  const __m256i below = _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(to)), index);
  return _mm256_and_si256(atLeast, below);
}

// vmaskmovps neither reads nor faults on masked-off lanes, so base may point anywhere those
// lanes would fall.
Vec loadLanes(const float* base, size_t from, size_t to) {
  return to > from ? _mm256_maskload_ps(base, lanes(from, to)) : _mm256_setzero_ps();
}
void storeFirst(float* p, Vec v, size_t count) { _mm256_maskstore_ps(p, lanes(0, count), v); }
Vec addVec(Vec a, Vec b) { return _mm256_add_ps(a, b); }

using Mask = __m256i;  // all ones in a lane that is set
using Cols = __m256i;

Cols firstCols(size_t ow) {
  alignas(32) int lane[kWidth];
  for (size_t l = 0; l < kWidth; ++l) lane[l] = static_cast<int>(l % ow);
  return _mm256_load_si256(reinterpret_cast<const __m256i*>(lane));
}
Cols nextCols(Cols c, size_t step, size_t ow) {
  const Cols moved = _mm256_add_epi32(c, _mm256_set1_epi32(static_cast<int>(step)));
  const __m256i wrapped = _mm256_cmpgt_epi32(moved, _mm256_set1_epi32(static_cast<int>(ow) - 1));
  return _mm256_sub_epi32(moved, _mm256_and_si256(wrapped, _mm256_set1_epi32(static_cast<int>(ow))));
}
Mask inRun(Cols c, size_t first, size_t last, size_t count) {
  const __m256i atLeast = _mm256_cmpgt_epi32(c, _mm256_set1_epi32(static_cast<int>(first) - 1));
  const __m256i below = _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(last)), c);
  return _mm256_and_si256(_mm256_and_si256(atLeast, below), lanes(0, count));
}
Vec loadMasked(const float* p, Mask m) { return _mm256_maskload_ps(p, m); }
void storeMasked(float* p, Vec v, Mask m) { _mm256_maskstore_ps(p, m, v); }

}  // namespace
#include "im2col_rows.inc"
}  // namespace avx2
}  // namespace tg

#elif defined(TG_X86)
#error "the avx2 units must be compiled with native/sources.json's avx2_cflags"
#endif
