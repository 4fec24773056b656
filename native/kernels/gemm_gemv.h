// The small-m GEMM kernel for B stored transposed (gemm.h's GemvTransB), written once over the
// vector traits of gemm_microkernel.h and instantiated by each SIMD level (gemm_avx512.cc on zmm,
// gemm_avx2.cc on ymm, gemm.cc on four-float vectors, rounding twice): C(i, j) is the dot
// product of row i of A and row j of B, both contiguous along k, so neither is packed. At batch
// 1 (x·Wᵀ with W stored [out, in], the Linear layer's forward) packing B would copy all of W to
// read it once; here each element of B is loaded once per four rows of A, straight from where it
// is.
//
// The order of the sum: element (i, j) keeps one vector accumulator, lane l summing the products
// at p ≡ l (mod W) in increasing p with one FMA each (the steps past k read as zero through a
// mask), then the W lanes are added in a fixed halving tree (V::sum), then written back as
// writeBackTile does. Every element is computed by the same operations whatever the blocks of
// rows and columns around it, so the bits do not depend on the thread count nor on which block
// size served it; they differ from the blocked GEMM's sequential order (within gemm's bound).
//
// What V supplies beyond gemm_microkernel.h's vector traits: sum(v), the lanes added in a fixed
// order; optionally (kVectorSums) sums<4 or 8>(x), the same sums of several vectors at once, and
// finishLanes, the write-back of a vector of them. Everything in an unnamed namespace, as gemm_microkernel.h (in an ISA's unit, include it
// after that).
#pragma once

#include <cstddef>

#include "gemm.h"

namespace tg {
namespace gemv {
namespace {

// Whether V adds the lanes of several vectors at once (V::sums, V::finishLanes): Zmm does.
template <class V, class = void>
struct VectorSums {
  static constexpr bool value = false;
};
template <class V>
struct VectorSums<V, decltype(void(V::kVectorSums))> {
  static constexpr bool value = V::kVectorSums;
};

// kRows rows of A (row stride lda) times kCols rows of B (row stride ldb), k long, written into
// the kRows x kCols block of C at c through w (w.bias: the block's first column).
template <class V, size_t kRows, size_t kCols>
void dotBlock(size_t k, const float* a, size_t lda, const float* b, size_t ldb, float* c,
              size_t ldc, const WriteBack& w) {
  using Vec = typename V::Vec;
  constexpr size_t W = V::kWidth;
  Vec acc[kRows][kCols];
#pragma GCC unroll 8
  for (size_t r = 0; r < kRows; ++r) {
#pragma GCC unroll 8
    for (size_t x = 0; x < kCols; ++x) acc[r][x] = V::zero();
  }
  const float* br[kCols];
#pragma GCC unroll 8
  for (size_t x = 0; x < kCols; ++x) br[x] = b + x * ldb;
  size_t p = 0;
  for (; p + W <= k; p += W) {
    Vec bv[kCols];
#pragma GCC unroll 8
    for (size_t x = 0; x < kCols; ++x) bv[x] = V::load(br[x] + p);
#pragma GCC unroll 8
    for (size_t r = 0; r < kRows; ++r) {
      const Vec av = V::load(a + r * lda + p);
#pragma GCC unroll 8
      for (size_t x = 0; x < kCols; ++x) acc[r][x] = V::fmadd(av, bv[x], acc[r][x]);
    }
  }
  if (p < k) {  // the last k % W steps; the lanes past k read as zero and add nothing
    const typename V::Mask mask = V::lanes(k, p);
    Vec bv[kCols];
#pragma GCC unroll 8
    for (size_t x = 0; x < kCols; ++x) bv[x] = V::loadMasked(mask, br[x] + p);
#pragma GCC unroll 8
    for (size_t r = 0; r < kRows; ++r) {
      const Vec av = V::loadMasked(mask, a + r * lda + p);
#pragma GCC unroll 8
      for (size_t x = 0; x < kCols; ++x) acc[r][x] = V::fmadd(av, bv[x], acc[r][x]);
    }
  }
  if constexpr (VectorSums<V>::value && (kCols == 4 || kCols == 8)) {
    // The sums of a row's kCols elements in one vector, finished and stored as writeBackTile
    // would (the same operations: gemm_microkernel.h's finish).
    const typename V::Mask mask = V::lanes(kCols, 0);
#pragma GCC unroll 4
    for (size_t r = 0; r < kRows; ++r) {
      float* row = c + r * ldc;
      V::storeMasked(row, mask, V::finishLanes(V::template sums<kCols>(acc[r]), row, w.bias, w, mask));
    }
  } else {
    float sums[kRows * kCols];
#pragma GCC unroll 8
    for (size_t r = 0; r < kRows; ++r) {
#pragma GCC unroll 8
      for (size_t x = 0; x < kCols; ++x) sums[r * kCols + x] = V::sum(acc[r][x]);
    }
    writeBackTile(sums, kCols, c, ldc, kRows, kCols, w);
  }
}

// Columns are taken kBlock at a time (each block's rows of B then stay in L1 while the row
// groups of A go by), inside a block kCols(R) at a time for a group of R rows: as many
// accumulators as the registers hold next to the loads.
constexpr size_t kBlock = 8;

// kRows rows of C, columns [0, cols): B's rows of a block are read once per group of kRows rows.
template <class V, size_t kRows, size_t kCols>
void rowGroup(size_t cols, size_t k, const float* a, size_t lda, const float* b, size_t ldb,
              float* c, size_t ldc, const WriteBack& w) {
  static_assert(kBlock % kCols == 0, "a block of columns holds whole groups");
  WriteBack at = w;
  size_t j = 0;
  for (; j + kCols <= cols; j += kCols) {
    at.bias = w.bias ? w.bias + j : nullptr;
    dotBlock<V, kRows, kCols>(k, a, lda, b + j * ldb, ldb, c + j, ldc, at);
  }
  for (; j < cols; ++j) {
    at.bias = w.bias ? w.bias + j : nullptr;
    dotBlock<V, kRows, 1>(k, a, lda, b + j * ldb, ldb, c + j, ldc, at);
  }
}

// C (rows x cols, row stride ldc) from A (rows x k, row stride lda) and B (cols x k, row stride
// ldb), through w (alpha, beta, bias from w.bias[0], activation when w.last): gemm.h's
// GemvTransB. kMaxCols, kMaxAccumulators: what the ISA's registers hold.
template <class V, size_t kMaxCols, size_t kMaxAccumulators>
void gemvTransB(size_t rows, size_t cols, size_t k, const float* a, size_t lda, const float* b,
                size_t ldb, float* c, size_t ldc, const WriteBack& w) {
  constexpr size_t k1 = kMaxCols, k2 = kMaxAccumulators / 2 < k1 ? kMaxAccumulators / 2 : k1;
  constexpr size_t k3 = kBlock / 2 <= kMaxAccumulators / 3 ? kBlock / 2 : kBlock / 4;
  constexpr size_t k4 = kMaxAccumulators / 4 >= kBlock / 2 ? kBlock / 2 : kBlock / 4;
  for (size_t j = 0; j < cols; j += kBlock) {
    const size_t width = cols - j < kBlock ? cols - j : kBlock;
    WriteBack at = w;
    at.bias = w.bias ? w.bias + j : nullptr;
    for (size_t i = 0; i < rows;) {
      const size_t left = rows - i;
      const float* ai = a + i * lda;
      const float* bj = b + j * ldb;
      float* cij = c + i * ldc + j;
      if (left >= 4) {
        rowGroup<V, 4, k4>(width, k, ai, lda, bj, ldb, cij, ldc, at);
        i += 4;
      } else if (left == 3) {
        rowGroup<V, 3, k3>(width, k, ai, lda, bj, ldb, cij, ldc, at);
        i += 3;
      } else if (left == 2) {
        rowGroup<V, 2, k2>(width, k, ai, lda, bj, ldb, cij, ldc, at);
        i += 2;
      } else {
        rowGroup<V, 1, k1>(width, k, ai, lda, bj, ldb, cij, ldc, at);
        i += 1;
      }
    }
  }
}

}  // namespace
}  // namespace gemv
}  // namespace tg
