// The AVX2/FMA variant of gemm.cc's accumulate loop: 8 columns of C per FMA, or 8-wide dot
// products when B is transposed. AVX2 units include nothing but intrinsics and declaration-only
// headers: an inline function or template instantiated here could be the copy the linker keeps
// for the whole addon, and then run on a CPU without AVX2.
#include "gemm.h"

#if defined(TG_X86) && defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>

namespace tg {
namespace avx2 {

namespace {

float horizontalSum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
  return _mm_cvtss_f32(s);
}

}  // namespace

void gemmAccumulate(bool transA, bool transB, size_t m, size_t n, size_t k, float alpha,
                    const float* a, const float* b, float* c) {
  for (size_t i = 0; i < m; ++i) {
    float* crow = c + i * n;
    if (!transB) {
      for (size_t p = 0; p < k; ++p) {
        const float aip = alpha * (transA ? a[p * m + i] : a[i * k + p]);
        const __m256 va = _mm256_set1_ps(aip);
        const float* brow = b + p * n;
        size_t j = 0;
        for (; j + 8 <= n; j += 8) {
          __m256 vc = _mm256_loadu_ps(crow + j);
          vc = _mm256_fmadd_ps(va, _mm256_loadu_ps(brow + j), vc);
          _mm256_storeu_ps(crow + j, vc);
        }
        for (; j < n; ++j) crow[j] += aip * brow[j];
      }
    } else if (!transA) {
      const float* arow = a + i * k;
      for (size_t j = 0; j < n; ++j) {
        const float* bcol = b + j * k;
        __m256 acc = _mm256_setzero_ps();
        size_t p = 0;
        for (; p + 8 <= k; p += 8) {
          acc = _mm256_fmadd_ps(_mm256_loadu_ps(arow + p), _mm256_loadu_ps(bcol + p), acc);
        }
        float sum = horizontalSum(acc);
        for (; p < k; ++p) sum += arow[p] * bcol[p];
        crow[j] += alpha * sum;
      }
    } else {
      // Both transposed (no training pass uses it): scalar dot products over A's strided column.
      for (size_t j = 0; j < n; ++j) {
        const float* bcol = b + j * k;
        float sum = 0.0f;
        for (size_t p = 0; p < k; ++p) sum += a[p * m + i] * bcol[p];
        crow[j] += alpha * sum;
      }
    }
  }
}

}  // namespace avx2

}  // namespace tg

#elif defined(TG_X86)
#error "the AVX2 units must be compiled with -mavx2 -mfma (native/sources.json: avx2_cflags)"
#endif
