// AVX2/FMA variants of optim.cc's loops, 8 floats a step; the tail goes to the portable loop.
// The same formulas in the same order, with fused multiply-adds. Include nothing but intrinsics
// and declaration-only headers (see gemm_avx2.cc).
#include "optim.h"

#if defined(TG_X86) && defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>

namespace tg {
namespace avx2 {

namespace {

// An optional state from element i on (null stays null).
float* at(float* p, size_t i) { return p ? p + i : nullptr; }

__m256 absolute(__m256 v) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), v); }

// β·a + (1 − β)·x as a + (1 − β)·(x − a), the product form at infinite a (see optim.cc).
__m256 average(__m256 a, __m256 x, __m256 oneMinusBeta) {
  const __m256 lerp = _mm256_fmadd_ps(oneMinusBeta, _mm256_sub_ps(x, a), a);
  const __m256 beta = _mm256_sub_ps(_mm256_set1_ps(1.0f), oneMinusBeta);
  const __m256 product = _mm256_add_ps(_mm256_mul_ps(beta, a), _mm256_mul_ps(oneMinusBeta, x));
  const __m256 infinite = _mm256_cmp_ps(absolute(a), _mm256_set1_ps(__builtin_inff()), _CMP_EQ_OQ);
  return _mm256_blendv_ps(lerp, product, infinite);
}

// max propagating NaN from either side (vmaxps alone returns the second operand on NaN).
__m256 maxNaN(__m256 a, __m256 b) {
  const __m256 unordered = _mm256_cmp_ps(a, b, _CMP_UNORD_Q);
  return _mm256_blendv_ps(_mm256_max_ps(a, b), _mm256_add_ps(a, b), unordered);
}

// (hi + lo)·x + y with the split coefficient; at an infinite x, hi·x + y (see optim.cc).
__m256 scaleAdd(Split k, __m256 x, __m256 y) {
  const __m256 hi = _mm256_set1_ps(k.hi);
  const __m256 precise = _mm256_fmadd_ps(hi, x, _mm256_fmadd_ps(_mm256_set1_ps(k.lo), x, y));
  const __m256 infinite = _mm256_cmp_ps(absolute(x), _mm256_set1_ps(__builtin_inff()), _CMP_EQ_OQ);
  return _mm256_blendv_ps(precise, _mm256_fmadd_ps(hi, x, y), infinite);
}

// Whether a lane of a or b is ±Inf.
bool anyInfinite(__m256 a, __m256 b) {
  const __m256 inf = _mm256_set1_ps(__builtin_inff());
  const __m256 either = _mm256_or_ps(_mm256_cmp_ps(absolute(a), inf, _CMP_EQ_OQ),
                                     _mm256_cmp_ps(absolute(b), inf, _CMP_EQ_OQ));
  return !_mm256_testz_ps(either, either);
}

__m256 load(const float* p) { return _mm256_loadu_ps(p); }
void store(float* p, __m256 v) { _mm256_storeu_ps(p, v); }
__m256 splat(float v) { return _mm256_set1_ps(v); }

}  // namespace

void sgd(float* p, const float* g, float* buf, size_t n, const SgdCoefficients& c) {
  const __m256 gradScale = splat(c.gradScale), weightDecay = splat(c.weightDecay), zero = splat(0.0f);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 w = load(p + i);
    __m256 d = _mm256_fmadd_ps(weightDecay, w, load(g + i));
    if (c.useMomentum) {
      const __m256 b = c.first ? d : scaleAdd(c.momentum, load(buf + i), _mm256_mul_ps(gradScale, d));
      store(buf + i, b);
      d = c.nesterov ? scaleAdd(c.momentum, b, d) : b;
    }
    store(p + i, _mm256_sub_ps(w, scaleAdd(c.lr, d, zero)));
  }
  portable::sgd(p + i, g + i, at(buf, i), n - i, c);
}

void adagrad(float* p, const float* g, float* sum, size_t n, const AdagradCoefficients& c) {
  const __m256 weightDecay = splat(c.weightDecay), eps = splat(c.eps), zero = splat(0.0f);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 w = load(p + i);
    const __m256 d = _mm256_fmadd_ps(weightDecay, w, load(g + i));
    const __m256 s = _mm256_fmadd_ps(d, d, load(sum + i));
    store(sum + i, s);
    const __m256 denom = _mm256_add_ps(_mm256_sqrt_ps(s), eps);
    store(p + i, _mm256_sub_ps(w, scaleAdd(c.clr, _mm256_div_ps(d, denom), zero)));
  }
  portable::adagrad(p + i, g + i, sum + i, n - i, c);
}

void rmsprop(float* p, const float* g, float* v, float* gAvg, float* buf, size_t n,
             const RmspropCoefficients& c) {
  const __m256 oneMinusAlpha = splat(c.oneMinusAlpha), eps = splat(c.eps),
               weightDecay = splat(c.weightDecay), zero = splat(0.0f);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 w = load(p + i);
    const __m256 d = _mm256_fmadd_ps(weightDecay, w, load(g + i));
    const __m256 sq = average(load(v + i), _mm256_mul_ps(d, d), oneMinusAlpha);
    store(v + i, sq);
    __m256 denom;
    if (c.centered) {
      const __m256 a = average(load(gAvg + i), d, oneMinusAlpha);
      store(gAvg + i, a);
      denom = _mm256_add_ps(_mm256_sqrt_ps(_mm256_fnmadd_ps(a, a, sq)), eps);
    } else {
      denom = _mm256_add_ps(_mm256_sqrt_ps(sq), eps);
    }
    __m256 step = _mm256_div_ps(d, denom);
    if (c.useMomentum) {
      step = scaleAdd(c.momentum, load(buf + i), step);
      store(buf + i, step);
    }
    store(p + i, _mm256_sub_ps(w, scaleAdd(c.lr, step, zero)));
  }
  portable::rmsprop(p + i, g + i, v + i, at(gAvg, i), at(buf, i), n - i, c);
}

void adadelta(float* p, const float* g, float* v, float* u, size_t n, const AdadeltaCoefficients& c) {
  const __m256 oneMinusRho = splat(c.oneMinusRho), eps = splat(c.eps),
               weightDecay = splat(c.weightDecay), zero = splat(0.0f);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 w = load(p + i);
    const __m256 d = _mm256_fmadd_ps(weightDecay, w, load(g + i));
    const __m256 sq = average(load(v + i), _mm256_mul_ps(d, d), oneMinusRho);
    store(v + i, sq);
    const __m256 ui = load(u + i);
    const __m256 ratio = _mm256_div_ps(_mm256_sqrt_ps(_mm256_add_ps(ui, eps)),
                                       _mm256_sqrt_ps(_mm256_add_ps(sq, eps)));
    const __m256 delta = _mm256_mul_ps(ratio, d);
    store(u + i, average(ui, _mm256_mul_ps(delta, delta), oneMinusRho));
    store(p + i, _mm256_sub_ps(w, scaleAdd(c.lr, delta, zero)));
  }
  portable::adadelta(p + i, g + i, v + i, u + i, n - i, c);
}

void adam(float* p, const float* g, float* m, float* v, float* vMax, size_t n, const AdamCoefficients& c) {
  const __m256 oneMinusBeta1 = splat(c.oneMinusBeta1),
               oneMinusBeta2 = splat(c.oneMinusBeta2), invSqrtBc2 = splat(c.invSqrtBc2),
               eps = splat(c.eps), weightDecay = splat(c.weightDecay),
               lrWeightDecay = splat(c.lrWeightDecay);
  const __m256 stepHi = splat(c.stepSize.hi), stepLo = splat(c.stepSize.lo);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 pi = load(p + i);
    const __m256 decay = _mm256_mul_ps(lrWeightDecay, pi);
    const __m256 d = _mm256_fmadd_ps(weightDecay, pi, load(g + i));
    const __m256 m0 = load(m + i), v0 = load(v + i), d2 = _mm256_mul_ps(d, d);
    // average() and scaleAdd() without their infinite-input forms unless a lane needs them: the
    // blends cost a third of the loop, which is bound by arithmetic, not memory. Same bits.
    __m256 mi = _mm256_fmadd_ps(oneMinusBeta1, _mm256_sub_ps(d, m0), m0);
    __m256 vi = _mm256_fmadd_ps(oneMinusBeta2, _mm256_sub_ps(d2, v0), v0);
    if (anyInfinite(m0, v0)) {
      mi = average(m0, d, oneMinusBeta1);
      vi = average(v0, d2, oneMinusBeta2);
    }
    store(m + i, mi);
    store(v + i, vi);
    if (c.amsgrad) {
      vi = maxNaN(load(vMax + i), vi);
      store(vMax + i, vi);
    }
    const __m256 denom = _mm256_fmadd_ps(_mm256_sqrt_ps(vi), invSqrtBc2, eps);
    const __m256 x = _mm256_div_ps(mi, denom);
    __m256 step = _mm256_fmadd_ps(stepHi, x, _mm256_fmadd_ps(stepLo, x, decay));
    if (anyInfinite(x, x)) step = scaleAdd(c.stepSize, x, decay);
    store(p + i, _mm256_sub_ps(pi, step));
  }
  portable::adam(p + i, g + i, m + i, v + i, at(vMax, i), n - i, c);
}

void adamax(float* p, const float* g, float* m, float* u, size_t n, const AdamaxCoefficients& c) {
  const __m256 oneMinusBeta1 = splat(c.oneMinusBeta1), eps = splat(c.eps),
               weightDecay = splat(c.weightDecay), zero = splat(0.0f);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 w = load(p + i);
    const __m256 d = _mm256_fmadd_ps(weightDecay, w, load(g + i));
    const __m256 mi = average(load(m + i), d, oneMinusBeta1);
    const __m256 ui = maxNaN(scaleAdd(c.beta2, load(u + i), zero), _mm256_add_ps(absolute(d), eps));
    store(m + i, mi);
    store(u + i, ui);
    store(p + i, _mm256_sub_ps(w, scaleAdd(c.clr, _mm256_div_ps(mi, ui), zero)));
  }
  portable::adamax(p + i, g + i, m + i, u + i, n - i, c);
}

void nadam(float* p, const float* g, float* m, float* v, size_t n, const NadamCoefficients& c) {
  const __m256 zero = splat(0.0f),
               oneMinusBeta1 = splat(c.oneMinusBeta1), oneMinusBeta2 = splat(c.oneMinusBeta2),
               invSqrtBc2 = splat(c.invSqrtBc2), eps = splat(c.eps), weightDecay = splat(c.weightDecay);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 w = load(p + i);
    const __m256 d = _mm256_fmadd_ps(weightDecay, w, load(g + i));
    const __m256 mi = average(load(m + i), d, oneMinusBeta1);
    const __m256 vi = average(load(v + i), _mm256_mul_ps(d, d), oneMinusBeta2);
    store(m + i, mi);
    store(v + i, vi);
    const __m256 denom = _mm256_fmadd_ps(_mm256_sqrt_ps(vi), invSqrtBc2, eps);
    const __m256 step = scaleAdd(c.avgScale, _mm256_div_ps(mi, denom),
                                 scaleAdd(c.gradScale, _mm256_div_ps(d, denom), zero));
    store(p + i, _mm256_sub_ps(w, step));
  }
  portable::nadam(p + i, g + i, m + i, v + i, n - i, c);
}

}  // namespace avx2
}  // namespace tg

#elif defined(TG_X86)
#error "the AVX2 units must be compiled with -mavx2 -mfma (native/sources.json: avx2_cflags)"
#endif
