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
// Direct path (og < 4, e.g. depthwise): each output row accumulates the taps as axpys along the
// row, which the compiler vectorizes for stride 1.
#include "conv.h"

#include <algorithm>
#include <cstring>
#include <memory>

#include "for_each.h"
#include "im2col.h"

namespace tg {

namespace {

using Index = std::ptrdiff_t;

// Columns of the output whose input position ox·stride − pad + tap·dilation lies in [0, size):
// [first, last), clamped to [0, outSize).
struct Span {
  size_t first, last;
};

Span validSpan(size_t tap, size_t stride, size_t pad, size_t dilation, size_t size, size_t outSize) {
  const Index offset = static_cast<Index>(tap * dilation) - static_cast<Index>(pad);  // ix at ox = 0
  const Index s = static_cast<Index>(stride);
  // first: smallest ox with ox·s + offset ≥ 0; last: smallest ox with ox·s + offset ≥ size.
  const Index first = offset >= 0 ? 0 : (-offset + s - 1) / s;
  const Index end = static_cast<Index>(size) - offset;
  const Index last = end <= 0 ? 0 : (end + s - 1) / s;
  const Index out = static_cast<Index>(outSize);
  const Index f = std::min(first, out);
  return {static_cast<size_t>(f), static_cast<size_t>(std::max(f, std::min(last, out)))};
}

inline float activate(float v, Activation activation) {
  return activation == Activation::Relu && !(v > 0.0f || v != v) ? 0.0f : v;
}

std::unique_ptr<float[]> scratch(size_t count) { return std::unique_ptr<float[]>(new float[count]); }

// Images per chunk: as many as keep the chunk's col within kColBudget floats, at least one.
constexpr size_t kColBudget = size_t{1} << 18;

size_t chunkImages(const ConvShape& s) {
  const size_t perImage = (s.c / s.groups) * s.kh * s.kw * s.oh * s.ow;
  return std::max<size_t>(1, std::min(s.n, kColBudget / std::max<size_t>(perImage, 1)));
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

// What the three GEMM-path passes share: a group's sizes, the chunking and the window.
struct GemmPlan {
  size_t cg, og, K, P, HW, B;
  bool inPlace;  // a 1×1 stride-1 unpadded convolution, one image per chunk: x is its own col
  Window window;

  explicit GemmPlan(const ConvShape& s)
      : cg(s.c / s.groups), og(s.outC / s.groups), K(cg * s.kh * s.kw), P(s.oh * s.ow),
        HW(s.h * s.w), B(chunkImages(s)), inPlace(pointwise(s) && B == 1), window(groupWindow(s)) {}

  // Scratch of `rows` rows of a chunk (none when the pass reads the tensor itself).
  std::unique_ptr<float[]> chunkScratch(size_t rows, bool needed) const {
    return needed ? scratch(rows * B * P) : nullptr;
  }

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
};

// body(b0, images, g) for each chunk of images, in image order, and each group.
template <typename Body>
void forEachChunk(const ConvShape& s, const GemmPlan& plan, Body body) {
  for (size_t b0 = 0; b0 < s.n; b0 += plan.B) {
    const size_t images = std::min(plan.B, s.n - b0);
    for (size_t g = 0; g < s.groups; ++g) body(b0, images, g);
  }
}

void forwardGemm(const ConvShape& s, const float* x, const float* weight, const float* bias,
                 Activation activation, float* y) {
  const GemmPlan plan(s);
  const auto col = plan.chunkScratch(plan.K, !plan.inPlace);
  const auto product = plan.chunkScratch(plan.og, plan.B > 1);
  forEachChunk(s, plan, [&](size_t b0, size_t images, size_t g) {
    const size_t ld = images * plan.P, og = plan.og;
    float* out = plan.B == 1 ? y + (b0 * s.outC + g * og) * plan.P : product.get();
    gemm(false, false, og, ld, plan.K, 1.0f, weight + g * og * plan.K, plan.columns(s, x, b0, images, g, col.get()), 0.0f, out);
    // The epilogue: bias and activation, and the chunk's product back to NCHW.
    forEach(images, [&](size_t i) {
      for (size_t o = 0; o < og; ++o) {
        const float* from = out + o * ld + i * plan.P;
        float* to = y + ((b0 + i) * s.outC + g * og + o) * plan.P;
        const float add = bias ? bias[g * og + o] : 0.0f;
        for (size_t p = 0; p < plan.P; ++p) to[p] = activate(from[p] + add, activation);
      }
    });
  });
}

void backwardDataGemm(const ConvShape& s, const float* dy, const float* weight, float* dx) {
  const GemmPlan plan(s);
  const auto dcol = plan.chunkScratch(plan.K, !plan.inPlace);
  const auto gathered = plan.chunkScratch(plan.og, plan.B > 1);
  forEachChunk(s, plan, [&](size_t b0, size_t images, size_t g) {
    const size_t ld = images * plan.P;
    const float* d = plan.outputs(s, dy, b0, images, g, gathered.get());
    float* target = dx + (b0 * s.c + g * plan.cg) * plan.HW;
    // In place, dx is dcol itself; else col2im adds dcol's taps into each image.
    gemm(true, false, plan.K, ld, plan.og, 1.0f, weight + g * plan.og * plan.K, d, 0.0f, plan.inPlace ? target : dcol.get());
    if (plan.inPlace) return;
    forEach(images, [&](size_t i) { col2imImage(dcol.get() + i * plan.P, ld, plan.window, target + i * s.c * plan.HW); });
  });
}

void backwardWeightGemm(const ConvShape& s, const float* x, const float* dy, float* dweight) {
  const GemmPlan plan(s);
  const auto col = plan.chunkScratch(plan.K, !plan.inPlace);
  const auto gathered = plan.chunkScratch(plan.og, plan.B > 1);
  forEachChunk(s, plan, [&](size_t b0, size_t images, size_t g) {
    const float* columns = plan.columns(s, x, b0, images, g, col.get());
    const float* d = plan.outputs(s, dy, b0, images, g, gathered.get());
    gemm(false, true, plan.og, plan.K, images * plan.P, 1.0f, d, columns, b0 == 0 ? 0.0f : 1.0f,
         dweight + g * plan.og * plan.K);
  });
}

// ---- Direct path -----------------------------------------------------------------------------

void forwardDirect(const ConvShape& s, const float* x, const float* weight, const float* bias,
                   Activation activation, float* y) {
  const size_t cg = s.c / s.groups, og = s.outC / s.groups, HW = s.h * s.w;
  forEach(s.n * s.outC, [&](size_t task) {
    const size_t b = task / s.outC, o = task % s.outC, g = o / og;
    const float* input = x + (b * s.c + g * cg) * HW;
    const float* wo = weight + o * cg * s.kh * s.kw;
    float* plane = y + task * s.oh * s.ow;
    for (size_t oy = 0; oy < s.oh; ++oy) {
      float* out = plane + oy * s.ow;
      std::fill(out, out + s.ow, 0.0f);
      for (size_t ic = 0; ic < cg; ++ic) {
        for (size_t ky = 0; ky < s.kh; ++ky) {
          const Index iy = static_cast<Index>(oy * s.strideH + ky * s.dilationH) - static_cast<Index>(s.padH);
          if (iy < 0 || iy >= static_cast<Index>(s.h)) continue;
          const float* in = input + (ic * s.h + static_cast<size_t>(iy)) * s.w;
          for (size_t kx = 0; kx < s.kw; ++kx) {
            const float wv = wo[(ic * s.kh + ky) * s.kw + kx];
            const Span cols = validSpan(kx, s.strideW, s.padW, s.dilationW, s.w, s.ow);
            const Index offset = static_cast<Index>(kx * s.dilationW) - static_cast<Index>(s.padW);
            if (s.strideW == 1) {
              const float* shifted = in + offset;
              for (size_t ox = cols.first; ox < cols.last; ++ox) out[ox] += wv * shifted[ox];
            } else {
              for (size_t ox = cols.first; ox < cols.last; ++ox) {
                out[ox] += wv * in[static_cast<Index>(ox * s.strideW) + offset];
              }
            }
          }
        }
      }
      const float add = bias ? bias[o] : 0.0f;
      for (size_t ox = 0; ox < s.ow; ++ox) out[ox] = activate(out[ox] + add, activation);
    }
  });
}

void backwardDataDirect(const ConvShape& s, const float* dy, const float* weight, float* dx) {
  const size_t cg = s.c / s.groups, og = s.outC / s.groups, HW = s.h * s.w;
  forEach(s.n * s.groups, [&](size_t task) {
    const size_t b = task / s.groups, g = task % s.groups;
    float* target = dx + (b * s.c + g * cg) * HW;
    std::memset(target, 0, cg * HW * sizeof(float));
    for (size_t oo = 0; oo < og; ++oo) {
      const size_t o = g * og + oo;
      const float* plane = dy + (b * s.outC + o) * s.oh * s.ow;
      const float* wo = weight + o * cg * s.kh * s.kw;
      for (size_t oy = 0; oy < s.oh; ++oy) {
        const float* row = plane + oy * s.ow;
        for (size_t ic = 0; ic < cg; ++ic) {
          for (size_t ky = 0; ky < s.kh; ++ky) {
            const Index iy = static_cast<Index>(oy * s.strideH + ky * s.dilationH) - static_cast<Index>(s.padH);
            if (iy < 0 || iy >= static_cast<Index>(s.h)) continue;
            float* out = target + (ic * s.h + static_cast<size_t>(iy)) * s.w;
            for (size_t kx = 0; kx < s.kw; ++kx) {
              const float wv = wo[(ic * s.kh + ky) * s.kw + kx];
              const Span cols = validSpan(kx, s.strideW, s.padW, s.dilationW, s.w, s.ow);
              const Index offset = static_cast<Index>(kx * s.dilationW) - static_cast<Index>(s.padW);
              if (s.strideW == 1) {
                float* shifted = out + offset;
                for (size_t ox = cols.first; ox < cols.last; ++ox) shifted[ox] += wv * row[ox];
              } else {
                for (size_t ox = cols.first; ox < cols.last; ++ox) {
                  out[static_cast<Index>(ox * s.strideW) + offset] += wv * row[ox];
                }
              }
            }
          }
        }
      }
    }
  });
}

constexpr size_t kLanes = 8;  // independent partial sums, so the dot products vectorize

void backwardWeightDirect(const ConvShape& s, const float* x, const float* dy, float* dweight) {
  const size_t cg = s.c / s.groups, og = s.outC / s.groups, HW = s.h * s.w;
  forEach(s.outC, [&](size_t o) {
    const size_t g = o / og;
    for (size_t ic = 0; ic < cg; ++ic) {
      for (size_t ky = 0; ky < s.kh; ++ky) {
        const Span rows = validSpan(ky, s.strideH, s.padH, s.dilationH, s.h, s.oh);
        for (size_t kx = 0; kx < s.kw; ++kx) {
          const Span cols = validSpan(kx, s.strideW, s.padW, s.dilationW, s.w, s.ow);
          const Index offset = static_cast<Index>(kx * s.dilationW) - static_cast<Index>(s.padW);
          double total = 0.0;
          for (size_t b = 0; b < s.n; ++b) {
            const float* plane = dy + (b * s.outC + o) * s.oh * s.ow;
            const float* input = x + (b * s.c + g * cg + ic) * HW;
            float acc[kLanes] = {};
            for (size_t oy = rows.first; oy < rows.last; ++oy) {
              const float* row = plane + oy * s.ow;
              const float* in = input + (oy * s.strideH + ky * s.dilationH - s.padH) * s.w;
              size_t ox = cols.first;
              if (s.strideW == 1) {
                const float* shifted = in + offset;
                for (; ox + kLanes <= cols.last; ox += kLanes) {
                  for (size_t l = 0; l < kLanes; ++l) acc[l] += row[ox + l] * shifted[ox + l];
                }
              }
              for (; ox < cols.last; ++ox) acc[0] += row[ox] * in[static_cast<Index>(ox * s.strideW) + offset];
            }
            for (size_t l = 0; l < kLanes; ++l) total += acc[l];
          }
          dweight[((o * cg + ic) * s.kh + ky) * s.kw + kx] = static_cast<float>(total);
        }
      }
    }
  });
}

bool direct(const ConvShape& s) { return s.outC / s.groups < 4; }

}  // namespace

int conv2dAlgorithm(const ConvShape& s) { return direct(s) ? 1 : 0; }

void conv2dForward(const ConvShape& s, const float* x, const float* weight, const float* bias,
                   Activation activation, float* y) {
  if (s.n * s.outC * s.oh * s.ow == 0) return;
  if (direct(s)) {
    forwardDirect(s, x, weight, bias, activation, y);
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
    backwardDataDirect(s, dy, weight, dx);
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
    backwardWeightDirect(s, x, dy, dweight);
  } else {
    backwardWeightGemm(s, x, dy, dweight);
  }
}

}  // namespace tg
