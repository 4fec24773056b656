// Gradient utilities: the portable loops and the run-time dispatch (the AVX2 loops on the avx2
// and avx512 levels).
#include <cmath>

#include "../cpu.h"
#include "gradient.h"

namespace tg {

double sumOfSquares(const float* x, size_t n, double start) {
#ifdef TG_X86
  if (useAvx2Code()) return avx2::sumOfSquares(x, n, start);
#endif
  double sum = start;
  for (size_t i = 0; i < n; ++i) sum += static_cast<double>(x[i]) * x[i];
  return sum;
}

void scale(float* x, size_t n, float s) {
#ifdef TG_X86
  if (useAvx2Code()) return avx2::scale(x, n, s);
#endif
  for (size_t i = 0; i < n; ++i) x[i] *= s;
}

void clampAbs(float* x, size_t n, float c) {
#ifdef TG_X86
  if (useAvx2Code()) return avx2::clampAbs(x, n, c);
#endif
  for (size_t i = 0; i < n; ++i) {
    const float v = x[i];
    x[i] = v > c ? c : (v < -c ? -c : v);  // NaN fails both tests and stays
  }
}

size_t firstNonFinite(const float* x, size_t n) {
#ifdef TG_X86
  if (useAvx2Code()) return avx2::firstNonFinite(x, n);
#endif
  for (size_t i = 0; i < n; ++i) {
    if (!std::isfinite(x[i])) return i;
  }
  return n;
}

}  // namespace tg
