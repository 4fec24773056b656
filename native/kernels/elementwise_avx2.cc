// AVX2 variants of elementwise.cc, 8 floats a step with a scalar tail. Same results bit for bit
// as the portable loops. Include nothing but intrinsics and declaration-only headers (see gemm_avx2.cc).
#include "elementwise.h"

#if defined(TG_X86) && defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>

namespace tg {
namespace avx2 {

void add(const float* a, const float* b, float* out, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    _mm256_storeu_ps(out + i, _mm256_add_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i)));
  }
  for (; i < n; ++i) out[i] = a[i] + b[i];
}

void mul(const float* a, const float* b, float* out, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    _mm256_storeu_ps(out + i, _mm256_mul_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i)));
  }
  for (; i < n; ++i) out[i] = a[i] * b[i];
}

void relu(const float* x, float* out, size_t n) {
  const __m256 zero = _mm256_setzero_ps();
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    // "not less-or-equal, unordered": true for x > 0 and for NaN, which passes through.
    const __m256 keep = _mm256_cmp_ps(v, zero, _CMP_NLE_UQ);
    _mm256_storeu_ps(out + i, _mm256_and_ps(v, keep));
  }
  for (; i < n; ++i) out[i] = (x[i] > 0.0f || x[i] != x[i]) ? x[i] : 0.0f;
}

void reluBackward(const float* x, const float* dy, float* dx, size_t n) {
  const __m256 zero = _mm256_setzero_ps();
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 positive = _mm256_cmp_ps(_mm256_loadu_ps(x + i), zero, _CMP_GT_OQ);
    _mm256_storeu_ps(dx + i, _mm256_and_ps(_mm256_loadu_ps(dy + i), positive));
  }
  for (; i < n; ++i) dx[i] = x[i] > 0.0f ? dy[i] : 0.0f;
}

}  // namespace avx2
}  // namespace tg

#elif defined(TG_X86)
#error "the AVX2 units must be compiled with -mavx2 -mfma (native/sources.json: avx2_cflags)"
#endif
