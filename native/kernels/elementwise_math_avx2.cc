// AVX2/FMA variants of elementwise_math.cc: the same algorithms 8 lanes at a time, with the
// special cases (NaN, ±Inf, overflow and underflow thresholds) as blends instead of branches.
// FMA in the polynomials makes the results differ from the portable path by an ulp at most;
// both stay within the contract's bounds. Include nothing but intrinsics and declaration-only
// headers (see gemm_avx2.cc); every helper is in an anonymous namespace.
#include "elementwise.h"
#include "elementwise_constants.h"

#if defined(TG_X86) && defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>

namespace tg {
namespace avx2 {

namespace {

using namespace math;

__m256 set(float v) { return _mm256_set1_ps(v); }
__m256 isNaN(__m256 x) { return _mm256_cmp_ps(x, x, _CMP_UNORD_Q); }
__m256 absolute(__m256 x) { return _mm256_andnot_ps(set(-0.0f), x); }

// NaN lanes of x replace the result's (quieted, as scalar arithmetic would).
__m256 keepNaN(__m256 result, __m256 x) {
  return _mm256_blendv_ps(result, _mm256_add_ps(x, x), isNaN(x));
}

// exp(r) − 1 = r + r²·P(r) for |r| ≤ ln2/2.
__m256 expm1Reduced(__m256 r) {
  __m256 p = set(kExpP4);
  p = _mm256_fmadd_ps(p, r, set(kExpP3));
  p = _mm256_fmadd_ps(p, r, set(kExpP2));
  p = _mm256_fmadd_ps(p, r, set(kExpP1));
  p = _mm256_fmadd_ps(p, r, set(kExpP0));
  return _mm256_fmadd_ps(_mm256_mul_ps(r, r), p, r);
}

// The reduction x = n·ln2 + r, for x already clamped to [kExpUnderflow, kExpOverflow].
__m256 reduce(__m256 x, __m256* n) {
  *n = _mm256_round_ps(_mm256_mul_ps(x, set(kLog2e)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  const __m256 r = _mm256_sub_ps(x, _mm256_mul_ps(*n, set(kLn2Hi)));  // exact
  return _mm256_sub_ps(r, _mm256_mul_ps(*n, set(kLn2Lo)));
}

// 2^k for integer lanes −126 ≤ k ≤ 127.
__m256 pow2(__m256i k) {
  return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(k, _mm256_set1_epi32(127)), 23));
}

__m256 expV(__m256 x) {
  const __m256 clamped = _mm256_min_ps(_mm256_max_ps(x, set(kExpUnderflow)), set(kExpOverflow));
  __m256 n;
  const __m256 r = reduce(clamped, &n);
  const __m256 p = _mm256_add_ps(set(1.0f), expm1Reduced(r));
  const __m256i k = _mm256_cvtps_epi32(n);
  // Two halves, each a normal power: denormal results round once, n = 128 does not overflow.
  const __m256i half = _mm256_srai_epi32(k, 1);
  __m256 y = _mm256_mul_ps(_mm256_mul_ps(p, pow2(half)), pow2(_mm256_sub_epi32(k, half)));
  y = _mm256_blendv_ps(y, set(__builtin_inff()), _mm256_cmp_ps(x, set(kExpOverflow), _CMP_GT_OQ));
  y = _mm256_blendv_ps(y, _mm256_setzero_ps(), _mm256_cmp_ps(x, set(kExpUnderflow), _CMP_LT_OQ));
  return keepNaN(y, x);
}

// exp(x) − 1: the reduced polynomial where n = 0 (|x| < ln2/2, r = x exactly), else exp − 1.
__m256 expm1V(__m256 x) {
  const __m256 near0 = _mm256_cmp_ps(
      _mm256_round_ps(_mm256_mul_ps(x, set(kLog2e)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC),
      _mm256_setzero_ps(), _CMP_EQ_OQ);
  const __m256 far = _mm256_sub_ps(expV(x), set(1.0f));
  return keepNaN(_mm256_blendv_ps(far, expm1Reduced(x), near0), x);
}

__m256 logV(__m256 x) {
  __m256i bits = _mm256_castps_si256(x);
  // Denormals (and zero, handled below) are scaled by 2^23 to become normal.
  const __m256i denormal = _mm256_cmpgt_epi32(_mm256_set1_epi32(0x00800000), bits);
  const __m256i scaled = _mm256_castps_si256(_mm256_mul_ps(x, set(8388608.0f)));
  bits = _mm256_blendv_epi8(bits, scaled, denormal);
  __m256i e = _mm256_sub_epi32(_mm256_srli_epi32(bits, 23), _mm256_set1_epi32(127));
  e = _mm256_sub_epi32(e, _mm256_and_si256(denormal, _mm256_set1_epi32(23)));
  __m256 m = _mm256_castsi256_ps(_mm256_or_si256(_mm256_and_si256(bits, _mm256_set1_epi32(0x007fffff)),
                                                 _mm256_set1_epi32(0x3f800000)));
  const __m256 big = _mm256_cmp_ps(m, set(kSqrt2), _CMP_GT_OQ);
  m = _mm256_blendv_ps(m, _mm256_mul_ps(m, set(0.5f)), big);
  e = _mm256_sub_epi32(e, _mm256_castps_si256(big));  // the mask is −1 where m was halved
  const __m256 f = _mm256_sub_ps(m, set(1.0f));  // exact
  const __m256 f2 = _mm256_mul_ps(f, f);
  __m256 q = set(kLogQ7);
  q = _mm256_fmadd_ps(q, f, set(kLogQ6));
  q = _mm256_fmadd_ps(q, f, set(kLogQ5));
  q = _mm256_fmadd_ps(q, f, set(kLogQ4));
  q = _mm256_fmadd_ps(q, f, set(kLogQ3));
  q = _mm256_fmadd_ps(q, f, set(kLogQ2));
  q = _mm256_fmadd_ps(q, f, set(kLogQ1));
  q = _mm256_fmadd_ps(q, f, set(kLogQ0));
  const __m256 y = _mm256_fmsub_ps(_mm256_mul_ps(f, f2), q, _mm256_mul_ps(set(0.5f), f2));
  const __m256 fe = _mm256_cvtepi32_ps(e);
  __m256 result = _mm256_add_ps(f, _mm256_fmadd_ps(fe, set(kLn2Lo), y));
  result = _mm256_fmadd_ps(fe, set(kLn2Hi), result);
  const __m256 zero = _mm256_setzero_ps();
  result = _mm256_blendv_ps(result, set(__builtin_inff()), _mm256_cmp_ps(x, set(__builtin_inff()), _CMP_EQ_OQ));
  result = _mm256_blendv_ps(result, set(-__builtin_inff()), _mm256_cmp_ps(x, zero, _CMP_EQ_OQ));
  result = _mm256_blendv_ps(result, set(__builtin_nanf("")), _mm256_cmp_ps(x, zero, _CMP_LT_OQ));
  return keepNaN(result, x);
}

// log1p(u) for u ≥ 0: log(1 + u)·u/((1 + u) − 1), or u where 1 + u rounds to 1.
__m256 log1pV(__m256 u) {
  const __m256 one = set(1.0f);
  const __m256 w = _mm256_add_ps(one, u);
  const __m256 corrected = _mm256_mul_ps(logV(w), _mm256_div_ps(u, _mm256_sub_ps(w, one)));
  return _mm256_blendv_ps(corrected, u, _mm256_cmp_ps(w, one, _CMP_EQ_OQ));
}

__m256 tanhV(__m256 x) {
  const __m256 a = absolute(x);
  const __m256 a2 = _mm256_mul_ps(a, a);
  __m256 r = set(kTanhR4);
  r = _mm256_fmadd_ps(r, a2, set(kTanhR3));
  r = _mm256_fmadd_ps(r, a2, set(kTanhR2));
  r = _mm256_fmadd_ps(r, a2, set(kTanhR1));
  r = _mm256_fmadd_ps(r, a2, set(kTanhR0));
  const __m256 small = _mm256_fmadd_ps(a, _mm256_mul_ps(a2, r), a);
  const __m256 e = expV(_mm256_add_ps(_mm256_min_ps(a, set(kTanhOne)), _mm256_min_ps(a, set(kTanhOne))));
  const __m256 large = _mm256_sub_ps(set(1.0f), _mm256_div_ps(set(2.0f), _mm256_add_ps(e, set(1.0f))));
  const __m256 t = _mm256_blendv_ps(large, small, _mm256_cmp_ps(a, set(kTanhSmall), _CMP_LT_OQ));
  const __m256 signedT = _mm256_or_ps(t, _mm256_and_ps(x, set(-0.0f)));
  return keepNaN(signedT, x);
}

// numerator/(1 + e) with e = e^−|x|: 1/(1 + e) for x ≥ 0, e/(1 + e) below. The quotient is
// corrected for the rounding of 1 + e and of the division (FMA residual), so that only exp's
// error and one final rounding remain.
__m256 sigmoidV(__m256 x) {
  const __m256 one = set(1.0f);
  const __m256 e = expV(_mm256_sub_ps(_mm256_setzero_ps(), absolute(x)));
  const __m256 d = _mm256_add_ps(one, e);
  const __m256 dLow = _mm256_sub_ps(e, _mm256_sub_ps(d, one));  // 1 + e = d + dLow exactly
  const __m256 numerator = _mm256_blendv_ps(e, one, _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_GE_OQ));
  const __m256 q = _mm256_div_ps(numerator, d);
  // numerator − q·(d + dLow): the first product's residual is exact with FMA.
  const __m256 residual = _mm256_fnmadd_ps(q, dLow, _mm256_fnmadd_ps(q, d, numerator));
  return keepNaN(_mm256_add_ps(q, _mm256_div_ps(residual, d)), x);
}

__m256 softplusV(__m256 x, __m256 beta, __m256 threshold) {
  const __m256 z = _mm256_mul_ps(x, beta);
  const __m256 positive = _mm256_max_ps(z, _mm256_setzero_ps());
  const __m256 tail = log1pV(expV(_mm256_sub_ps(_mm256_setzero_ps(), absolute(z))));
  const __m256 y = _mm256_div_ps(_mm256_add_ps(positive, tail), beta);
  return keepNaN(_mm256_blendv_ps(y, x, _mm256_cmp_ps(z, threshold, _CMP_GT_OQ)), x);
}

// Applies f to every 8 lanes and to the tail through a zero-padded vector.
template <typename F>
void unary(const float* x, float* out, size_t n, F f) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(out + i, f(_mm256_loadu_ps(x + i), i));
  if (i < n) {
    alignas(32) float in[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    alignas(32) float result[8];
    for (size_t j = i; j < n; ++j) in[j - i] = x[j];
    _mm256_store_ps(result, f(_mm256_load_ps(in), i));
    for (size_t j = i; j < n; ++j) out[j] = result[j - i];
  }
}

// dy at lanes i…i+7 (zero-padded past n).
__m256 loadPadded(const float* p, size_t i, size_t n) {
  if (i + 8 <= n) return _mm256_loadu_ps(p + i);
  alignas(32) float in[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  for (size_t j = i; j < n; ++j) in[j - i] = p[j];
  return _mm256_load_ps(in);
}

}  // namespace

void exp(const float* x, float* out, size_t n) {
  unary(x, out, n, [](__m256 v, size_t) { return expV(v); });
}

void log(const float* x, float* out, size_t n) {
  unary(x, out, n, [](__m256 v, size_t) { return logV(v); });
}

void tanh(const float* x, float* out, size_t n) {
  unary(x, out, n, [](__m256 v, size_t) { return tanhV(v); });
}

void sigmoid(const float* x, float* out, size_t n) {
  unary(x, out, n, [](__m256 v, size_t) { return sigmoidV(v); });
}

void elu(const float* x, float alpha, float* out, size_t n) {
  const __m256 va = set(alpha);
  unary(x, out, n, [va](__m256 v, size_t) {
    const __m256 negative = _mm256_mul_ps(va, expm1V(v));
    return _mm256_blendv_ps(negative, v, _mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_GT_OQ));
  });
}

void eluBackward(const float* x, const float* dy, float alpha, float* dx, size_t n) {
  const __m256 va = set(alpha);
  // dy is loaded before dx is stored, so dx may be dy.
  unary(x, dx, n, [va, dy, n](__m256 v, size_t i) {
    const __m256 g = loadPadded(dy, i, n);
    const __m256 negative = _mm256_mul_ps(g, _mm256_mul_ps(va, expV(v)));
    return _mm256_blendv_ps(negative, g, _mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_GT_OQ));
  });
}

void softplus(const float* x, float beta, float threshold, float* out, size_t n) {
  const __m256 vb = set(beta), vt = set(threshold);
  unary(x, out, n, [vb, vt](__m256 v, size_t) { return softplusV(v, vb, vt); });
}

void softplusBackward(const float* x, const float* dy, float beta, float threshold, float* dx,
                      size_t n) {
  const __m256 vb = set(beta), vt = set(threshold);
  unary(x, dx, n, [vb, vt, dy, n](__m256 v, size_t i) {
    const __m256 g = loadPadded(dy, i, n);
    const __m256 z = _mm256_mul_ps(v, vb);
    const __m256 scaled = _mm256_mul_ps(g, sigmoidV(z));
    return _mm256_blendv_ps(scaled, g, _mm256_cmp_ps(z, vt, _CMP_GT_OQ));
  });
}

}  // namespace avx2
}  // namespace tg

#elif defined(TG_X86)
#error "the AVX2 units must be compiled with -mavx2 -mfma (native/sources.json: avx2_cflags)"
#endif
