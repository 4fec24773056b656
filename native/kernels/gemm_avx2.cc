// The AVX2/FMA micro-kernel of gemm.cc's blocked GEMM: a 6x16 tile of C held in 12 ymm
// registers, one FMA per (row, half-row) per step of k over the packed panels, then the
// write-back (alpha, beta, bias, activation) while the tile is still in registers. AVX2 units
// include nothing but intrinsics and declaration-only headers: an inline function or template
// instantiated here could be the copy the linker keeps for the whole addon, and then run on a
// CPU without AVX2.
#include "gemm.h"

#if defined(TG_X86) && defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>

namespace tg {
namespace avx2 {

namespace {

// Loads 8 floats, or only the lanes of `mask` (the others read as 0, never touching memory).
__m256 load(const float* p, const __m256i* mask) {
  return mask ? _mm256_maskload_ps(p, *mask) : _mm256_loadu_ps(p);
}

// The same operations, in the same order, as writeBackTile in gemm.cc, on 8 columns of a row
// of C (only the lanes of `mask` when given).
__m256 finish(__m256 acc, const float* c, const float* bias, const WriteBack& w,
              const __m256i* mask) {
  __m256 v = w.alpha == 1.0f ? acc : _mm256_mul_ps(_mm256_set1_ps(w.alpha), acc);
  if (w.beta == 1.0f) {
    v = _mm256_add_ps(v, load(c, mask));
  } else if (w.beta != 0.0f) {
    v = _mm256_add_ps(v, _mm256_mul_ps(_mm256_set1_ps(w.beta), load(c, mask)));
  }
  if (!w.last) return v;
  if (bias) v = _mm256_add_ps(v, load(bias, mask));
  const __m256 zero = _mm256_setzero_ps();
  // "not less-or-equal, unordered": true for v > 0 and for NaN, which passes through.
  const __m256 keep = _mm256_cmp_ps(v, zero, _CMP_NLE_UQ);
  switch (w.activation) {
    case Activation::Relu:
      return _mm256_and_ps(v, keep);
    case Activation::LeakyRelu:
      return _mm256_blendv_ps(_mm256_mul_ps(_mm256_set1_ps(w.slope), v), v, keep);
    case Activation::None:
      break;
  }
  return v;
}

// Writes the 6x16 tile (acc[2 * r + h]: row r, columns 8h..8h+7) into the rows x cols valid
// part of C: plain stores for a full tile, masked loads and stores at an edge.
void writeTile(const __m256* acc, float* c, size_t ldc, size_t rows, size_t cols,
               const WriteBack& parameters) {
  // A copy the stores into C cannot alias, so its tests stay in registers.
  const WriteBack w = parameters;
  if (rows == kMr && cols == kNr && w.alpha == 1.0f && !w.last &&
      (w.beta == 0.0f || w.beta == 1.0f)) {
    // The two write-backs of plain gemm's k blocks (alpha = 1), nothing tested per vector: the
    // first block stores the sum (beta = 0), the later ones add to it (beta = 1).
    const bool add = w.beta == 1.0f;
    for (size_t r = 0; r < kMr; ++r) {
      float* row = c + r * ldc;
      __m256 v0 = acc[2 * r], v1 = acc[2 * r + 1];
      if (add) {
        v0 = _mm256_add_ps(v0, _mm256_loadu_ps(row));
        v1 = _mm256_add_ps(v1, _mm256_loadu_ps(row + 8));
      }
      _mm256_storeu_ps(row, v0);
      _mm256_storeu_ps(row + 8, v1);
    }
    return;
  }
  if (rows == kMr && cols == kNr) {
    // Any other full tile: what finish() does, its tests and constants taken out of the loop.
    const bool scale = w.alpha != 1.0f, addC = w.beta != 0.0f, scaleC = addC && w.beta != 1.0f;
    const bool addBias = w.last && w.bias;
    const Activation activation = w.last ? w.activation : Activation::None;
    const __m256 alpha = _mm256_set1_ps(w.alpha), beta = _mm256_set1_ps(w.beta);
    const __m256 slope = _mm256_set1_ps(w.slope), zero = _mm256_setzero_ps();
    const __m256 bias[2] = {addBias ? _mm256_loadu_ps(w.bias) : zero,
                            addBias ? _mm256_loadu_ps(w.bias + 8) : zero};
    for (size_t r = 0; r < kMr; ++r) {
      for (size_t h = 0; h < 2; ++h) {
        float* at = c + r * ldc + h * 8;
        __m256 v = scale ? _mm256_mul_ps(alpha, acc[2 * r + h]) : acc[2 * r + h];
        if (addC) {
          const __m256 old = _mm256_loadu_ps(at);
          v = _mm256_add_ps(v, scaleC ? _mm256_mul_ps(beta, old) : old);
        }
        if (addBias) v = _mm256_add_ps(v, bias[h]);
        if (activation != Activation::None) {
          const __m256 keep = _mm256_cmp_ps(v, zero, _CMP_NLE_UQ);  // v > 0 or NaN
          v = activation == Activation::Relu
                  ? _mm256_and_ps(v, keep)
                  : _mm256_blendv_ps(_mm256_mul_ps(slope, v), v, keep);
        }
        _mm256_storeu_ps(at, v);
      }
    }
    return;
  }
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  const __m256i mask[2] = {_mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(cols)), lane),
                           _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(cols) - 8), lane)};
  for (size_t r = 0; r < rows; ++r) {
    for (size_t h = 0; h < 2 && h * 8 < cols; ++h) {
      float* at = c + r * ldc + h * 8;
      const float* bias = w.bias ? w.bias + h * 8 : nullptr;
      _mm256_maskstore_ps(at, mask[h], finish(acc[2 * r + h], at, bias, w, &mask[h]));
    }
  }
}

// The 6x16 micro-kernel. kPacked: A is a packed panel, A(r, p) = a[p * MR + r]; otherwise A is
// read in place, A(r, p) = a[r * rowStride + p * colStride], rows past `rows` reading row 0
// (their results are never written). Both do the same FMAs in the same order.
template <bool kPacked>
void kernel(size_t kc, const float* a, size_t rowStride, size_t colStride, const float* b,
            float* c, size_t ldc, size_t rows, size_t cols, const WriteBack& w) {
  const float* ar[kMr];
  for (size_t r = 0; r < kMr; ++r) ar[r] = kPacked ? a + r : a + (r < rows ? r : 0) * rowStride;
  const size_t step = kPacked ? kMr : colStride;
  // Fetch the tile of C now so the write-back does not wait for it (its rows are pages apart).
  for (size_t r = 0; r < rows; ++r) {
    _mm_prefetch(reinterpret_cast<const char*>(c + r * ldc), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(c + r * ldc + cols - 1), _MM_HINT_T0);
  }
  __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
  __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
  __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
  __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
  __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
  __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
  size_t off = 0;
  // The packed panels are 64-byte aligned and B rows are 16 floats: aligned loads.
#pragma GCC unroll 4
  for (size_t p = 0; p < kc; ++p, off += step) {
    const __m256 b0 = _mm256_load_ps(b);
    const __m256 b1 = _mm256_load_ps(b + 8);
    __m256 x = _mm256_broadcast_ss(kPacked ? a + off : ar[0] + off);
    c00 = _mm256_fmadd_ps(x, b0, c00);
    c01 = _mm256_fmadd_ps(x, b1, c01);
    x = _mm256_broadcast_ss(kPacked ? a + off + 1 : ar[1] + off);
    c10 = _mm256_fmadd_ps(x, b0, c10);
    c11 = _mm256_fmadd_ps(x, b1, c11);
    x = _mm256_broadcast_ss(kPacked ? a + off + 2 : ar[2] + off);
    c20 = _mm256_fmadd_ps(x, b0, c20);
    c21 = _mm256_fmadd_ps(x, b1, c21);
    x = _mm256_broadcast_ss(kPacked ? a + off + 3 : ar[3] + off);
    c30 = _mm256_fmadd_ps(x, b0, c30);
    c31 = _mm256_fmadd_ps(x, b1, c31);
    x = _mm256_broadcast_ss(kPacked ? a + off + 4 : ar[4] + off);
    c40 = _mm256_fmadd_ps(x, b0, c40);
    c41 = _mm256_fmadd_ps(x, b1, c41);
    x = _mm256_broadcast_ss(kPacked ? a + off + 5 : ar[5] + off);
    c50 = _mm256_fmadd_ps(x, b0, c50);
    c51 = _mm256_fmadd_ps(x, b1, c51);
    b += kNr;
  }
  const __m256 acc[2 * kMr] = {c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51};
  writeTile(acc, c, ldc, rows, cols, w);
}

}  // namespace

void microKernel(size_t kc, const float* a, const float* b, float* c, size_t ldc, size_t rows,
                 size_t cols, const WriteBack& w) {
  kernel<true>(kc, a, 1, kMr, b, c, ldc, rows, cols, w);
}

void microKernelInPlaceA(size_t kc, const float* a, size_t rowStride, size_t colStride,
                         const float* b, float* c, size_t ldc, size_t rows, size_t cols,
                         const WriteBack& w) {
  kernel<false>(kc, a, rowStride, colStride, b, c, ldc, rows, cols, w);
}

}  // namespace avx2
}  // namespace tg

#elif defined(TG_X86)
#error "the AVX2 units must be compiled with -mavx2 -mfma (native/sources.json: avx2_cflags)"
#endif
