// The AVX2 variant of dropout.cc: Philox-4x32-10 on 8 blocks at once (one block per 32-bit
// lane, the 32x32 -> 64-bit products from _mm256_mul_epu32 on even and odd lanes), then the
// keep test and the product 8 elements a step. The same bits as rng.cc's philox and the
// portable loop. Include nothing but intrinsics and declaration-only headers (see gemm_avx2.cc).
#include "dropout.h"

#if defined(TG_X86) && defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>

namespace tg {
namespace avx2 {

namespace {

constexpr uint32_t kMul0 = 0xD2511F53u, kMul1 = 0xCD9E8D57u;
constexpr uint32_t kWeyl0 = 0x9E3779B9u, kWeyl1 = 0xBB67AE85u;

// The low and high 32 bits of mul * a in each lane.
inline void mulHiLo(__m256i mul, __m256i a, __m256i* hi, __m256i* lo) {
  const __m256i even = _mm256_mul_epu32(a, mul);                          // lanes 0, 2, 4, 6
  const __m256i odd = _mm256_mul_epu32(_mm256_srli_epi64(a, 32), mul);    // lanes 1, 3, 5, 7
  *lo = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
  *hi = _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xAA);
}

}  // namespace

void dropoutGroups(const float* in, float* out, size_t groups, uint64_t counter, uint64_t seed,
                   uint32_t threshold, float scale) {
  const __m256i mul0 = _mm256_set1_epi32(static_cast<int>(kMul0));
  const __m256i mul1 = _mm256_set1_epi32(static_cast<int>(kMul1));
  // Signed compare is safe: word >> 8 < 2^24, threshold <= 2^24.
  const __m256i below = _mm256_set1_epi32(static_cast<int>(threshold) - 1);
  const __m256 factor = _mm256_set1_ps(scale);
  alignas(32) uint32_t low[8], high[8], words[4][8];
  for (size_t g = 0; g < groups; ++g, counter += 8) {
    for (unsigned lane = 0; lane < 8; ++lane) {
      low[lane] = static_cast<uint32_t>(counter + lane);
      high[lane] = static_cast<uint32_t>((counter + lane) >> 32);
    }
    __m256i c0 = _mm256_load_si256(reinterpret_cast<const __m256i*>(low));
    __m256i c1 = _mm256_load_si256(reinterpret_cast<const __m256i*>(high));
    __m256i c2 = _mm256_setzero_si256(), c3 = _mm256_setzero_si256();
    uint32_t k0 = static_cast<uint32_t>(seed), k1 = static_cast<uint32_t>(seed >> 32);
    for (int round = 0; round < 10; ++round) {
      __m256i hi0, lo0, hi1, lo1;
      mulHiLo(mul0, c0, &hi0, &lo0);
      mulHiLo(mul1, c2, &hi1, &lo1);
      c0 = _mm256_xor_si256(_mm256_xor_si256(hi1, c1), _mm256_set1_epi32(static_cast<int>(k0)));
      c1 = lo1;
      c2 = _mm256_xor_si256(_mm256_xor_si256(hi0, c3), _mm256_set1_epi32(static_cast<int>(k1)));
      c3 = lo0;
      k0 += kWeyl0;
      k1 += kWeyl1;
    }
    _mm256_store_si256(reinterpret_cast<__m256i*>(words[0]), c0);
    _mm256_store_si256(reinterpret_cast<__m256i*>(words[1]), c1);
    _mm256_store_si256(reinterpret_cast<__m256i*>(words[2]), c2);
    _mm256_store_si256(reinterpret_cast<__m256i*>(words[3]), c3);
    // Element 4 * block + word of this group of 32.
    alignas(32) uint32_t stream[32];
    for (unsigned lane = 0; lane < 8; ++lane) {
      for (unsigned w = 0; w < 4; ++w) stream[4 * lane + w] = words[w][lane];
    }
    const float* src = in + 32 * g;
    float* dst = out + 32 * g;
    for (unsigned q = 0; q < 4; ++q) {
      const __m256i bits = _mm256_srli_epi32(_mm256_load_si256(reinterpret_cast<const __m256i*>(stream + 8 * q)), 8);
      const __m256 keep = _mm256_castsi256_ps(_mm256_cmpgt_epi32(bits, below));
      const __m256 mask = _mm256_and_ps(keep, factor);  // scale where kept, +0 where dropped
      _mm256_storeu_ps(dst + 8 * q, _mm256_mul_ps(_mm256_loadu_ps(src + 8 * q), mask));
    }
  }
}

}  // namespace avx2
}  // namespace tg

#elif defined(TG_X86)
#error "the AVX2 units must be compiled with -mavx2 -mfma (native/sources.json: avx2_cflags)"
#endif
