// The AVX-512 instantiation of the GEMM micro-kernel (gemm_microkernel.h): a 12x32 tile of C
// held in 24 zmm registers (two per row of row-major C), per step of k two loads of B and twelve
// broadcasts of A feeding 24 FMAs; edge tiles through k-masks. Its variants read A or B in place
// (small products, one-tile-wide C), use one vector per row (C at most 16 wide) or write the
// tile transposed (C^T for a narrow C). Also the panel packers, which transpose in registers
// where gemm.cc's portable ones would read one float at a time. Like the AVX2 units, this one
// includes nothing but intrinsics and headers whose code is declared in unnamed namespaces, so
// that no inline function compiled with -mavx512f can become the copy the rest of the addon
// calls.
#include "gemm.h"

#if defined(TG_X86) && defined(__AVX512F__) && defined(__AVX512DQ__) && \
    defined(__AVX512BW__) && defined(__AVX512VL__) && defined(__FMA__)
#include <immintrin.h>

#include "gemm_microkernel.h"
#include "gemm_zmm.h"
#include "gemm_gemv.h"

namespace tg {
namespace avx512 {

namespace {

// The 12x32 tile: 24 zmm accumulators (two per row of C), 2 for B, broadcasts of A. Tiles of at
// most 1, 2, 4, 8 or 10 rows (a batch of 1 or 2 read in place; the edge of a batch of 128; C^T
// of a C 10 wide) compute only those.
struct Tile {
  using V = Zmm;
  using E = microkernel::Fp32<Zmm>;
  static constexpr size_t kPrefetchSteps = 48;  // C into L2 at the start, L1 48 steps from the end
  static constexpr size_t kMr = avx512::kMr, kVectors = avx512::kNr / Zmm::kWidth;
  using Rows = microkernel::RowCounts<1, 2, 4, 8, 10>;
  static constexpr bool kFlushSubnormals = false;
};

// The same tile with FTZ and DAZ in the k loop: the emulated bfloat16 GEMM's kernel.
struct FlushingTile : Tile {
  static constexpr bool kFlushSubnormals = true;
};

using microkernel::AMode;
using microkernel::byWidth;
using microkernel::inPlaceA;

// packPanel of gemm.cc for a panel W lanes wide (12 or 32). Lanes contiguous in memory: one
// or two masked loads per step of k. Steps of k contiguous (a transposed operand): blocks of 16
// lanes x 16 steps transposed in registers, where the scalar loop would read one float at a time
// from W rows. Lanes past `lanes` and the rows past a panel's end read as zeros.
template <size_t W>
void pack(const float* src, size_t laneStride, size_t kStride, size_t lanes, size_t kc,
          float* dst) {
  constexpr size_t kGroups = (W + 15) / 16;
  __mmask16 laneMask[kGroups];
  for (size_t g = 0; g < kGroups; ++g) laneMask[g] = Zmm::lanes(lanes, 16 * g);
  const __mmask16 storeMask = Zmm::lanes(W, 0);  // 12 lanes of a row of an A panel
  if (laneStride == 1) {
    for (size_t p = 0; p < kc; ++p, dst += W) {
      const float* in = src + p * kStride;
      for (size_t g = 0; g < kGroups; ++g) {
        const __m512 v = _mm512_maskz_loadu_ps(laneMask[g], in + 16 * g);
        if (W % 16 == 0) {
          _mm512_store_ps(dst + 16 * g, v);  // the panels are 64-byte aligned
        } else {
          _mm512_mask_storeu_ps(dst + 16 * g, storeMask, v);
        }
      }
    }
    return;
  }
  for (size_t p0 = 0; p0 < kc; p0 += 16) {
    const size_t steps = kc - p0 < 16 ? kc - p0 : 16;
    const __mmask16 stepMask = Zmm::lanes(steps, 0);
    for (size_t g = 0; g < kGroups; ++g) {
      __m512 r[16];
      for (size_t l = 0; l < 16; ++l) {
        const size_t lane = 16 * g + l;
        r[l] = lane < lanes ? _mm512_maskz_loadu_ps(stepMask, src + lane * laneStride + p0)
                            : _mm512_setzero_ps();
      }
      Zmm::transpose(r);
      for (size_t p = 0; p < steps; ++p) {
        float* out = dst + (p0 + p) * W + 16 * g;
        if (W % 16 == 0) {
          _mm512_store_ps(out, r[p]);
        } else {
          _mm512_mask_storeu_ps(out, storeMask, r[p]);
        }
      }
    }
  }
}

}  // namespace

void microKernel(size_t kc, const float* a, const float* b, float* c, size_t ldc, size_t rows,
                 size_t cols, const WriteBack& w) {
  byWidth<Tile, AMode::Packed, true, false>(kc, a, 1, kMr, b, kNr, c, ldc, rows, cols, w);
}

void microKernelInPlaceA(size_t kc, const float* a, size_t rowStride, size_t colStride,
                         const float* b, float* c, size_t ldc, size_t rows, size_t cols,
                         const WriteBack& w) {
  inPlaceA<Tile, true, false>(kc, a, rowStride, colStride, b, kNr, c, ldc, rows, cols, w);
}

void microKernelTransposedC(size_t kc, const float* a, const float* b, float* c, size_t ldc,
                            size_t rows, size_t cols, const WriteBack& w) {
  byWidth<Tile, AMode::Packed, true, true>(kc, a, 1, kMr, b, kNr, c, ldc, rows, cols, w);
}

void microKernelDirect(size_t kc, const float* a, size_t rowStride, size_t colStride,
                       const float* b, size_t ldb, float* c, size_t ldc, size_t rows,
                       size_t cols, const WriteBack& w) {
  inPlaceA<Tile, false, false>(kc, a, rowStride, colStride, b, ldb, c, ldc, rows, cols, w);
}

void microKernelDirectTransposedC(size_t kc, const float* a, size_t rowStride, size_t colStride,
                                  const float* b, size_t ldb, float* c, size_t ldc, size_t rows,
                                  size_t cols, const WriteBack& w) {
  inPlaceA<Tile, false, true>(kc, a, rowStride, colStride, b, ldb, c, ldc, rows, cols, w);
}

// 32 zmm registers: up to 16 accumulators and 8 columns of B at a time.
void gemvTransB(size_t rows, size_t cols, size_t k, const float* a, size_t lda, const float* b,
                size_t ldb, float* c, size_t ldc, const WriteBack& w) {
  gemv::gemvTransB<Zmm, 8, 16>(rows, cols, k, a, lda, b, ldb, c, ldc, w);
}

void microKernelFlushing(size_t kc, const float* a, const float* b, float* c, size_t ldc,
                         size_t rows, size_t cols, const WriteBack& w) {
  byWidth<FlushingTile, AMode::Packed, true, false>(kc, a, 1, kMr, b, kNr, c, ldc, rows, cols, w);
}

void microKernelFlushingTransposedC(size_t kc, const float* a, const float* b, float* c,
                                    size_t ldc, size_t rows, size_t cols, const WriteBack& w) {
  byWidth<FlushingTile, AMode::Packed, true, true>(kc, a, 1, kMr, b, kNr, c, ldc, rows, cols, w);
}

void packA(const float* src, size_t laneStride, size_t kStride, size_t lanes, size_t kc,
           float* dst) {
  pack<kMr>(src, laneStride, kStride, lanes, kc, dst);
}

void packB(const float* src, size_t laneStride, size_t kStride, size_t lanes, size_t kc,
           float* dst) {
  pack<kNr>(src, laneStride, kStride, lanes, kc, dst);
}

}  // namespace avx512
}  // namespace tg

#elif defined(TG_X86)
#error "the AVX-512 units must be compiled with native/sources.json avx512_cflags (-mavx512f ...)"
#endif
