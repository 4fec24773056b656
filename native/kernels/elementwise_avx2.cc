// AVX2 variants of elementwise.cc, 8 floats a step with a scalar tail. Same results bit for bit
// as the portable loops (no FMA here: each step rounds as elementwise.h says). Include nothing
// but intrinsics and declaration-only headers (see gemm_avx2.cc).
#include "elementwise.h"

#if defined(TG_X86) && defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>

namespace tg {
namespace avx2 {

namespace {

struct Add {
  static __m256 apply(__m256 a, __m256 b) { return _mm256_add_ps(a, b); }
  static float apply(float a, float b) { return a + b; }
};
struct Sub {
  static __m256 apply(__m256 a, __m256 b) { return _mm256_sub_ps(a, b); }
  static float apply(float a, float b) { return a - b; }
};
struct Mul {
  static __m256 apply(__m256 a, __m256 b) { return _mm256_mul_ps(a, b); }
  static float apply(float a, float b) { return a * b; }
};
struct Div {
  static __m256 apply(__m256 a, __m256 b) { return _mm256_div_ps(a, b); }
  static float apply(float a, float b) { return a / b; }
};

template <typename Op>
void binary(const float* a, const float* b, float* out, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    _mm256_storeu_ps(out + i, Op::apply(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i)));
  }
  for (; i < n; ++i) out[i] = Op::apply(a[i], b[i]);
}

template <typename Op>
void rowBroadcast(const float* x, const float* row, size_t rows, size_t cols, float* out) {
  if (cols == 0) return;  // rows may be up to 2^53 − 1 with nothing to do
  for (size_t r = 0; r < rows; ++r) binary<Op>(x + r * cols, row, out + r * cols, cols);
}

template <typename Op>
void scalar(const float* x, float s, float* out, size_t n) {
  const __m256 vs = _mm256_set1_ps(s);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(out + i, Op::apply(_mm256_loadu_ps(x + i), vs));
  for (; i < n; ++i) out[i] = Op::apply(x[i], s);
}

// dx = x > 0 ? dy : dy·slope over 8 lanes (reluBackward is slope 0 without the multiply).
__m256 leakyGradient(__m256 x, __m256 dy, __m256 slope) {
  const __m256 positive = _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_GT_OQ);
  return _mm256_blendv_ps(_mm256_mul_ps(dy, slope), dy, positive);
}

}  // namespace

void add(const float* a, const float* b, float* out, size_t n) { binary<Add>(a, b, out, n); }
void sub(const float* a, const float* b, float* out, size_t n) { binary<Sub>(a, b, out, n); }
void mul(const float* a, const float* b, float* out, size_t n) { binary<Mul>(a, b, out, n); }
void div(const float* a, const float* b, float* out, size_t n) { binary<Div>(a, b, out, n); }

void addRow(const float* x, const float* row, size_t rows, size_t cols, float* out) {
  rowBroadcast<Add>(x, row, rows, cols, out);
}
void subRow(const float* x, const float* row, size_t rows, size_t cols, float* out) {
  rowBroadcast<Sub>(x, row, rows, cols, out);
}
void mulRow(const float* x, const float* row, size_t rows, size_t cols, float* out) {
  rowBroadcast<Mul>(x, row, rows, cols, out);
}
void divRow(const float* x, const float* row, size_t rows, size_t cols, float* out) {
  rowBroadcast<Div>(x, row, rows, cols, out);
}

void addScalar(const float* x, float s, float* out, size_t n) { scalar<Add>(x, s, out, n); }
void subScalar(const float* x, float s, float* out, size_t n) { scalar<Sub>(x, s, out, n); }
void mulScalar(const float* x, float s, float* out, size_t n) { scalar<Mul>(x, s, out, n); }
void divScalar(const float* x, float s, float* out, size_t n) { scalar<Div>(x, s, out, n); }

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

void leakyRelu(const float* x, float slope, float* out, size_t n) {
  const __m256 vs = _mm256_set1_ps(slope);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    _mm256_storeu_ps(out + i, leakyGradient(v, v, vs));  // x > 0 ? x : x·slope
  }
  for (; i < n; ++i) out[i] = x[i] > 0.0f ? x[i] : x[i] * slope;
}

void leakyReluBackward(const float* x, const float* dy, float slope, float* dx, size_t n) {
  const __m256 vs = _mm256_set1_ps(slope);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    _mm256_storeu_ps(dx + i, leakyGradient(_mm256_loadu_ps(x + i), _mm256_loadu_ps(dy + i), vs));
  }
  for (; i < n; ++i) dx[i] = x[i] > 0.0f ? dy[i] : dy[i] * slope;
}

void prelu(const float* x, const float* slope, size_t rows, size_t channels, float* out) {
  if (channels == 0) return;
  for (size_t r = 0; r < rows; ++r) {
    const float* xr = x + r * channels;
    float* outr = out + r * channels;
    size_t c = 0;
    for (; c + 8 <= channels; c += 8) {
      const __m256 v = _mm256_loadu_ps(xr + c);
      _mm256_storeu_ps(outr + c, leakyGradient(v, v, _mm256_loadu_ps(slope + c)));
    }
    for (; c < channels; ++c) outr[c] = xr[c] > 0.0f ? xr[c] : xr[c] * slope[c];
  }
}

void expBackward(const float* y, const float* dy, float* dx, size_t n) { binary<Mul>(dy, y, dx, n); }
void logBackward(const float* x, const float* dy, float* dx, size_t n) { binary<Div>(dy, x, dx, n); }

void sqrtBackward(const float* y, const float* dy, float* dx, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(y + i);
    _mm256_storeu_ps(dx + i, _mm256_div_ps(_mm256_loadu_ps(dy + i), _mm256_add_ps(v, v)));
  }
  for (; i < n; ++i) dx[i] = dy[i] / (y[i] + y[i]);
}

void tanhBackward(const float* y, const float* dy, float* dx, size_t n) {
  const __m256 one = _mm256_set1_ps(1.0f);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(y + i);
    const __m256 slope = _mm256_sub_ps(one, _mm256_mul_ps(v, v));
    _mm256_storeu_ps(dx + i, _mm256_mul_ps(_mm256_loadu_ps(dy + i), slope));
  }
  for (; i < n; ++i) dx[i] = dy[i] * (1.0f - y[i] * y[i]);
}

void sigmoidBackward(const float* y, const float* dy, float* dx, size_t n) {
  const __m256 one = _mm256_set1_ps(1.0f);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(y + i);
    const __m256 slope = _mm256_mul_ps(v, _mm256_sub_ps(one, v));
    _mm256_storeu_ps(dx + i, _mm256_mul_ps(_mm256_loadu_ps(dy + i), slope));
  }
  for (; i < n; ++i) dx[i] = dy[i] * (y[i] * (1.0f - y[i]));
}

void sqrt(const float* x, float* out, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(out + i, _mm256_sqrt_ps(_mm256_loadu_ps(x + i)));
  for (; i < n; ++i) out[i] = _mm_cvtss_f32(_mm_sqrt_ss(_mm_set_ss(x[i])));
}

}  // namespace avx2
}  // namespace tg

#elif defined(TG_X86)
#error "the AVX2 units must be compiled with -mavx2 -mfma (native/sources.json: avx2_cflags)"
#endif
