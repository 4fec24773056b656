// 2-D convolution, NCHW (see conv.h for the geometry and the choice of algorithm).
//
// GEMM path, per chunk of B images (B from the shape alone, so col stays near 1 MiB) and group:
//   forward          Y'[og, B·P] = W_g[og, K] · col[K, B·P], then y = act(Y' + bias) per image
//   backward-data    dcol[K, B·P] = W_gᵀ · dY'[og, B·P], then col2im adds dcol into dx
//   backward-weight  dW_g += dY'[og, B·P] · colᵀ, chunk after chunk in image order
// with K = (c/groups)·kh·kw, P = oh·ow, og = outC/groups. col is im2col of the chunk: row
// (ic, ky, kx), column b·P + oy·ow + ox, zero where the tap falls in the padding. With B = 1, Y'
// and dY' are y and dy themselves (a group's rows are contiguous), and a 1×1 stride-1 unpadded
// convolution reads x (and writes dx) in place.
//
// Direct path (og < 4, e.g. depthwise): conv_direct.inc, compiled for each instruction set.
#include "conv.h"

#include <algorithm>
#include <cstring>
#include <memory>

#include "../cpu.h"
#include "for_each.h"
#include "im2col.h"

namespace tg {

namespace portable {
#include "conv_direct.inc"
}  // namespace portable

namespace {

inline float activate(float v, Activation activation) {
  return activation == Activation::Relu && !(v > 0.0f || v != v) ? 0.0f : v;
}

std::unique_ptr<float[]> scratch(size_t count) { return std::unique_ptr<float[]>(new float[count]); }

// Scratch of the GEMM path on this thread, grown on demand and kept: a fresh megabyte each call
// costs its page faults again, which on a virtual machine cost more than the im2col that fills it.
enum ScratchUse { kColumns, kGathered, kPartials, kScratchUses };

// Kept per thread up to this many floats (16 MiB); a larger scratch (one huge image's col) is
// freed after its call rather than held by every thread for the life of the process.
constexpr size_t kKeptScratch = size_t{1} << 22;

float* threadScratch(ScratchUse use, size_t count) {
  thread_local std::unique_ptr<float[]> buffers[kScratchUses];
  thread_local size_t sizes[kScratchUses] = {};
  if (sizes[use] < count) {
    buffers[use].reset();
    buffers[use] = scratch(count);
    sizes[use] = count;
  }
  return buffers[use].get();
}

// `count` floats of scratch for one use: this thread's kept buffer, or its own when larger than
// kKeptScratch (freed with the lease); none for a count of 0.
class ScratchLease {
 public:
  ScratchLease(ScratchUse use, size_t count) {
    if (count == 0) return;
    if (count <= kKeptScratch) {
      data_ = threadScratch(use, count);
    } else {
      owned_ = scratch(count);
      data_ = owned_.get();
    }
  }
  float* get() const { return data_; }

 private:
  std::unique_ptr<float[]> owned_;
  float* data_ = nullptr;
};

// Images per chunk: as many as keep the chunk's col within kColBudget floats and its product
// (og rows, written to scratch and copied out when a chunk holds several images) within
// kProductBudget, so both stay in L2; at least one. A first layer (K = 9, og = 32 on 28×28)
// has a small col but a large product: one image a chunk writes y in place.
constexpr size_t kColBudget = size_t{1} << 18;
constexpr size_t kProductBudget = size_t{1} << 16;

size_t chunkImages(const ConvShape& s) {
  const size_t P = std::max<size_t>(s.oh * s.ow, 1);
  const size_t perImage = std::max<size_t>((s.c / s.groups) * s.kh * s.kw * P, 1);
  const size_t productPerImage = std::max<size_t>((s.outC / s.groups) * P, 1);
  return std::max<size_t>(1, std::min({s.n, kColBudget / perImage, kProductBudget / productPerImage}));
}

bool pointwise(const ConvShape& s) {
  return s.kh == 1 && s.kw == 1 && s.strideH == 1 && s.strideW == 1 && s.padH == 0 &&
         s.padW == 0 && s.oh == s.h && s.ow == s.w;
}

// The window of one image's group for tg::im2colImage and col2imImage (im2col.h): cg planes,
// top/left padding; the bottom/right padding is whatever oh and ow imply.
Window groupWindow(const ConvShape& s) {
  return {s.c / s.groups, s.h, s.w, s.kh, s.kw, s.strideH, s.strideW, s.padH, s.padW, s.dilationH, s.dilationW, s.oh, s.ow};
}

// ---- GEMM path -------------------------------------------------------------------------------
//
// Threads take whole chunks when there are at least two per thread: each chunk's GEMMs, im2col
// and epilogue then run on one thread (nested parallel calls run serially, threadpool.h), with
// no wake-up per small product. With fewer chunks (a few large images) the chunks run in order
// and each GEMM splits over the threads. Either way every output element is computed the same
// way, so the bits do not depend on the thread count.

// What the three GEMM-path passes share: a group's sizes, the chunking and the window.
struct GemmPlan {
  size_t cg, og, K, P, HW, B;
  bool inPlace;  // a 1×1 stride-1 unpadded convolution, one image per chunk: x is its own col
  Window window;

  // images: the chunk size, chunkImages(s) or fewer.
  GemmPlan(const ConvShape& s, size_t images)
      : cg(s.c / s.groups), og(s.outC / s.groups), K(cg * s.kh * s.kw), P(s.oh * s.ow),
        HW(s.h * s.w), B(images), inPlace(pointwise(s) && B == 1), window(groupWindow(s)) {}

  size_t chunks(const ConvShape& s) const { return (s.n + B - 1) / B; }

  // col[K, images·P] of the chunk's group g (im2col of each image side by side), or x in place.
  const float* columns(const ConvShape& s, const float* x, size_t b0, size_t images, size_t g, float* col) const {
    const float* source = x + (b0 * s.c + g * cg) * HW;
    if (inPlace) return source;
    forEach(images, [&](size_t i) { im2colImage(source + i * s.c * HW, window, col + i * P, images * P); });
    return col;
  }

  // dY'[og, images·P] of the chunk's group g: dy itself with one image per chunk, else the og
  // channels' planes of each image gathered side by side into `buffer`.
  const float* outputs(const ConvShape& s, const float* dy, size_t b0, size_t images, size_t g, float* buffer) const {
    if (B == 1) return dy + (b0 * s.outC + g * og) * P;
    forEach(images, [&](size_t i) {
      for (size_t o = 0; o < og; ++o) {
        std::memcpy(buffer + o * images * P + i * P, dy + ((b0 + i) * s.outC + g * og + o) * P, P * sizeof(float));
      }
    });
    return buffer;
  }

  // This thread's scratch for a chunk: `rows` rows of B·P (none when the pass reads the tensor).
  ScratchLease chunkScratch(ScratchUse use, size_t rows, bool needed) const {
    return ScratchLease(use, needed ? rows * B * P : 0);
  }
};

// The chunk size of the forward and backward-data passes, whose results do not depend on it: at
// most chunkImages(s), and small enough that each thread gets two chunks where the batch allows.
size_t independentChunkImages(const ConvShape& s) {
  const size_t threads = availableThreads();
  const size_t most = chunkImages(s);
  if (threads == 1) return most;
  return std::max<size_t>(1, std::min(most, (s.n + 2 * threads - 1) / (2 * threads)));
}

// body(chunk) for every chunk in [0, count): spread over the threads when each gets at least
// `perThread`, else in order on this thread (whose GEMMs then use the threads).
template <typename Body>
void forChunks(size_t count, size_t perThread, Body body) {
  if (availableThreads() > 1 && count >= perThread * availableThreads()) {
    forEach(count, body);
  } else {
    for (size_t c = 0; c < count; ++c) body(c);
  }
}

// body(b0, images, columns, rows) for each chunk of the forward and backward-data passes, over
// the threads (forChunks), with this thread's scratch: `columns` for K rows (null in place) and
// `rows` for og rows (null with one image a chunk).
template <typename Body>
void forEachChunk(const ConvShape& s, const GemmPlan& plan, Body body) {
  forChunks(plan.chunks(s), 2, [&](size_t chunk) {
    const size_t b0 = chunk * plan.B;
    const ScratchLease columns = plan.chunkScratch(kColumns, plan.K, !plan.inPlace);
    const ScratchLease rows = plan.chunkScratch(kGathered, plan.og, plan.B > 1);
    body(b0, std::min(plan.B, s.n - b0), columns.get(), rows.get());
  });
}

void forwardGemm(const ConvShape& s, const float* x, const float* weight, const float* bias,
                 Activation activation, float* y) {
  const GemmPlan plan(s, independentChunkImages(s));
  forEachChunk(s, plan, [&](size_t b0, size_t images, float* col, float* product) {
    for (size_t g = 0; g < s.groups; ++g) {
      const size_t ld = images * plan.P, og = plan.og;
      float* out = plan.B == 1 ? y + (b0 * s.outC + g * og) * plan.P : product;
      gemm(false, false, og, ld, plan.K, 1.0f, weight + g * og * plan.K, plan.columns(s, x, b0, images, g, col), 0.0f, out);
      // The epilogue: bias and activation, and the chunk's product back to NCHW.
      forEach(images, [&](size_t i) {
        for (size_t o = 0; o < og; ++o) {
          const float* from = out + o * ld + i * plan.P;
          float* to = y + ((b0 + i) * s.outC + g * og + o) * plan.P;
          const float add = bias ? bias[g * og + o] : 0.0f;
          for (size_t p = 0; p < plan.P; ++p) to[p] = activate(from[p] + add, activation);
        }
      });
    }
  });
}

void backwardDataGemm(const ConvShape& s, const float* dy, const float* weight, float* dx) {
  const GemmPlan plan(s, independentChunkImages(s));
  forEachChunk(s, plan, [&](size_t b0, size_t images, float* dcol, float* gathered) {
    for (size_t g = 0; g < s.groups; ++g) {
      const size_t ld = images * plan.P;
      const float* d = plan.outputs(s, dy, b0, images, g, gathered);
      float* target = dx + (b0 * s.c + g * plan.cg) * plan.HW;
      // In place, dx is dcol itself; else col2im adds dcol's taps into each image.
      gemm(true, false, plan.K, ld, plan.og, 1.0f, weight + g * plan.og * plan.K, d, 0.0f, plan.inPlace ? target : dcol);
      if (plan.inPlace) continue;
      forEach(images, [&](size_t i) { col2imImage(dcol + i * plan.P, ld, plan.window, target + i * s.c * plan.HW); });
    }
  });
}

// Below this many patch rows (K) the weight gradient is computed transposed, dWᵀ[K, og] =
// col · dY'ᵀ, so that og fills the GEMM's wide tile dimension instead of a K of 9 or 25
// (a first layer's single input channel) padded to the tile's 32 columns.
constexpr size_t kTransposedWeightRows = 32;

// The weight gradient sums over every image. Chunks of chunkImages(s) images (from the shape
// alone) are grouped into at most kWeightSlots runs of consecutive chunks, a number fixed by the
// shape; each run accumulates its chunks in order into its own partial sum, and the partial sums
// are added in run order. Runs are what the threads take, so the bits do not depend on them.
constexpr size_t kWeightSlots = 8;
constexpr size_t kPartialBudget = size_t{1} << 22;  // floats of partial sums, beyond the first run

void backwardWeightGemm(const ConvShape& s, const float* x, const float* dy, float* dweight) {
  const GemmPlan plan(s, chunkImages(s));
  const size_t chunks = plan.chunks(s), weights = s.groups * plan.og * plan.K;
  const size_t runs = std::max<size_t>(1, std::min({chunks, kWeightSlots, 1 + kPartialBudget / weights}));
  const bool transposed = plan.K < kTransposedWeightRows && plan.og > plan.K;
  // Run 0 sums into the result (dWᵀ per group in `sums` when transposed), run r > 0 into partials.
  const auto sums = transposed ? scratch(weights) : nullptr;
  float* first = transposed ? sums.get() : dweight;
  const ScratchLease partialSums(kPartials, runs > 1 ? (runs - 1) * weights : 0);
  float* partials = partialSums.get();
  forChunks(runs, 1, [&](size_t run) {
    float* target = run == 0 ? first : partials + (run - 1) * weights;
    const ScratchLease columns = plan.chunkScratch(kColumns, plan.K, !plan.inPlace);
    const ScratchLease rows = plan.chunkScratch(kGathered, plan.og, plan.B > 1);
    float* col = columns.get();
    float* gathered = rows.get();
    for (size_t chunk = run * chunks / runs; chunk < (run + 1) * chunks / runs; ++chunk) {
      const size_t b0 = chunk * plan.B, images = std::min(plan.B, s.n - b0);
      const float beta = chunk == run * chunks / runs ? 0.0f : 1.0f;
      for (size_t g = 0; g < s.groups; ++g) {
        const float* columns = plan.columns(s, x, b0, images, g, col);
        const float* d = plan.outputs(s, dy, b0, images, g, gathered);
        if (transposed) {
          gemm(false, true, plan.K, plan.og, images * plan.P, 1.0f, columns, d, beta, target + g * plan.K * plan.og);
        } else {
          gemm(false, true, plan.og, plan.K, images * plan.P, 1.0f, d, columns, beta, target + g * plan.og * plan.K);
        }
      }
    }
  });
  if (runs > 1) {
    constexpr size_t kBlock = 4096;
    forEach((weights + kBlock - 1) / kBlock, [&](size_t block) {
      const size_t end = std::min(weights, (block + 1) * kBlock);
      for (size_t r = 1; r < runs; ++r) {
        const float* add = partials + (r - 1) * weights;
        for (size_t i = block * kBlock; i < end; ++i) first[i] += add[i];
      }
    });
  }
  if (!transposed) return;
  for (size_t g = 0; g < s.groups; ++g) {
    const float* from = sums.get() + g * plan.K * plan.og;
    float* to = dweight + g * plan.og * plan.K;
    for (size_t o = 0; o < plan.og; ++o) {
      for (size_t r = 0; r < plan.K; ++r) to[o * plan.K + r] = from[r * plan.og + o];
    }
  }
}

bool direct(const ConvShape& s) { return s.outC / s.groups < 4; }

constexpr size_t kLanes = 8;  // independent partial sums of the bias gradient

// The direct path of the active instruction set.
struct DirectKernels {
  decltype(&portable::forwardDirect) forward;
  decltype(&portable::backwardDataDirect) backwardData;
  decltype(&portable::backwardWeightDirect) backwardWeight;
};

DirectKernels directKernels() {
#ifdef TG_X86
  if (useAvx512()) return {avx512::forwardDirect, avx512::backwardDataDirect, avx512::backwardWeightDirect};
  if (useAvx2Code()) return {avx2::forwardDirect, avx2::backwardDataDirect, avx2::backwardWeightDirect};
#endif
  return {portable::forwardDirect, portable::backwardDataDirect, portable::backwardWeightDirect};
}

}  // namespace

int conv2dAlgorithm(const ConvShape& s) { return direct(s) ? 1 : 0; }

void conv2dForward(const ConvShape& s, const float* x, const float* weight, const float* bias,
                   Activation activation, float* y) {
  if (s.n * s.outC * s.oh * s.ow == 0) return;
  if (direct(s)) {
    directKernels().forward(s, x, weight, bias, activation, y);
  } else {
    forwardGemm(s, x, weight, bias, activation, y);
  }
}

void conv2dBackwardData(const ConvShape& s, const float* dy, const float* weight, float* dx) {
  if (s.n * s.c * s.h * s.w == 0) return;
  if (s.outC * s.oh * s.ow == 0) {
    std::memset(dx, 0, s.n * s.c * s.h * s.w * sizeof(float));
    return;
  }
  if (direct(s)) {
    directKernels().backwardData(s, dy, weight, dx);
  } else {
    backwardDataGemm(s, dy, weight, dx);
  }
}

void conv2dBackwardWeight(const ConvShape& s, const float* x, const float* dy, float* dweight,
                          float* dbias) {
  const size_t P = s.oh * s.ow;
  forEach(s.outC, [&](size_t o) {
    double sum = 0.0;
    for (size_t b = 0; b < s.n; ++b) {
      const float* plane = dy + (b * s.outC + o) * P;
      float acc[kLanes] = {};
      size_t p = 0;
      for (; p + kLanes <= P; p += kLanes) {
        for (size_t l = 0; l < kLanes; ++l) acc[l] += plane[p + l];
      }
      for (; p < P; ++p) acc[0] += plane[p];
      for (size_t l = 0; l < kLanes; ++l) sum += acc[l];
    }
    dbias[o] = static_cast<float>(sum);
  });
  const size_t weights = s.outC * (s.c / s.groups) * s.kh * s.kw;
  if (weights == 0) return;
  if (s.n * P == 0) {
    std::memset(dweight, 0, weights * sizeof(float));
    return;
  }
  if (direct(s)) {
    directKernels().backwardWeight(s, x, dy, dweight);
  } else {
    backwardWeightGemm(s, x, dy, dweight);
  }
}

}  // namespace tg
