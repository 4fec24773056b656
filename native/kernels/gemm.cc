// SGEMM: the blocked GEMM of gemm_blocked.h on float operands. The SIMD level picks the
// micro-kernel (portable 4x8, AVX2 6x16, AVX-512 12x32) and the blocking that suits it; the
// portable kernel and packer live here, the others in gemm_avx2.cc and gemm_avx512.cc. Small m
// with B stored transposed takes each level's GEMV kernel (gemm_gemv.h) instead.
#include <cstring>
#include <new>

#include "../cpu.h"
#include "gemm.h"
#include "gemm_blocked.h"
#include "gemm_gemv.h"

namespace tg {

namespace {

using blocked::kPortableMr;
using blocked::kPortableNr;

float multiplyAdd(float acc, float a, float b) { return acc + a * b; }

// The portable PackPanel (gemm.h) for a panel W lanes wide.
template <size_t W>
void packPanel(const float* src, size_t laneStride, size_t kStride, size_t lanes, size_t kc,
               float* dst) {
  if (lanes == W && laneStride == 1) {  // W contiguous floats per step of k
    for (size_t p = 0; p < kc; ++p) std::memcpy(dst + p * W, src + p * kStride, W * sizeof(float));
  } else if (lanes == W) {  // W lanes read side by side, the panel written in order
    const float* from[W];
    for (size_t l = 0; l < W; ++l) from[l] = src + l * laneStride;
    for (size_t p = 0; p < kc; ++p, dst += W) {
      for (size_t l = 0; l < W; ++l) dst[l] = from[l][p * kStride];
    }
  } else if (laneStride == 1) {  // an edge panel, its lanes contiguous
    for (size_t p = 0; p < kc; ++p) {
      const float* in = src + p * kStride;
      float* out = dst + p * W;
      for (size_t l = 0; l < lanes; ++l) out[l] = in[l];
      for (size_t l = lanes; l < W; ++l) out[l] = 0.0f;
    }
  } else {  // an edge panel: each lane read in order, written with stride W
    for (size_t l = 0; l < lanes; ++l) {
      const float* in = src + l * laneStride;
      for (size_t p = 0; p < kc; ++p) dst[p * W + l] = in[p * kStride];
    }
    for (size_t l = lanes; l < W; ++l) {
      for (size_t p = 0; p < kc; ++p) dst[p * W + l] = 0.0f;
    }
  }
}

// Four floats as the vector traits of gemm_gemv.h, for the portable GEMV: a GCC/Clang vector
// (SSE or NEON registers), else an array the compiler may vectorize. A multiply-add rounds twice
// (-ffp-contract=off), as the portable micro-kernel's does.
struct Lanes4 {
#if defined(__GNUC__)
  typedef float Vec __attribute__((vector_size(16)));
  static float lane(const Vec& x, size_t l) { return x[l]; }
  static Vec fmadd(Vec a, Vec b, Vec c) { return c + a * b; }
#else
  struct Vec {
    float v[4];
  };
  static float lane(const Vec& x, size_t l) { return x.v[l]; }
  static Vec fmadd(Vec a, Vec b, Vec c) {
    for (size_t l = 0; l < kWidth; ++l) c.v[l] = multiplyAdd(c.v[l], a.v[l], b.v[l]);
    return c;
  }
#endif
  using Mask = size_t;  // the lanes below it are read, the others are zero
  static constexpr size_t kWidth = 4;
  static Vec zero() {
    Vec r;
    std::memset(&r, 0, sizeof r);
    return r;
  }
  static Vec load(const float* p) {
    Vec r;
    std::memcpy(&r, p, sizeof r);
    return r;
  }
  static Vec loadMasked(Mask count, const float* p) {
    float x[kWidth] = {};
    for (size_t l = 0; l < count; ++l) x[l] = p[l];
    return load(x);
  }
  static Mask lanes(size_t cols, size_t first) {
    return cols <= first ? 0 : cols - first >= kWidth ? kWidth : cols - first;
  }
  // The lanes added in a halving tree, as the SIMD levels' sum: l + (l + 2), then + 1.
  static float sum(Vec x) { return (lane(x, 0) + lane(x, 2)) + (lane(x, 1) + lane(x, 3)); }
};

void portableGemvTransB(size_t rows, size_t cols, size_t k, const float* a, size_t lda,
                        const float* b, size_t ldb, float* c, size_t ldc, const WriteBack& w) {
  gemv::gemvTransB<Lanes4, 4, 8>(rows, cols, k, a, lda, b, ldb, c, ldc, w);
}

using KernelShape = blocked::KernelShape<float, float>;

KernelShape activeKernel() {
#ifdef TG_X86
  if (useAvx512()) {
    // 48 KiB L1d, 2 MiB L2: the MC x KC block of A (720 KiB) sits in L2 and streams through L1
    // against the KC x NR panel of B (48 KiB), which L2 refills; the KC x NC block of B (4.5
    // MiB) sits in L3. KC 256 or 512 and MC 240 or 960 measured the same within noise.
    return {avx512::kMr, avx512::kNr, avx512::microKernel, avx512::microKernelInPlaceA,
            avx512::microKernelTransposedC, avx512::microKernelDirect,
            avx512::microKernelDirectTransposedC, avx512::gemvTransB, 8, avx512::packA,
            avx512::packB, 384, 480, 3072, 1};
  }
  if (useAvx2Code()) {
    // A KC x NR panel of B (24 KiB) stays in L1 with the MR x KC panel of A (9 KiB); the MC x
    // KC block of A (360 KiB) in L2; the KC x NC block of B (4.5 MiB) in L3.
    return {avx2::kMr, avx2::kNr, avx2::microKernel, avx2::microKernelInPlaceA, nullptr,
            avx2::microKernelDirect, nullptr, avx2::gemvTransB, 16, packPanel<avx2::kMr>,
            packPanel<avx2::kNr>, 384, 240, 3072, 1};
  }
#endif
  return {kPortableMr, kPortableNr, blocked::portableMicroKernel<multiplyAdd>, nullptr, nullptr,
          nullptr, nullptr, portableGemvTransB, 0,
          packPanel<kPortableMr>, packPanel<kPortableNr>, 384, 240, 3072, 1};
}

// Per-thread packing buffers, 64-byte aligned, grown on demand and reused across calls.
class Scratch {
 public:
  Scratch() = default;
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  ~Scratch() { release(); }
  void* get(size_t bytes) {
    if (bytes > capacity_) {
      release();
      data_ = ::operator new(bytes, std::align_val_t{64});
      capacity_ = bytes;
    }
    return data_;
  }

 private:
  void release() {
    if (data_) ::operator delete(data_, std::align_val_t{64});
    data_ = nullptr;
    capacity_ = 0;
  }
  void* data_ = nullptr;
  size_t capacity_ = 0;
};

thread_local Scratch scratches[2];

float activate(float v, Activation activation, float slope) {
  const bool keep = v > 0.0f || v != v;  // NaN passes through
  switch (activation) {
    case Activation::Relu:
      return keep ? v : 0.0f;
    case Activation::LeakyRelu:
      return keep ? v : slope * v;
    case Activation::None:
      break;
  }
  return v;
}

}  // namespace

void writeBackTile(const float* acc, size_t ldacc, float* c, size_t ldc, size_t rows,
                   size_t cols, const WriteBack& w) {
  for (size_t i = 0; i < rows; ++i) {
    float* row = c + i * ldc;
    for (size_t j = 0; j < cols; ++j) {
      float v = w.alpha == 1.0f ? acc[i * ldacc + j] : w.alpha * acc[i * ldacc + j];
      if (w.beta == 1.0f) {
        v = v + row[j];
      } else if (w.beta != 0.0f) {
        v = v + w.beta * row[j];
      }
      if (w.last) {
        if (w.bias) v = v + w.bias[j];
        v = activate(v, w.activation, w.slope);
      }
      row[j] = v;
    }
  }
}

void* blocked::scratch(int which, size_t bytes) { return scratches[which].get(bytes); }

void gemm(bool transA, bool transB, size_t m, size_t n, size_t k, float alpha, const float* a,
          const float* b, float beta, float* c) {
  blocked::gemm(activeKernel(), transA, transB, m, n, k, alpha, a, b, beta, c);
}

void gemmBiasActivation(bool transA, bool transB, size_t m, size_t n, size_t k, const float* a,
                        const float* b, const float* bias, Activation activation, float slope,
                        float* c) {
  blocked::gemmBiasActivation(activeKernel(), transA, transB, m, n, k, a, b, bias, activation,
                              slope, c);
}

}  // namespace tg
