// GEMM on raw pointers, arguments already checked by native/exports/gemm.cc. Row-major,
// contiguous float32; sizes are element counts. Declarations only (the AVX2 unit includes it).
#pragma once

#include <cstddef>

#include "../platform.h"

namespace tg {

// C = alpha * op(A) * op(B) + beta * C, op(A) m x k, op(B) k x n, C m x n. A is stored k x m
// when transA, B is stored n x k when transB. beta == 0 never reads C; alpha == 0 or k == 0
// leaves beta * C without reading A or B (BLAS semantics).
void gemm(bool transA, bool transB, size_t m, size_t n, size_t k, float alpha, const float* a,
          const float* b, float beta, float* c);

#ifdef TG_X86
namespace avx2 {
// C += alpha * op(A) * op(B); gemm() has applied beta and the degenerate cases.
void gemmAccumulate(bool transA, bool transB, size_t m, size_t n, size_t k, float alpha,
                    const float* a, const float* b, float* c);
}  // namespace avx2
#endif

}  // namespace tg
