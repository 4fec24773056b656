// GEMM on raw pointers, arguments already checked by native/exports/gemm.cc. Row-major,
// contiguous float32; sizes are element counts. Declarations only (the AVX2 and AVX-512 units
// include it).
#pragma once

#include <cstddef>

#include "../platform.h"

namespace tg {

// C = alpha * op(A) * op(B) + beta * C, op(A) m x k, op(B) k x n, C m x n. A is stored k x m
// when transA, B is stored n x k when transB. beta == 0 never reads C; alpha == 0 or k == 0
// leaves beta * C without reading A or B (BLAS semantics).
void gemm(bool transA, bool transB, size_t m, size_t n, size_t k, float alpha, const float* a,
          const float* b, float beta, float* c);

// What the Linear layer needs in one pass: C = act(op(A) * op(B) + bias), bias of length n added
// to every row. C is written, never read.
enum class Activation : int { None = 0, Relu = 1, LeakyRelu = 2 };
void gemmBiasActivation(bool transA, bool transB, size_t m, size_t n, size_t k, const float* a,
                        const float* b, const float* bias, Activation activation, float slope,
                        float* c);

// How a micro-kernel writes its tile of alpha·A·B (one k block) into C, element by element:
//   v = alpha·acc; v = v + beta·C (only when beta != 0: beta == 0 never reads C);
//   on the last k block: v = v + bias[j] (when bias), then the activation.
// Every path rounds the same operations in the same order, so an element's bits do not depend
// on which path or tile wrote it (and so not on the thread count either).
struct WriteBack {
  float alpha;
  float beta;
  const float* bias;  // the tile's first column of bias, or null
  Activation activation;
  float slope;
  bool last;  // the last k block of a product with an epilogue: apply bias and activation
};

// Writes a rows x cols tile from `acc` (row stride ldacc) into C (row stride ldc). Portable.
void writeBackTile(const float* acc, size_t ldacc, float* c, size_t ldc, size_t rows,
                   size_t cols, const WriteBack& w);

using MicroKernelInPlaceA = void (*)(size_t kc, const float* a, size_t rowStride,
                                     size_t colStride, const float* b, float* c, size_t ldc,
                                     size_t rows, size_t cols, const WriteBack& w);

// A micro-kernel reading both operands in place (microKernelDirect, gemm_microkernels.inc).
using MicroKernelDirect = void (*)(size_t kc, const float* a, size_t rowStride, size_t colStride,
                                   const float* b, size_t ldb, float* c, size_t ldc, size_t rows,
                                   size_t cols, const WriteBack& w);

// Small-m products with B stored transposed (gemm_gemv.h): C(i, j) for i < rows, j < cols is
// the dot product of A's row i (a + i * lda) and B's row j (b + j * ldb), k long, written back
// through w with the bias (when w.last) from w.bias[0]. Neither operand is packed.
using GemvTransB = void (*)(size_t rows, size_t cols, size_t k, const float* a, size_t lda,
                            const float* b, size_t ldb, float* c, size_t ldc, const WriteBack& w);

// A micro-kernel: acc = A-panel (kc x MR, packed p-major) times B-panel (kc x NR, packed
// p-major), written back to the rows x cols valid part of the tile at c.
using MicroKernel = void (*)(size_t kc, const float* a, const float* b, float* c, size_t ldc,
                             size_t rows, size_t cols, const WriteBack& w);

// Packs a panel of W lanes (the rows of an A panel, the columns of a B panel) over kc steps of
// k: dst[p * W + l] = src[l * laneStride + p * kStride] for the first `lanes` lanes, zeros in
// the others, so a micro-kernel always reads whole tiles. A B panel's dst is 64-byte aligned
// (its rows are whole vectors); an A panel's need not be.
using PackPanel = void (*)(const float* src, size_t laneStride, size_t kStride, size_t lanes,
                           size_t kc, float* dst);

#ifdef TG_X86
namespace avx2 {
constexpr size_t kMr = 6;   // 12 ymm accumulators, 2 for B, 1 broadcast of A
constexpr size_t kNr = 16;
#include "gemm_microkernels.inc"
}  // namespace avx2

namespace avx512 {
constexpr size_t kMr = 12;  // 24 zmm accumulators (2 per row of C), 2 for B, broadcasts of A
constexpr size_t kNr = 32;
#include "gemm_microkernels.inc"
// The same product, its tile written transposed: tile row r, column x goes to c[x * ldc + r],
// with w.bias indexed by r. For C^T = op(B)^T op(A)^T when C is narrow.
void microKernelTransposedC(size_t kc, const float* a, const float* b, float* c, size_t ldc,
                            size_t rows, size_t cols, const WriteBack& w);
// microKernelDirect (gemm_microkernels.inc) writing its tile transposed.
void microKernelDirectTransposedC(size_t kc, const float* a, size_t rowStride, size_t colStride,
                                  const float* b, size_t ldb, float* c, size_t ldc, size_t rows,
                                  size_t cols, const WriteBack& w);
// microKernelTransposedC with the k loop under FTZ and DAZ, as microKernelFlushing.
void microKernelFlushingTransposedC(size_t kc, const float* a, const float* b, float* c,
                                    size_t ldc, size_t rows, size_t cols, const WriteBack& w);
// PackPanel for the 12-row panels of A and the 32-column panels of B.
void packA(const float* src, size_t laneStride, size_t kStride, size_t lanes, size_t kc,
           float* dst);
void packB(const float* src, size_t laneStride, size_t kStride, size_t lanes, size_t kc,
           float* dst);
}  // namespace avx512
#endif

}  // namespace tg
