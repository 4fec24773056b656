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

namespace tg {
namespace avx512 {

namespace {

// The zmm registers: 16 floats, k-masks.
struct Zmm {
  using Vec = __m512;
  using Mask = __mmask16;
  static constexpr size_t kWidth = 16;
  TG_GEMM_VECTOR_OPS(_mm512)
  static Vec loadMasked(Mask mask, const float* p) { return _mm512_maskz_loadu_ps(mask, p); }
  static void storeMasked(float* p, Mask mask, Vec v) { _mm512_mask_storeu_ps(p, mask, v); }
  // The lanes of 16 columns starting at `first` that lie below `cols`.
  static Mask lanes(size_t cols, size_t first) {
    if (cols <= first) return 0;
    return cols - first >= 16 ? Mask(0xffff) : Mask((1u << (cols - first)) - 1u);
  }
  // "not less-or-equal, unordered": true for v > 0 and for NaN, which passes through.
  static Mask keep(Vec v) { return _mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_NLE_UQ); }
  static Vec relu(Vec v) { return _mm512_maskz_mov_ps(keep(v), v); }  // +0 where not kept
  static Vec leakyRelu(Vec v, Vec slope) {
    return _mm512_mask_blend_ps(keep(v), _mm512_mul_ps(slope, v), v);
  }
  static void transpose(Vec r[16]);
};

// GCC 12's unmasked shuffle intrinsics start from _mm512_undefined_ps(), which -Wuninitialized
// reports once inlined (GCC bug 105593): a false positive.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
// Transposes 16 rows of 16 floats in place: afterwards r[j] holds column j of the input.
void Zmm::transpose(__m512 r[16]) {
  __m512 t[16];
  for (int i = 0; i < 16; i += 2) {  // 2x2 blocks of floats
    t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
    t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
  }
  for (int g = 0; g < 16; g += 4) {  // 4x4 blocks: r[g + j] holds columns j, j+4, j+8, j+12
    const __m512d t0 = _mm512_castps_pd(t[g]), t1 = _mm512_castps_pd(t[g + 1]);
    const __m512d t2 = _mm512_castps_pd(t[g + 2]), t3 = _mm512_castps_pd(t[g + 3]);
    r[g] = _mm512_castpd_ps(_mm512_unpacklo_pd(t0, t2));
    r[g + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(t0, t2));
    r[g + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(t1, t3));
    r[g + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(t1, t3));
  }
  for (int j = 0; j < 4; ++j) {  // gather the 128-bit lanes of the four row groups
    const __m512 v0 = _mm512_shuffle_f32x4(r[j], r[4 + j], 0x44);
    const __m512 v1 = _mm512_shuffle_f32x4(r[j], r[4 + j], 0xee);
    const __m512 w0 = _mm512_shuffle_f32x4(r[8 + j], r[12 + j], 0x44);
    const __m512 w1 = _mm512_shuffle_f32x4(r[8 + j], r[12 + j], 0xee);
    t[j] = _mm512_shuffle_f32x4(v0, w0, 0x88);
    t[j + 4] = _mm512_shuffle_f32x4(v0, w0, 0xdd);
    t[j + 8] = _mm512_shuffle_f32x4(v1, w1, 0x88);
    t[j + 12] = _mm512_shuffle_f32x4(v1, w1, 0xdd);
  }
  for (int j = 0; j < 16; ++j) r[j] = t[j];
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

// The 12x32 tile: 24 zmm accumulators (two per row of C), 2 for B, broadcasts of A. Tiles of at
// most 4, 8 or 10 rows (the edge of a batch of 128; C^T of a C 10 wide) compute only those.
struct Tile {
  using V = Zmm;
  using E = microkernel::Fp32<Zmm>;
  static constexpr size_t kPrefetchSteps = 48;  // C into L2 at the start, L1 48 steps from the end
  static constexpr size_t kMr = avx512::kMr, kVectors = avx512::kNr / Zmm::kWidth;
  using Rows = microkernel::RowCounts<4, 8, 10>;
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
