// Transcendental elementwise kernels: the portable path (one float at a time, the same
// algorithm as elementwise_math_avx2.cc without FMA) and the run-time dispatch.
//
// exp: x = n·ln2 + r with |r| ≤ ln2/2 (Cody-Waite split, exact first step), exp(r) by a
// minimax polynomial, then 2^n applied in two halves so denormal results round once and
// n = 128 does not overflow early. Outside [kExpUnderflow, kExpOverflow] the result is 0 or
// +Inf, exactly where float64 exp rounded to float32 is.
// log: x = m·2^e with √½ ≤ m < √2 (denormals scaled by 2^23 first), log m = log1p(m − 1) by a
// minimax polynomial, e·ln2 added in two pieces.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "../cpu.h"
#include "elementwise.h"
#include "elementwise_constants.h"

#ifdef TG_X86
#define TG_DISPATCH(kernel, ...) \
  if (useAvx2()) return avx2::kernel(__VA_ARGS__)
#else
#define TG_DISPATCH(kernel, ...)
#endif

namespace tg {

namespace {

using namespace math;

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

float fromBits(uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}
uint32_t toBits(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  return bits;
}

// 2^k for −126 ≤ k ≤ 127.
float pow2(int k) { return fromBits(static_cast<uint32_t>(k + 127) << 23); }

// exp(r) − 1 − r... as r + r²·P(r): exp(r) − 1 for |r| ≤ ln2/2, without cancellation.
float expm1Reduced(float r) {
  float p = kExpP4;
  p = p * r + kExpP3;
  p = p * r + kExpP2;
  p = p * r + kExpP1;
  p = p * r + kExpP0;
  return r + (r * r) * p;
}

float expScalar(float x) {
  if (x != x) return x;
  if (x > kExpOverflow) return kInf;
  if (x < kExpUnderflow) return 0.0f;
  const float n = std::nearbyint(x * kLog2e);
  float r = x - n * kLn2Hi;  // exact
  r = r - n * kLn2Lo;
  const float p = 1.0f + expm1Reduced(r);
  const int k = static_cast<int>(n);
  const int half = k / 2;  // |half|, |k − half| ≤ 75: each power is a normal float
  return p * pow2(half) * pow2(k - half);
}

// exp(x) − 1: the reduced polynomial near 0, where exp(x) − 1 would cancel.
float expm1Scalar(float x) {
  if (x != x) return x;
  if (std::nearbyint(x * kLog2e) == 0.0f) return expm1Reduced(x);
  return expScalar(x) - 1.0f;
}

float logScalar(float x) {
  if (x != x) return x;
  if (x < 0.0f) return kNaN;
  if (x == 0.0f) return -kInf;
  if (x == kInf) return kInf;
  int e = 0;
  uint32_t bits = toBits(x);
  if (bits < 0x00800000u) {  // denormal: make it normal
    bits = toBits(x * 8388608.0f);
    e = -23;
  }
  e += static_cast<int>(bits >> 23) - 127;
  float m = fromBits((bits & 0x007fffffu) | 0x3f800000u);
  if (m > kSqrt2) {
    m *= 0.5f;
    e += 1;
  }
  const float f = m - 1.0f;  // exact
  const float f2 = f * f;
  float q = kLogQ7;
  q = q * f + kLogQ6;
  q = q * f + kLogQ5;
  q = q * f + kLogQ4;
  q = q * f + kLogQ3;
  q = q * f + kLogQ2;
  q = q * f + kLogQ1;
  q = q * f + kLogQ0;
  const float y = (f * f2) * q - 0.5f * f2;
  const float fe = static_cast<float>(e);
  return fe * kLn2Hi + (f + (y + fe * kLn2Lo));
}

// log1p(u) for u ≥ 0: log(1 + u) corrected by u / ((1 + u) − 1), which undoes the rounding
// of 1 + u (exact when 1 + u rounds to 1).
float log1pScalar(float u) {
  const float w = 1.0f + u;
  if (w == 1.0f) return u;
  return logScalar(w) * (u / (w - 1.0f));
}

float tanhScalar(float x) {
  if (x != x) return x;
  const float a = std::fabs(x);
  float t;
  if (a < kTanhSmall) {
    const float a2 = a * a;
    float r = kTanhR4;
    r = r * a2 + kTanhR3;
    r = r * a2 + kTanhR2;
    r = r * a2 + kTanhR1;
    r = r * a2 + kTanhR0;
    t = a + a * (a2 * r);
  } else {
    const float e = expScalar(2.0f * std::fmin(a, kTanhOne));
    t = 1.0f - 2.0f / (e + 1.0f);
  }
  return std::copysign(t, x);
}

// 1/(1 + e^−x) for x ≥ 0, e^x/(1 + e^x) below: e^−|x| never overflows.
float sigmoidScalar(float x) {
  const float e = expScalar(-std::fabs(x));
  const float d = 1.0f + e;
  return x >= 0.0f ? 1.0f / d : e / d;  // NaN: e is NaN, so is e/d
}

// log(1 + e^z) = max(z, 0) + log1p(e^−|z|), then /beta; x itself once beta·x > threshold.
float softplusScalar(float x, float beta, float threshold) {
  if (x != x) return x;
  const float z = x * beta;
  if (z > threshold) return x;
  const float positive = z > 0.0f ? z : 0.0f;
  return (positive + log1pScalar(expScalar(-std::fabs(z)))) / beta;
}

// gelu(x) = x·Φ(x) = x·erfc(−x/√2)/2, in double with the C library's erfc, rounded once.
float geluScalar(float x) {
  const double v = x;
  return static_cast<float>(0.5 * v * std::erfc(-v * 0.70710678118654752));
}

// d gelu/dx = Φ(x) + x·φ(x), in double.
float geluGradient(float x) {
  const double v = x;
  const double cdf = 0.5 * std::erfc(-v * 0.70710678118654752);
  const double pdf = 0.39894228040143268 * std::exp(-0.5 * v * v);
  return static_cast<float>(cdf + v * pdf);
}

}  // namespace

void exp(const float* x, float* out, size_t n) {
  TG_DISPATCH(exp, x, out, n);
  for (size_t i = 0; i < n; ++i) out[i] = expScalar(x[i]);
}

void log(const float* x, float* out, size_t n) {
  TG_DISPATCH(log, x, out, n);
  for (size_t i = 0; i < n; ++i) out[i] = logScalar(x[i]);
}

void tanh(const float* x, float* out, size_t n) {
  TG_DISPATCH(tanh, x, out, n);
  for (size_t i = 0; i < n; ++i) out[i] = tanhScalar(x[i]);
}

void sigmoid(const float* x, float* out, size_t n) {
  TG_DISPATCH(sigmoid, x, out, n);
  for (size_t i = 0; i < n; ++i) out[i] = sigmoidScalar(x[i]);
}

void elu(const float* x, float alpha, float* out, size_t n) {
  TG_DISPATCH(elu, x, alpha, out, n);
  for (size_t i = 0; i < n; ++i) {
    const float v = x[i];
    out[i] = v > 0.0f ? v : alpha * expm1Scalar(v);
  }
}

void eluBackward(const float* x, const float* dy, float alpha, float* dx, size_t n) {
  TG_DISPATCH(eluBackward, x, dy, alpha, dx, n);
  for (size_t i = 0; i < n; ++i) {
    const float v = x[i];
    dx[i] = v > 0.0f ? dy[i] : dy[i] * (alpha * expScalar(v));
  }
}

void softplus(const float* x, float beta, float threshold, float* out, size_t n) {
  TG_DISPATCH(softplus, x, beta, threshold, out, n);
  for (size_t i = 0; i < n; ++i) out[i] = softplusScalar(x[i], beta, threshold);
}

void softplusBackward(const float* x, const float* dy, float beta, float threshold, float* dx,
                      size_t n) {
  TG_DISPATCH(softplusBackward, x, dy, beta, threshold, dx, n);
  for (size_t i = 0; i < n; ++i) {
    const float z = x[i] * beta;
    dx[i] = z > threshold ? dy[i] : dy[i] * sigmoidScalar(z);
  }
}

// gelu is not on the AVX2 path: both paths run the double-precision loop below.
void gelu(const float* x, float* out, size_t n) {
  for (size_t i = 0; i < n; ++i) out[i] = geluScalar(x[i]);
}

void geluBackward(const float* x, const float* dy, float* dx, size_t n) {
  for (size_t i = 0; i < n; ++i) dx[i] = dy[i] * geluGradient(x[i]);
}

}  // namespace tg
