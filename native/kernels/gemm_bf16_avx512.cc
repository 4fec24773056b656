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
    return _mm512_dpbf16_ps(acc, (__m512bh)_mm512_castps_si512(a), (__m512bh)_mm512_castps_si512(b));
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

}  // namespace avx512bf16
}  // namespace tg

#elif defined(TG_X86)
#error "the AVX-512 units must be compiled with native/sources.json avx512_cflags (-mavx512bf16 ...)"
#endif
