// Elementwise kernels: the portable loops (auto-vectorized at -O3) and the run-time dispatch.
#include "../cpu.h"
#include "elementwise.h"

namespace tg {

namespace {

// NaN passes through (x != x), so a NaN guard downstream still sees it; -0 becomes +0.
inline float reluScalar(float x) { return (x > 0.0f || x != x) ? x : 0.0f; }

}  // namespace

void add(const float* a, const float* b, float* out, size_t n) {
#ifdef TG_X86
  if (useAvx2()) return avx2::add(a, b, out, n);
#endif
  for (size_t i = 0; i < n; ++i) out[i] = a[i] + b[i];
}

void mul(const float* a, const float* b, float* out, size_t n) {
#ifdef TG_X86
  if (useAvx2()) return avx2::mul(a, b, out, n);
#endif
  for (size_t i = 0; i < n; ++i) out[i] = a[i] * b[i];
}

void relu(const float* x, float* out, size_t n) {
#ifdef TG_X86
  if (useAvx2()) return avx2::relu(x, out, n);
#endif
  for (size_t i = 0; i < n; ++i) out[i] = reluScalar(x[i]);
}

void reluBackward(const float* x, const float* dy, float* dx, size_t n) {
#ifdef TG_X86
  if (useAvx2()) return avx2::reluBackward(x, dy, dx, n);
#endif
  for (size_t i = 0; i < n; ++i) {
    const float g = dy[i];  // read unconditionally so the loop vectorizes
    dx[i] = x[i] > 0.0f ? g : 0.0f;
  }
}

}  // namespace tg
