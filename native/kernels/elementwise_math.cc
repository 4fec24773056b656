// Transcendental elementwise kernels: the portable path (the algorithm of
// elementwise_math_avx2.cc without FMA, written per float with the special cases as bit selects
// so that GCC vectorizes every loop for the baseline SSE2) and the run-time dispatch.
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
#include "elementwise_dispatch.h"
#include "elementwise_constants.h"


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

// c ? a : b as a bit select: GCC treats a float ?: as control flow and would not vectorize the
// loops, but it vectorizes this.
float select(bool c, float a, float b) {
  const uint32_t mask = 0u - static_cast<uint32_t>(c);
  return fromBits((toBits(a) & mask) | (toBits(b) & ~mask));
}

float absolute(float x) { return fromBits(toBits(x) & 0x7fffffffu); }
// |t| with the sign of x (t ≥ 0).
float withSignOf(float t, float x) { return fromBits(toBits(t) | (toBits(x) & 0x80000000u)); }

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

// Rounds |v| < 2^22 to the nearest integer (ties to even) with the 1.5·2^23 trick: no libm call,
// so the loops stay branch-free and vectorize.
float roundNearest(float v) {
  constexpr float kShift = 12582912.0f;
  return (v + kShift) - kShift;
}

// Branch-free: the special cases are selects, so GCC vectorizes the loops that call it (inlined
// into each, hence always_inline: tanh and sigmoid would otherwise call it per element).
[[gnu::always_inline]] inline float expScalar(float x) {
  float c = select(x > kExpOverflow, kExpOverflow, x);
  c = select(c < kExpUnderflow, kExpUnderflow, c);
  c = select(x == x, c, 0.0f);  // NaN must not reach the integer conversion
  const float n = roundNearest(c * kLog2e);
  float r = c - n * kLn2Hi;  // exact
  r = r - n * kLn2Lo;
  const float p = 1.0f + expm1Reduced(r);
  const int k = static_cast<int>(n);
  const int half = k / 2;  // |half|, |k − half| ≤ 75: each power is a normal float
  float y = p * pow2(half) * pow2(k - half);
  y = select(x > kExpOverflow, kInf, y);
  y = select(x < kExpUnderflow, 0.0f, y);
  return select(x == x, y, x + x);
}

// exp(x) − 1: the reduced polynomial near 0 (n = 0, so r = x), where exp(x) − 1 would cancel.
float expm1Scalar(float x) {
  const float near0 = expm1Reduced(x);
  const float far = expScalar(x) - 1.0f;
  return select(x == x, select(roundNearest(x * kLog2e) == 0.0f, near0, far), x + x);
}

[[gnu::always_inline]] inline float logScalar(float x) {
  const bool denormal = toBits(x) < 0x00800000u;  // and +0; negatives have the sign bit set
  const uint32_t bits = toBits(select(denormal, x * 8388608.0f, x));  // made normal
  int e = static_cast<int>(bits >> 23) - 127 - 23 * static_cast<int>(denormal);
  float m = fromBits((bits & 0x007fffffu) | 0x3f800000u);
  const bool big = m > kSqrt2;
  m = select(big, m * 0.5f, m);
  e += static_cast<int>(big);
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
  float result = fe * kLn2Hi + (f + (y + fe * kLn2Lo));
  result = select(x == kInf, kInf, result);
  result = select(x == 0.0f, -kInf, result);
  result = select(x < 0.0f, kNaN, result);
  return select(x == x, result, x + x);
}

// log1p(u) for u ≥ 0: log(1 + u) corrected by u / ((1 + u) − 1), which undoes the rounding
// of 1 + u (and u itself where 1 + u rounds to 1).
float log1pScalar(float u) {
  const float w = 1.0f + u;
  return select(w == 1.0f, u, logScalar(w) * (u / (w - 1.0f)));
}

float tanhScalar(float x) {
  const float a = absolute(x);
  const float a2 = a * a;
  float r = kTanhR4;
  r = r * a2 + kTanhR3;
  r = r * a2 + kTanhR2;
  r = r * a2 + kTanhR1;
  r = r * a2 + kTanhR0;
  const float small = a + a * (a2 * r);
  const float clamped = select(a < kTanhOne, a, kTanhOne);
  const float large = 1.0f - 2.0f / (expScalar(clamped + clamped) + 1.0f);
  const float t = withSignOf(select(a < kTanhSmall, small, large), x);
  return select(x == x, t, x + x);
}

// 1/(1 + e^−x) for x ≥ 0, e^x/(1 + e^x) below: e^−|x| never overflows. The sum and quotient
// in double leave exp's error and one final rounding (the AVX2 path corrects them with FMA).
[[gnu::always_inline]] inline float sigmoidScalar(float x) {
  const float e = expScalar(-absolute(x));
  const double numerator = select(x >= 0.0f, 1.0f, e);
  return static_cast<float>(numerator / (1.0 + static_cast<double>(e)));  // NaN stays NaN
}

// log(1 + e^z) = max(z, 0) + log1p(e^−|z|), then /beta; x itself once beta·x > threshold.
float softplusScalar(float x, float beta, float threshold) {
  const float z = x * beta;
  const float y = (select(z > 0.0f, z, 0.0f) + log1pScalar(expScalar(-absolute(z)))) / beta;
  return select(x == x, select(z > threshold, x, y), x + x);
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

// 1/(1 + e^−z) in double, without overflow: e^−|z|/(1 + e^−|z|) below 0 (no branch on the sign).
double sigmoid64(double z) {
  const double e = std::exp(-std::fabs(z));
  return (z >= 0.0 ? 1.0 : e) / (1.0 + e);
}

constexpr double kSqrt2OverPi = 0.79788456080286536;
constexpr double kGeluCubic = 0.044715;

// x·(1 + tanh u)/2 = x·σ(2u), u = √(2/π)·(x + 0.044715·x³).
float geluTanhScalar(float x) {
  const double v = x;
  return static_cast<float>(v * sigmoid64(2.0 * kSqrt2OverPi * (v + kGeluCubic * v * v * v)));
}

// d/dx x·σ(2u) = σ(2u) + x·σ(2u)(1 − σ(2u))·2u′, u′ = √(2/π)·(1 + 3·0.044715·x²).
float geluTanhGradient(float x) {
  const double v = x;
  const double s = sigmoid64(2.0 * kSqrt2OverPi * (v + kGeluCubic * v * v * v));
  const double du = kSqrt2OverPi * (1.0 + 3.0 * kGeluCubic * v * v);
  return static_cast<float>(s + v * (s * (1.0 - s)) * 2.0 * du);
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
    out[i] = select(v > 0.0f, v, alpha * expm1Scalar(v));
  }
}

void eluBackward(const float* x, const float* dy, float alpha, float* dx, size_t n) {
  TG_DISPATCH(eluBackward, x, dy, alpha, dx, n);
  for (size_t i = 0; i < n; ++i) {
    const float v = x[i], g = dy[i];
    dx[i] = select(v > 0.0f, g, g * (alpha * expScalar(v)));
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
    const float z = x[i] * beta, g = dy[i];
    dx[i] = select(z > threshold, g, g * sigmoidScalar(z));
  }
}

// gelu is not on the AVX2 path: both paths run the double-precision loop below.
void gelu(const float* x, float* out, size_t n) {
  for (size_t i = 0; i < n; ++i) out[i] = geluScalar(x[i]);
}

void geluBackward(const float* x, const float* dy, float* dx, size_t n) {
  for (size_t i = 0; i < n; ++i) dx[i] = dy[i] * geluGradient(x[i]);
}

void geluTanh(const float* x, float* out, size_t n) {
  for (size_t i = 0; i < n; ++i) out[i] = geluTanhScalar(x[i]);
}

void geluTanhBackward(const float* x, const float* dy, float* dx, size_t n) {
  for (size_t i = 0; i < n; ++i) dx[i] = dy[i] * geluTanhGradient(x[i]);
}

}  // namespace tg
