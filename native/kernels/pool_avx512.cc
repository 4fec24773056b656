// AVX-512 twin of pool.cc's maxRow2x2: 16 windows a step, the two input rows de-interleaved
// into even and odd columns, the tail under a mask. The same comparisons as the scalar code in
// the same order (first largest value, last NaN), so the same values and indices. Include
// nothing but intrinsics and declaration-only headers (see gemm_avx2.cc).
#include "../platform.h"
#include "pool.h"

#if defined(TG_X86) && defined(__AVX512F__)
#include <immintrin.h>

namespace tg {
namespace avx512 {

namespace {

// takeMax for 16 windows at once: where v > best or v is NaN, v and its position win.
inline void takeMax(__m512 v, __m512i position, __m512& best, __m512i& at) {
  const __mmask16 take = _mm512_cmp_ps_mask(v, best, _CMP_GT_OQ) | _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);
  best = _mm512_mask_mov_ps(best, take, v);
  at = _mm512_mask_mov_epi32(at, take, position);
}

// The first `count` (≤ 32) floats at p, zeros past them, as two vectors.
inline void loadPair(const float* p, size_t count, __m512& lo, __m512& hi) {
  const size_t first = count < 16 ? count : 16, second = count - first;
  lo = _mm512_maskz_loadu_ps(static_cast<__mmask16>((1u << first) - 1u), p);
  hi = _mm512_maskz_loadu_ps(static_cast<__mmask16>((1u << second) - 1u), p + 16);
}

}  // namespace

void maxRow2x2(const float* r0, size_t w, size_t base, size_t count, float* y, int32_t* indices) {
  const float* r1 = r0 + w;
  const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  const __m512i odd = _mm512_add_epi32(even, _mm512_set1_epi32(1));
  const __m512i below = _mm512_set1_epi32(static_cast<int32_t>(w));
  for (size_t ox = 0; ox < count; ox += 16) {
    const size_t n = count - ox < 16 ? count - ox : 16;
    const __mmask16 mask = static_cast<__mmask16>((1u << n) - 1u);
    __m512 lo, hi;
    loadPair(r0 + 2 * ox, 2 * n, lo, hi);
    const __m512 topLeft = _mm512_permutex2var_ps(lo, even, hi), topRight = _mm512_permutex2var_ps(lo, odd, hi);
    loadPair(r1 + 2 * ox, 2 * n, lo, hi);
    const __m512 bottomLeft = _mm512_permutex2var_ps(lo, even, hi), bottomRight = _mm512_permutex2var_ps(lo, odd, hi);
    // Positions in the plane: base + 2·(ox + lane), then +1, +w, +w + 1.
    const __m512i left = _mm512_add_epi32(_mm512_set1_epi32(static_cast<int32_t>(base + 2 * ox)), even);
    __m512 best = topLeft;
    __m512i at = left;
    takeMax(topRight, _mm512_add_epi32(left, _mm512_set1_epi32(1)), best, at);
    takeMax(bottomLeft, _mm512_add_epi32(left, below), best, at);
    takeMax(bottomRight, _mm512_add_epi32(_mm512_add_epi32(left, below), _mm512_set1_epi32(1)), best, at);
    _mm512_mask_storeu_ps(y + ox, mask, best);
    _mm512_mask_storeu_epi32(indices + ox, mask, at);
  }
}

}  // namespace avx512
}  // namespace tg

#elif defined(TG_X86)
#error "the AVX-512 units must be compiled with native/sources.json's avx512_cflags"
#endif
