// The bfloat16 GEMM: float32 C from operands rounded to bfloat16, float32 accumulation. Row-major
// and contiguous like gemm.h's SGEMM, with its arguments, semantics (alpha, beta, transposes,
// empty products) and epilogue; A and B are float32 (rounded while packed) or bfloat16 bits
// (uint16_t, the upper half of a float32).
//
// The numbers, on every path and thread count:
//   - each operand is rounded to bfloat16 to nearest even (as PyTorch's tensor.to(bfloat16); any
//     NaN becomes 0x7fc0), and a bfloat16 subnormal reads as a zero of its sign (vdpbf16ps's DAZ);
//   - k is cut into the blocks of SGEMM's rule (ceil(k / 384) near-equal blocks, each starting
//     at an even step); within a block each element of C starts from 0 and takes the steps in
//     pairs (2q, 2q + 1), odd one first: acc = fma(a[2q+1], b[2q+1], acc), then
//     acc = fma(a[2q], b[2q], acc), each FMA rounded to nearest even with a subnormal result
//     flushed to a zero of its sign — what vdpbf16ps does (Intel SDM; checked on this CPU, and by
//     test/native/gemm-bf16.test.ts); an odd k gets a zero step 2q + 1 at its end;
//   - the blocks are added into C, and alpha, beta, the bias and the activation applied, by
//     SGEMM's float32 write-back (gemm.h WriteBack).
// AVX-512 BF16 computes the steps with vdpbf16ps; the emulated path (AVX-512 or AVX2 without
// BF16: SGEMM's micro-kernels on float panels holding the rounded operands, the pairs swapped,
// under MXCSR's FTZ and DAZ; portable: std::fma with the flush in software) gives the same bits
// for every result that is not NaN. Where NaNs meet, both give a NaN, perhaps another payload.
#pragma once

#include <cstddef>
#include <cstdint>

#include "gemm.h"

namespace tg {

// C = alpha * op(bf16(A)) * op(bf16(B)) + beta * C.
void gemmBf16(bool transA, bool transB, size_t m, size_t n, size_t k, float alpha, const float* a,
              const float* b, float beta, float* c);
void gemmBf16(bool transA, bool transB, size_t m, size_t n, size_t k, float alpha,
              const uint16_t* a, const uint16_t* b, float beta, float* c);

// C = act(op(bf16(A)) * op(bf16(B)) + bias), as gemmBiasActivation.
void gemmBf16BiasActivation(bool transA, bool transB, size_t m, size_t n, size_t k,
                            const float* a, const float* b, const float* bias,
                            Activation activation, float slope, float* c);
void gemmBf16BiasActivation(bool transA, bool transB, size_t m, size_t n, size_t k,
                            const uint16_t* a, const uint16_t* b, const float* bias,
                            Activation activation, float slope, float* c);

// The rounding of the operands: float32 to bfloat16 bits (round to nearest even, NaN to 0x7fc0,
// the subnormal results to a zero of their sign), and back.
inline uint16_t roundToBf16(float x) {
  uint32_t bits;
  __builtin_memcpy(&bits, &x, sizeof bits);
  if ((bits & 0x7fffffffu) > 0x7f800000u) return 0x7fc0;
  const uint32_t rounded = (bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16;
  return (rounded & 0x7f80u) == 0 ? static_cast<uint16_t>(rounded & 0x8000u)
                                  : static_cast<uint16_t>(rounded);
}

// A bfloat16 operand as the GEMM reads it: subnormals as zeros of their sign.
inline uint16_t flushBf16(uint16_t h) {
  return (h & 0x7f80u) == 0 ? static_cast<uint16_t>(h & 0x8000u) : h;
}

inline float bf16ToFloat(uint16_t h) {
  const uint32_t bits = static_cast<uint32_t>(h) << 16;
  float x;
  __builtin_memcpy(&x, &bits, sizeof x);
  return x;
}

#ifdef TG_X86
namespace avx512bf16 {
// The AVX-512 BF16 micro-kernel (gemm_bf16_avx512.cc): a 12x32 tile of C over panels of
// bfloat16 pairs, pair q of row r of an A panel at a[2 * (q * MR + r)] (step 2q, then 2q + 1),
// pair q of column j of a B panel at b[2 * (q * NR + j)]; kc counts steps (even).
constexpr size_t kMr = 12;
constexpr size_t kNr = 32;
void microKernel(size_t kc, const uint16_t* a, const uint16_t* b, float* c, size_t ldc,
                 size_t rows, size_t cols, const WriteBack& w);
void microKernelTransposedC(size_t kc, const uint16_t* a, const uint16_t* b, float* c,
                            size_t ldc, size_t rows, size_t cols, const WriteBack& w);
// The panels of those kernels from float (rounded) or bfloat16 (flushed) operands: PackPanel of
// gemm.h with pairs, kc rounded up to even with a zero step.
void packA(const float* src, size_t laneStride, size_t kStride, size_t lanes, size_t kc,
           uint16_t* dst);
void packB(const float* src, size_t laneStride, size_t kStride, size_t lanes, size_t kc,
           uint16_t* dst);
void packA(const uint16_t* src, size_t laneStride, size_t kStride, size_t lanes, size_t kc,
           uint16_t* dst);
void packB(const uint16_t* src, size_t laneStride, size_t kStride, size_t lanes, size_t kc,
           uint16_t* dst);
}  // namespace avx512bf16
#endif

}  // namespace tg
