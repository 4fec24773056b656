// The AVX2/FMA instantiation of the GEMM micro-kernel (gemm_microkernel.h): a 6x16 tile of C
// held in 12 ymm registers, one FMA per (row, half-row) per step of k over the packed panels;
// edge tiles through masked loads and stores. AVX2 units include nothing but intrinsics and
// headers whose code is declared in unnamed namespaces: an inline function or template
// instantiated here could otherwise be the copy the linker keeps for the whole addon, and then
// run on a CPU without AVX2.
#include "gemm.h"

#if defined(TG_X86) && defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>

#include "gemm_microkernel.h"
#include "gemm_gemv.h"

namespace tg {
namespace avx2 {

namespace {

// The ymm registers: 8 floats; a mask is a vector of 8 all-ones or zero lanes.
struct Ymm {
  using Vec = __m256;
  using Mask = __m256i;
  static constexpr size_t kWidth = 8;
  TG_GEMM_VECTOR_OPS(_mm256)
  static Vec loadMasked(Mask mask, const float* p) { return _mm256_maskload_ps(p, mask); }
  static void storeMasked(float* p, Mask mask, Vec v) { _mm256_maskstore_ps(p, mask, v); }
  // The lanes of 8 columns starting at `first` that lie below `cols`.
  static Mask lanes(size_t cols, size_t first) {
    const int count = cols <= first ? 0 : cols - first >= 8 ? 8 : static_cast<int>(cols - first);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(count), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  // "not less-or-equal, unordered": true for v > 0 and for NaN, which passes through.
  static Vec keep(Vec v) { return _mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_NLE_UQ); }
  static Vec relu(Vec v) { return _mm256_and_ps(v, keep(v)); }  // +0 where not kept
  static Vec leakyRelu(Vec v, Vec slope) {
    return _mm256_blendv_ps(_mm256_mul_ps(slope, v), v, keep(v));
  }
  // The 8 lanes added in a halving tree: l + (l + 4), then + 2, + 1.
  static float sum(Vec v) {
    const __m128 s4 = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    const __m128 s2 = _mm_add_ps(s4, _mm_movehl_ps(s4, s4));
    return _mm_cvtss_f32(_mm_add_ss(s2, _mm_movehdup_ps(s2)));
  }
};

// The 6x16 tile: 12 ymm accumulators, 2 for B, 1 broadcast of A. Tiles of at most 1, 2 or 4
// rows (a small batch read in place, the edge of a larger one) compute only those.
struct Tile {
  using V = Ymm;
  using E = microkernel::Fp32<Ymm>;
  static constexpr size_t kPrefetchSteps = 0;  // the tile of C is fetched into L1 at the start
  static constexpr size_t kMr = avx2::kMr, kVectors = avx2::kNr / Ymm::kWidth;
  using Rows = microkernel::RowCounts<1, 2, 4>;
  static constexpr bool kFlushSubnormals = false;
};

// The same tile with FTZ and DAZ in the k loop: the emulated bfloat16 GEMM's kernel.
struct FlushingTile : Tile {
  static constexpr bool kFlushSubnormals = true;
};

}  // namespace

void microKernel(size_t kc, const float* a, const float* b, float* c, size_t ldc, size_t rows,
                 size_t cols, const WriteBack& w) {
  microkernel::byWidth<Tile, microkernel::AMode::Packed, true, false>(kc, a, 1, kMr, b, kNr,
                                                                          c, ldc, rows, cols, w);
}

void microKernelInPlaceA(size_t kc, const float* a, size_t rowStride, size_t colStride,
                         const float* b, float* c, size_t ldc, size_t rows, size_t cols,
                         const WriteBack& w) {
  microkernel::inPlaceA<Tile, true, false>(kc, a, rowStride, colStride, b, kNr, c, ldc, rows,
                                           cols, w);
}

void microKernelDirect(size_t kc, const float* a, size_t rowStride, size_t colStride,
                       const float* b, size_t ldb, float* c, size_t ldc, size_t rows,
                       size_t cols, const WriteBack& w) {
  microkernel::inPlaceA<Tile, false, false>(kc, a, rowStride, colStride, b, ldb, c, ldc, rows,
                                            cols, w);
}

// 16 ymm registers: at most 8 accumulators and 4 columns of B at a time.
void gemvTransB(size_t rows, size_t cols, size_t k, const float* a, size_t lda, const float* b,
                size_t ldb, float* c, size_t ldc, const WriteBack& w) {
  gemv::gemvTransB<Ymm, 4, 8>(rows, cols, k, a, lda, b, ldb, c, ldc, w);
}

void microKernelFlushing(size_t kc, const float* a, const float* b, float* c, size_t ldc,
                         size_t rows, size_t cols, const WriteBack& w) {
  microkernel::byWidth<FlushingTile, microkernel::AMode::Packed, true, false>(
      kc, a, 1, kMr, b, kNr, c, ldc, rows, cols, w);
}

}  // namespace avx2
}  // namespace tg

#elif defined(TG_X86)
#error "the AVX2 units must be compiled with -mavx2 -mfma (native/sources.json: avx2_cflags)"
#endif
