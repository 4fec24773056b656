// GEMM: a simple, correct kernel (row of C += a_ip * row p of B, or dot products when B is
// transposed). The packed, blocked kernel comes with the performance work; this one fixes the
// contract: row-major, four transpose cases, alpha, beta, and beta == 0 never reading C.
#include <cstring>

#include "../cpu.h"
#include "gemm.h"

namespace tg {

namespace {

void gemmAccumulatePortable(bool transA, bool transB, size_t m, size_t n, size_t k, float alpha,
                            const float* a, const float* b, float* c) {
  for (size_t i = 0; i < m; ++i) {
    float* crow = c + i * n;
    if (!transB) {
      for (size_t p = 0; p < k; ++p) {
        const float aip = alpha * (transA ? a[p * m + i] : a[i * k + p]);
        const float* brow = b + p * n;
        for (size_t j = 0; j < n; ++j) crow[j] += aip * brow[j];
      }
    } else {
      for (size_t j = 0; j < n; ++j) {
        const float* bcol = b + j * k;
        float acc = 0.0f;
        for (size_t p = 0; p < k; ++p) acc += (transA ? a[p * m + i] : a[i * k + p]) * bcol[p];
        crow[j] += alpha * acc;
      }
    }
  }
}

}  // namespace

void gemm(bool transA, bool transB, size_t m, size_t n, size_t k, float alpha, const float* a,
          const float* b, float beta, float* c) {
  const size_t size = m * n;
  if (beta == 0.0f) {
    std::memset(c, 0, size * sizeof(float));  // never read C: it may hold NaN
  } else if (beta != 1.0f) {
    for (size_t i = 0; i < size; ++i) c[i] *= beta;
  }
  if (alpha == 0.0f || k == 0 || size == 0) return;
#ifdef TG_X86
  if (useAvx2()) return avx2::gemmAccumulate(transA, transB, m, n, k, alpha, a, b, c);
#endif
  gemmAccumulatePortable(transA, transB, m, n, k, alpha, a, b, c);
}

}  // namespace tg
