// The zmm registers as the vector traits of the GEMM micro-kernel template
// (gemm_microkernel.h): 16 floats, k-masks, a 16x16 transpose. For the AVX-512 units only, after
// <immintrin.h> and gemm_microkernel.h; everything in an unnamed namespace, as there.
#pragma once

#include <cstddef>

namespace tg {
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
  // The 16 lanes added in a halving tree: l + (l + 8), then + 4, + 2, + 1.
  static float sum(Vec v);
  // sum() of each of kCount vectors (4 or 8), the same additions of the same operands, several
  // vectors per instruction: the sums in lanes 0 .. kCount - 1 (gemm_gemv.h).
  static constexpr bool kVectorSums = true;
  template <size_t kCount>
  static Vec sums(const Vec* x);
  // gemm_microkernel.h's finish() for the lanes of `mask` of one row of C.
  static Vec finishLanes(Vec v, const float* c, const float* bias, const WriteBack& w, Mask mask);
};

// GCC 12's unmasked shuffle intrinsics start from _mm512_undefined_ps(), which -Wuninitialized
// and -Wmaybe-uninitialized report once inlined (GCC bug 105593): a false positive.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
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
inline float Zmm::sum(__m512 v) {
  const __m256 s8 = _mm256_add_ps(_mm512_castps512_ps256(v),
                                  _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)));
  const __m128 s4 = _mm_add_ps(_mm256_castps256_ps128(s8), _mm256_extractf128_ps(s8, 1));
  const __m128 s2 = _mm_add_ps(s4, _mm_movehl_ps(s4, s4));
  return _mm_cvtss_f32(_mm_add_ss(s2, _mm_movehdup_ps(s2)));
}
template <size_t kCount>
inline __m512 Zmm::sums(const __m512* x) {
  static_assert(kCount == 4 || kCount == 8, "sums of 4 or 8 vectors");
  // l + (l + 8): the low and high 256 bits of two vectors side by side, added.
  __m512 t[kCount / 2];
  for (size_t i = 0; i < kCount / 2; ++i) {
    t[i] = _mm512_add_ps(_mm512_shuffle_f32x4(x[2 * i], x[2 * i + 1], 0x44),
                         _mm512_shuffle_f32x4(x[2 * i], x[2 * i + 1], 0xee));
  }
  // + (l + 4): the low and high 128 bits of each 8-lane half; vector j's four in quarter j % 4.
  __m512 u[kCount / 4];
  for (size_t i = 0; i < kCount / 4; ++i) {
    u[i] = _mm512_add_ps(_mm512_shuffle_f32x4(t[2 * i], t[2 * i + 1], 0x88),
                         _mm512_shuffle_f32x4(t[2 * i], t[2 * i + 1], 0xdd));
  }
  // + (l + 2), then + (l + 1): vector j's sum in lane 4j (and vector j + 4's in lane 4j + 2).
  const __m512 hi = kCount == 8 ? u[kCount / 4 - 1] : u[0];
  const __m512 v = _mm512_add_ps(_mm512_shuffle_ps(u[0], hi, _MM_SHUFFLE(1, 0, 1, 0)),
                                 _mm512_shuffle_ps(u[0], hi, _MM_SHUFFLE(3, 2, 3, 2)));
  const __m512 s = _mm512_add_ps(v, _mm512_permute_ps(v, _MM_SHUFFLE(2, 3, 0, 1)));
  return _mm512_permutexvar_ps(_mm512_setr_epi32(0, 4, 8, 12, 2, 6, 10, 14, 0, 0, 0, 0, 0, 0, 0, 0), s);
}

inline __m512 Zmm::finishLanes(__m512 v, const float* c, const float* bias, const WriteBack& w,
                               __mmask16 mask) {
  return microkernel::finish<Zmm>(v, c, bias, w, mask);
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

}  // namespace
}  // namespace tg
