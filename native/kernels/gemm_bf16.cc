// The bfloat16 GEMM of gemm_bf16.h: the blocked GEMM of gemm_blocked.h with operands rounded to
// bfloat16 while they are packed. With AVX-512 BF16 the panels hold bfloat16 pairs along k for
// the vdpbf16ps micro-kernel (gemm_bf16_avx512.cc, kernel and packers). Without it, the same
// numbers by emulation: float panels holding the rounded operands, each pair of steps swapped
// (the odd step first, as vdpbf16ps takes them), multiplied by SGEMM's micro-kernels with the k
// loop under FTZ and DAZ (AVX-512, AVX2), or by the portable kernel (std::fma, the flush in
// software).
#include "gemm_bf16.h"

#include <cfloat>
#include <cmath>

#include "../cpu.h"
#include "gemm_blocked.h"

namespace tg {

namespace {

// The k block of every bfloat16 path: the same blocks, so the same sums, on each.
constexpr size_t kBf16Kc = 384;

// An operand as the GEMM reads it, in bfloat16 bits.
uint16_t operand(float x) { return roundToBf16(x); }
uint16_t operand(uint16_t h) { return flushBf16(h); }

// PackPanel into floats for the emulation: step p of lane l, rounded, at dst[(p ^ 1) * W + l],
// so a k loop in panel order takes each pair's odd step first; zeros past `lanes` and past kc.
template <size_t W, class S>
void packSwapped(const S* src, size_t laneStride, size_t kStride, size_t lanes, size_t kc,
                 float* dst) {
  const size_t steps = kc + (kc & 1);
  if (kc & 1) {
    for (size_t l = 0; l < W; ++l) dst[(kc ^ 1) * W + l] = 0.0f;
  }
  for (size_t l = lanes; l < W; ++l) {
    for (size_t p = 0; p < steps; ++p) dst[p * W + l] = 0.0f;
  }
  if (laneStride == 1) {  // lanes contiguous: a step at a time
    for (size_t p = 0; p < kc; ++p) {
      float* out = dst + (p ^ 1) * W;
      for (size_t l = 0; l < lanes; ++l) out[l] = bf16ToFloat(operand(src[p * kStride + l]));
    }
  } else {  // steps contiguous: a lane at a time
    for (size_t l = 0; l < lanes; ++l) {
      const S* in = src + l * laneStride;
      for (size_t p = 0; p < kc; ++p) dst[(p ^ 1) * W + l] = bf16ToFloat(operand(in[p * kStride]));
    }
  }
}

// A subnormal result as a zero of its sign: the FTZ of vdpbf16ps.
float flushSubnormal(float x) { return std::fabs(x) < FLT_MIN ? std::copysign(0.0f, x) : x; }

// One step of the portable emulation: a fused multiply-add, flushed.
float flushedFma(float acc, float a, float b) { return flushSubnormal(std::fma(a, b, acc)); }

using blocked::kPortableMr;
using blocked::kPortableNr;

template <class S>
blocked::KernelShape<S, float> emulatedKernel() {
#ifdef TG_X86
  if (useAvx512()) {
    return {avx512::kMr, avx512::kNr, avx512::microKernelFlushing, nullptr,
            avx512::microKernelFlushingTransposedC, nullptr, nullptr, nullptr, 0,
            packSwapped<avx512::kMr, S>, packSwapped<avx512::kNr, S>, kBf16Kc, 480, 3072, 2};
  }
  if (useAvx2Code()) {
    return {avx2::kMr, avx2::kNr, avx2::microKernelFlushing, nullptr, nullptr, nullptr, nullptr,
            nullptr, 0, packSwapped<avx2::kMr, S>, packSwapped<avx2::kNr, S>, kBf16Kc, 240, 3072, 2};
  }
#endif
  return {kPortableMr, kPortableNr, blocked::portableMicroKernel<flushedFma>, nullptr, nullptr,
          nullptr, nullptr, nullptr, 0,
          packSwapped<kPortableMr, S>, packSwapped<kPortableNr, S>, kBf16Kc, 240, 3072, 2};
}

#ifdef TG_X86
// The A block (480 x 384 bfloat16, 360 KiB) in L2, the B panel (384 x 32, 24 KiB) in L1.
template <class S>
blocked::KernelShape<S, uint16_t> hardwareKernel() {
  return {avx512bf16::kMr, avx512bf16::kNr, avx512bf16::microKernel, nullptr,
          avx512bf16::microKernelTransposedC, nullptr, nullptr, nullptr, 0,
          avx512bf16::packA, avx512bf16::packB, kBf16Kc, 480, 3072, 2};
}
#endif

template <class S>
void gemmOf(bool transA, bool transB, size_t m, size_t n, size_t k, float alpha, const S* a,
            const S* b, float beta, float* c) {
#ifdef TG_X86
  if (useAvx512Bf16()) {
    return blocked::gemm(hardwareKernel<S>(), transA, transB, m, n, k, alpha, a, b, beta, c);
  }
#endif
  blocked::gemm(emulatedKernel<S>(), transA, transB, m, n, k, alpha, a, b, beta, c);
}

template <class S>
void gemmBiasActivationOf(bool transA, bool transB, size_t m, size_t n, size_t k, const S* a,
                          const S* b, const float* bias, Activation activation, float slope,
                          float* c) {
#ifdef TG_X86
  if (useAvx512Bf16()) {
    return blocked::gemmBiasActivation(hardwareKernel<S>(), transA, transB, m, n, k, a, b, bias,
                                       activation, slope, c);
  }
#endif
  blocked::gemmBiasActivation(emulatedKernel<S>(), transA, transB, m, n, k, a, b, bias,
                              activation, slope, c);
}

}  // namespace

void gemmBf16(bool transA, bool transB, size_t m, size_t n, size_t k, float alpha, const float* a,
              const float* b, float beta, float* c) {
  gemmOf(transA, transB, m, n, k, alpha, a, b, beta, c);
}

void gemmBf16(bool transA, bool transB, size_t m, size_t n, size_t k, float alpha,
              const uint16_t* a, const uint16_t* b, float beta, float* c) {
  gemmOf(transA, transB, m, n, k, alpha, a, b, beta, c);
}

void gemmBf16BiasActivation(bool transA, bool transB, size_t m, size_t n, size_t k,
                            const float* a, const float* b, const float* bias,
                            Activation activation, float slope, float* c) {
  gemmBiasActivationOf(transA, transB, m, n, k, a, b, bias, activation, slope, c);
}

void gemmBf16BiasActivation(bool transA, bool transB, size_t m, size_t n, size_t k,
                            const uint16_t* a, const uint16_t* b, const float* bias,
                            Activation activation, float slope, float* c) {
  gemmBiasActivationOf(transA, transB, m, n, k, a, b, bias, activation, slope, c);
}

}  // namespace tg
