// Elementwise arithmetic and the relu family: the portable loops (auto-vectorized at -O3) and
// the run-time dispatch. Each is correctly rounded float32 arithmetic in the order
// elementwise.h states, so the AVX2 variants give the same bits.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "elementwise.h"
#include "elementwise_dispatch.h"

namespace tg {

namespace {

struct Add { static float apply(float a, float b) { return a + b; } };
struct Sub { static float apply(float a, float b) { return a - b; } };
struct Mul { static float apply(float a, float b) { return a * b; } };
struct Div { static float apply(float a, float b) { return a / b; } };

template <typename Op>
void binary(const float* a, const float* b, float* out, size_t n) {
  for (size_t i = 0; i < n; ++i) out[i] = Op::apply(a[i], b[i]);
}

template <typename Op>
void rowBroadcast(const float* x, const float* row, size_t rows, size_t cols, float* out) {
  if (cols == 0) return;  // rows may be up to 2^53 − 1 with nothing to do
  for (size_t r = 0; r < rows; ++r) binary<Op>(x + r * cols, row, out + r * cols, cols);
}

template <typename Op>
void scalar(const float* x, float s, float* out, size_t n) {
  for (size_t i = 0; i < n; ++i) out[i] = Op::apply(x[i], s);
}

// positive ? a : b without a branch: GCC keeps a float select of two computed values as control
// flow (and then does not vectorize the loop), but vectorizes this bit select.
inline float select(bool positive, float a, float b) {
  uint32_t ua, ub;
  std::memcpy(&ua, &a, sizeof ua);
  std::memcpy(&ub, &b, sizeof ub);
  const uint32_t mask = 0u - static_cast<uint32_t>(positive);
  const uint32_t bits = (ua & mask) | (ub & ~mask);
  float out;
  std::memcpy(&out, &bits, sizeof out);
  return out;
}

// NaN passes through (x != x), so a NaN guard downstream still sees it; -0 becomes +0.
inline float reluScalar(float x) { return (x > 0.0f || x != x) ? x : 0.0f; }

}  // namespace

void add(const float* a, const float* b, float* out, size_t n) {
  TG_DISPATCH(add, a, b, out, n);
  binary<Add>(a, b, out, n);
}
void sub(const float* a, const float* b, float* out, size_t n) {
  TG_DISPATCH(sub, a, b, out, n);
  binary<Sub>(a, b, out, n);
}
void mul(const float* a, const float* b, float* out, size_t n) {
  TG_DISPATCH(mul, a, b, out, n);
  binary<Mul>(a, b, out, n);
}
void div(const float* a, const float* b, float* out, size_t n) {
  TG_DISPATCH(div, a, b, out, n);
  binary<Div>(a, b, out, n);
}

void addRow(const float* x, const float* row, size_t rows, size_t cols, float* out) {
  TG_DISPATCH(addRow, x, row, rows, cols, out);
  rowBroadcast<Add>(x, row, rows, cols, out);
}
void subRow(const float* x, const float* row, size_t rows, size_t cols, float* out) {
  TG_DISPATCH(subRow, x, row, rows, cols, out);
  rowBroadcast<Sub>(x, row, rows, cols, out);
}
void mulRow(const float* x, const float* row, size_t rows, size_t cols, float* out) {
  TG_DISPATCH(mulRow, x, row, rows, cols, out);
  rowBroadcast<Mul>(x, row, rows, cols, out);
}
void divRow(const float* x, const float* row, size_t rows, size_t cols, float* out) {
  TG_DISPATCH(divRow, x, row, rows, cols, out);
  rowBroadcast<Div>(x, row, rows, cols, out);
}

void addScalar(const float* x, float s, float* out, size_t n) {
  TG_DISPATCH(addScalar, x, s, out, n);
  scalar<Add>(x, s, out, n);
}
void subScalar(const float* x, float s, float* out, size_t n) {
  TG_DISPATCH(subScalar, x, s, out, n);
  scalar<Sub>(x, s, out, n);
}
void mulScalar(const float* x, float s, float* out, size_t n) {
  TG_DISPATCH(mulScalar, x, s, out, n);
  scalar<Mul>(x, s, out, n);
}
void divScalar(const float* x, float s, float* out, size_t n) {
  TG_DISPATCH(divScalar, x, s, out, n);
  scalar<Div>(x, s, out, n);  // a true division: x · (1/s) would round twice
}

void relu(const float* x, float* out, size_t n) {
  TG_DISPATCH(relu, x, out, n);
  for (size_t i = 0; i < n; ++i) out[i] = reluScalar(x[i]);
}

void reluBackward(const float* x, const float* dy, float* dx, size_t n) {
  TG_DISPATCH(reluBackward, x, dy, dx, n);
  for (size_t i = 0; i < n; ++i) {
    const float g = dy[i];  // read unconditionally so the loop vectorizes
    dx[i] = x[i] > 0.0f ? g : 0.0f;
  }
}

void leakyRelu(const float* x, float slope, float* out, size_t n) {
  TG_DISPATCH(leakyRelu, x, slope, out, n);
  for (size_t i = 0; i < n; ++i) {
    const float v = x[i];
    out[i] = select(v > 0.0f, v, v * slope);  // NaN takes the second side and stays NaN
  }
}

void leakyReluBackward(const float* x, const float* dy, float slope, float* dx, size_t n) {
  TG_DISPATCH(leakyReluBackward, x, dy, slope, dx, n);
  for (size_t i = 0; i < n; ++i) {
    const float g = dy[i];
    dx[i] = select(x[i] > 0.0f, g, g * slope);
  }
}

void prelu(const float* x, const float* slope, size_t rows, size_t channels, float* out) {
  if (channels == 0) return;  // rows may be up to 2^53 − 1 with nothing to do
  TG_DISPATCH(prelu, x, slope, rows, channels, out);
  for (size_t r = 0; r < rows; ++r) {
    const float* xr = x + r * channels;
    float* outr = out + r * channels;
    for (size_t c = 0; c < channels; ++c) {
      const float v = xr[c];
      outr[c] = select(v > 0.0f, v, v * slope[c]);
    }
  }
}

// One path for both SIMD levels: the slope gradient is summed in double so that it equals the
// reference's sum bit for bit (each dy·x is exact in double, the row order is the same).
void preluBackward(const float* x, const float* slope, const float* dy, size_t rows,
                   size_t channels, float* dx, float* dslope) {
  if (channels == 0) return;  // rows may be up to 2^53 − 1 with nothing to do
  std::vector<double> sums(channels, 0.0);
  for (size_t r = 0; r < rows; ++r) {
    const float* xr = x + r * channels;
    const float* dyr = dy + r * channels;
    float* dxr = dx + r * channels;
    for (size_t c = 0; c < channels; ++c) {
      const float v = xr[c], g = dyr[c];
      const bool positive = v > 0.0f;
      if (!positive) sums[c] += static_cast<double>(g) * static_cast<double>(v);
      dxr[c] = positive ? g : g * slope[c];  // written after x and dy are read: dx may be dy
    }
  }
  for (size_t c = 0; c < channels; ++c) dslope[c] = static_cast<float>(sums[c]);
}

void expBackward(const float* y, const float* dy, float* dx, size_t n) {
  TG_DISPATCH(expBackward, y, dy, dx, n);
  for (size_t i = 0; i < n; ++i) dx[i] = dy[i] * y[i];
}
void logBackward(const float* x, const float* dy, float* dx, size_t n) {
  TG_DISPATCH(logBackward, x, dy, dx, n);
  for (size_t i = 0; i < n; ++i) dx[i] = dy[i] / x[i];
}
void sqrtBackward(const float* y, const float* dy, float* dx, size_t n) {
  TG_DISPATCH(sqrtBackward, y, dy, dx, n);
  for (size_t i = 0; i < n; ++i) dx[i] = dy[i] / (y[i] + y[i]);
}
void tanhBackward(const float* y, const float* dy, float* dx, size_t n) {
  TG_DISPATCH(tanhBackward, y, dy, dx, n);
  for (size_t i = 0; i < n; ++i) dx[i] = dy[i] * (1.0f - y[i] * y[i]);
}
void sigmoidBackward(const float* y, const float* dy, float* dx, size_t n) {
  TG_DISPATCH(sigmoidBackward, y, dy, dx, n);
  for (size_t i = 0; i < n; ++i) dx[i] = dy[i] * (y[i] * (1.0f - y[i]));
}

void sqrt(const float* x, float* out, size_t n) {
  TG_DISPATCH(sqrt, x, out, n);
  for (size_t i = 0; i < n; ++i) out[i] = std::sqrt(x[i]);
}

}  // namespace tg
