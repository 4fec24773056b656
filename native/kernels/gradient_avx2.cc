// AVX2/FMA variants of gradient.cc. The sum of squares keeps four double lanes in two
// accumulators, so it may differ from the in-order sum in the last bits (the contract allows
// (n + 2)·2^−53 relative); scaling and clamping give the portable results bit for bit. Include
// nothing but intrinsics and declaration-only headers (see gemm_avx2.cc).
#include "gradient.h"

#if defined(TG_X86) && defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>

namespace tg {
namespace avx2 {

double sumOfSquares(const float* x, size_t n, double start) {
  __m256d a = _mm256_setzero_pd(), b = _mm256_setzero_pd();
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    const __m256d lo = _mm256_cvtps_pd(_mm256_castps256_ps128(v));
    const __m256d hi = _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1));
    a = _mm256_fmadd_pd(lo, lo, a);  // exact products: a float's square fits in a double
    b = _mm256_fmadd_pd(hi, hi, b);
  }
  alignas(32) double lanes[4];
  _mm256_store_pd(lanes, _mm256_add_pd(a, b));
  double sum = start + ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3]));
  for (; i < n; ++i) sum += static_cast<double>(x[i]) * x[i];
  return sum;
}

void scale(float* x, size_t n, float s) {
  const __m256 k = _mm256_set1_ps(s);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(x + i, _mm256_mul_ps(_mm256_loadu_ps(x + i), k));
  for (; i < n; ++i) x[i] *= s;
}

void clampAbs(float* x, size_t n, float c) {
  const __m256 high = _mm256_set1_ps(c), low = _mm256_set1_ps(-c);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    // Blends rather than min/max, so NaN stays NaN.
    __m256 r = _mm256_blendv_ps(v, high, _mm256_cmp_ps(v, high, _CMP_GT_OQ));
    r = _mm256_blendv_ps(r, low, _mm256_cmp_ps(v, low, _CMP_LT_OQ));
    _mm256_storeu_ps(x + i, r);
  }
  for (; i < n; ++i) {
    const float v = x[i];
    x[i] = v > c ? c : (v < -c ? -c : v);
  }
}

size_t firstNonFinite(const float* x, size_t n) {
  const __m256 infinity = _mm256_set1_ps(__builtin_inff());
  const __m256 sign = _mm256_set1_ps(-0.0f);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 magnitude = _mm256_andnot_ps(sign, _mm256_loadu_ps(x + i));
    // "not less than Inf, unordered": true for ±Inf and NaN.
    const int mask = _mm256_movemask_ps(_mm256_cmp_ps(magnitude, infinity, _CMP_NLT_UQ));
    if (mask != 0) return i + static_cast<size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
  }
  for (; i < n; ++i) {
    if (!(x[i] - x[i] == 0.0f)) return i;  // NaN for NaN and ±Inf
  }
  return n;
}

}  // namespace avx2
}  // namespace tg

#elif defined(TG_X86)
#error "the AVX2 units must be compiled with -mavx2 -mfma (native/sources.json: avx2_cflags)"
#endif
