// The AVX-512 BF16 instantiation of the GEMM micro-kernel (gemm_microkernel.h): the 12x32 tile of
// gemm_avx512.cc, its operands bfloat16 pairs along k. Per pair of steps: two loads of B (16
// columns of pairs each), twelve 32-bit broadcasts of A's pairs and 24 vdpbf16ps, each adding
// two products to every float lane; the accumulators and so the write-back stay float. Included
// nothing but intrinsics and headers whose code is in unnamed namespaces (see gemm_avx512.cc).
#include "gemm.h"
#include "gemm_bf16.h"

#if defined(TG_X86) && defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512BF16__)
#include <immintrin.h>

#include "gemm_microkernel.h"
#include "gemm_zmm.h"

namespace tg {
namespace avx512bf16 {

namespace {

// bfloat16 pairs: one multiply-add covers two steps of k (kDepth 2). A pair of A read as 32 bits
// and set to every lane; a vector of B is 16 columns of pairs.
struct Bf16Pairs {
  using Element = uint16_t;
  using Vec = __m512;
  static constexpr size_t kDepth = 2;
  static Vec broadcast(const uint16_t* a) {
    int pair;
    __builtin_memcpy(&pair, a, sizeof pair);
    return _mm512_castsi512_ps(_mm512_set1_epi32(pair));
  }
  static Vec loadB(const uint16_t* b) { return _mm512_castsi512_ps(_mm512_load_si512(b)); }
  static Vec loadBMasked(__mmask16 mask, const uint16_t* b) {
    return _mm512_castsi512_ps(_mm512_maskz_loadu_epi32(mask, b));
  }
  static Vec madd(Vec acc, Vec a, Vec b) {
    return _mm512_dpbf16_ps(acc, (__m512bh)_mm512_castps_si512(a),
                            (__m512bh)_mm512_castps_si512(b));
  }
};

struct Tile {
  using V = Zmm;
  using E = Bf16Pairs;
  static constexpr size_t kPrefetchSteps = 24;  // pairs: C into L1 48 steps from the end
  static constexpr size_t kMr = avx512bf16::kMr, kVectors = avx512bf16::kNr / Zmm::kWidth;
  using Rows = microkernel::RowCounts<4, 8, 10>;
  static constexpr bool kFlushSubnormals = false;
};

// GCC 12's unmasked intrinsics start from _mm512_undefined_*(), which -Wmaybe-uninitialized
// reports once inlined (GCC bug 105593): a false positive.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

// roundToBf16 (gemm_bf16.h) on 16 floats: the bfloat16 bits in the low half of each 32-bit lane.
__m512i roundToBf16(__m512 v) {
  const __m512i x = _mm512_castps_si512(v);
  const __m512i lsb = _mm512_and_si512(_mm512_srli_epi32(x, 16), _mm512_set1_epi32(1));
  const __m512i bias = _mm512_add_epi32(lsb, _mm512_set1_epi32(0x7fff));
  __m512i r = _mm512_srli_epi32(_mm512_add_epi32(x, bias), 16);
  const __mmask16 nan = _mm512_cmpgt_epu32_mask(_mm512_and_si512(x, _mm512_set1_epi32(0x7fffffff)),
                                                _mm512_set1_epi32(0x7f800000));
  r = _mm512_mask_mov_epi32(r, nan, _mm512_set1_epi32(0x7fc0));
  const __mmask16 subnormal = _mm512_testn_epi32_mask(r, _mm512_set1_epi32(0x7f80));
  return _mm512_mask_and_epi32(r, subnormal, r, _mm512_set1_epi32(0x8000));
}

// flushBf16 on 32 bfloat16 values.
__m512i flushBf16(__m512i h) {
  const __mmask32 subnormal = _mm512_testn_epi16_mask(h, _mm512_set1_epi16(0x7f80));
  return _mm512_mask_mov_epi16(h, subnormal, _mm512_and_si512(h, _mm512_set1_epi16(-0x8000)));
}

// 16 lanes of one step, rounded, in the low halves of 32-bit lanes; lanes outside `mask` are 0.
__m512i stepOf(const float* p, __mmask16 mask) {
  return roundToBf16(_mm512_maskz_loadu_ps(mask, p));
}
__m512i stepOf(const uint16_t* p, __mmask16 mask) {
  return flushBf16(_mm512_cvtepu16_epi32(_mm256_maskz_loadu_epi16(mask, p)));
}

// 16 pairs of steps of one lane (steps first.. first + 31, those outside `mask32` 0), as 16
// 32-bit words in step order.
__m512i pairsOf(const float* p, __mmask32 mask32) {
  const __m256i lo = _mm512_cvtepi32_epi16(stepOf(p, static_cast<__mmask16>(mask32)));
  const __m256i hi = _mm512_cvtepi32_epi16(stepOf(p + 16, static_cast<__mmask16>(mask32 >> 16)));
  return _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1);
}
__m512i pairsOf(const uint16_t* p, __mmask32 mask32) {
  return flushBf16(_mm512_maskz_loadu_epi16(mask32, p));
}

// packPairs of gemm_bf16.cc, vectorized, for a panel W lanes wide (12 or 32). Lanes contiguous:
// two steps loaded, rounded and interleaved into pairs per 16 lanes. Steps contiguous: 16 pairs
// of 16 lanes loaded, then transposed in registers.
template <size_t W, class S>
void pack(const S* src, size_t laneStride, size_t kStride, size_t lanes, size_t kc,
          uint16_t* dst) {
  constexpr size_t kGroups = (W + 15) / 16;
  const __mmask16 storeMask = Zmm::lanes(W, 0);
  if (laneStride == 1) {
    __mmask16 laneMask[kGroups];
    for (size_t g = 0; g < kGroups; ++g) laneMask[g] = Zmm::lanes(lanes, 16 * g);
    for (size_t p = 0; p < kc; p += 2, dst += 2 * W) {
      const S* in = src + p * kStride;
      const bool second = p + 1 < kc;
      for (size_t g = 0; g < kGroups; ++g) {
        const __m512i lo = stepOf(in + 16 * g, laneMask[g]);
        const __m512i hi = stepOf(in + kStride + 16 * g, second ? laneMask[g] : __mmask16(0));
        const __m512i pairs = _mm512_or_si512(lo, _mm512_slli_epi32(hi, 16));
        if (W % 16 == 0) {
          _mm512_store_si512(dst + 32 * g, pairs);  // the B panels are 64-byte aligned
        } else {
          _mm512_mask_storeu_epi32(dst + 32 * g, storeMask, pairs);
        }
      }
    }
    return;
  }
  for (size_t p0 = 0; p0 < kc; p0 += 32) {
    const size_t steps = kc - p0 < 32 ? kc - p0 : 32, pairs = (steps + 1) / 2;
    const __mmask32 stepMask = steps == 32 ? ~__mmask32(0) : (__mmask32(1) << steps) - 1;
    for (size_t g = 0; g < kGroups; ++g) {
      __m512 r[16];
      for (size_t l = 0; l < 16; ++l) {
        const size_t lane = 16 * g + l;
        r[l] = lane < lanes ? _mm512_castsi512_ps(pairsOf(src + lane * laneStride + p0, stepMask))
                            : _mm512_setzero_ps();
      }
      Zmm::transpose(r);
      for (size_t q = 0; q < pairs; ++q) {
        uint16_t* out = dst + (p0 + 2 * q) * W + 32 * g;
        if (W % 16 == 0) {
          _mm512_store_si512(out, _mm512_castps_si512(r[q]));
        } else {
          _mm512_mask_storeu_epi32(out, storeMask, _mm512_castps_si512(r[q]));
        }
      }
    }
  }
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

}  // namespace

void microKernel(size_t kc, const uint16_t* a, const uint16_t* b, float* c, size_t ldc,
                 size_t rows, size_t cols, const WriteBack& w) {
  microkernel::byWidth<Tile, microkernel::AMode::Packed, true, false>(kc, a, 1, kMr, b, kNr, c,
                                                                       ldc, rows, cols, w);
}

void microKernelTransposedC(size_t kc, const uint16_t* a, const uint16_t* b, float* c,
                            size_t ldc, size_t rows, size_t cols, const WriteBack& w) {
  microkernel::byWidth<Tile, microkernel::AMode::Packed, true, true>(kc, a, 1, kMr, b, kNr, c,
                                                                      ldc, rows, cols, w);
}

void packA(const float* src, size_t laneStride, size_t kStride, size_t lanes, size_t kc,
           uint16_t* dst) {
  pack<kMr>(src, laneStride, kStride, lanes, kc, dst);
}
void packB(const float* src, size_t laneStride, size_t kStride, size_t lanes, size_t kc,
           uint16_t* dst) {
  pack<kNr>(src, laneStride, kStride, lanes, kc, dst);
}
void packA(const uint16_t* src, size_t laneStride, size_t kStride, size_t lanes, size_t kc,
           uint16_t* dst) {
  pack<kMr>(src, laneStride, kStride, lanes, kc, dst);
}
void packB(const uint16_t* src, size_t laneStride, size_t kStride, size_t lanes, size_t kc,
           uint16_t* dst) {
  pack<kNr>(src, laneStride, kStride, lanes, kc, dst);
}

}  // namespace avx512bf16
}  // namespace tg

#elif defined(TG_X86)
#error "the AVX-512 units must be compiled with native/sources.json avx512_cflags (-mavx512bf16)"
#endif
