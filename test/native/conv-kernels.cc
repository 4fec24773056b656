// The native convolution and pooling kernels against plain double loops, on every SIMD level
// this CPU has and 1, 2 and 3 threads (whose results must be the same bits). Built and run by
// test/native/conv-kernels.test.ts; prints one line per failure and a summary, exits 1 on any.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

#include "../../native/cpu.h"
#include "../../native/kernels/conv.h"
#include "../../native/kernels/im2col.h"
#include "../../native/kernels/pool.h"
#include "../../native/threadpool.h"

using namespace tg;
using Vec = std::vector<float>;

namespace {

int failures = 0;
int checks = 0;

void fail(const char* what, const char* detail) {
  ++failures;
  std::printf("FAIL %s: %s\n", what, detail);
}

// Naive convolution in double: the product sums, optionally of |x|·|w| (the error bound's scale).
void naiveForward(const ConvShape& s, const Vec& x, const Vec& w, const Vec& bias, bool absolute, std::vector<double>& y) {
  const size_t cg = s.c / s.groups, og = s.outC / s.groups;
  y.assign(s.n * s.outC * s.oh * s.ow, 0.0);
  for (size_t b = 0; b < s.n; ++b)
    for (size_t o = 0; o < s.outC; ++o)
      for (size_t oy = 0; oy < s.oh; ++oy)
        for (size_t ox = 0; ox < s.ow; ++ox) {
          double sum = absolute ? std::fabs(bias[o]) : bias[o];
          for (size_t ic = 0; ic < cg; ++ic)
            for (size_t ky = 0; ky < s.kh; ++ky)
              for (size_t kx = 0; kx < s.kw; ++kx) {
                const long iy = static_cast<long>(oy * s.strideH + ky * s.dilationH) - static_cast<long>(s.padH);
                const long ix = static_cast<long>(ox * s.strideW + kx * s.dilationW) - static_cast<long>(s.padW);
                if (iy < 0 || ix < 0 || iy >= static_cast<long>(s.h) || ix >= static_cast<long>(s.w)) continue;
                const double xv = x[((b * s.c + (o / og) * cg + ic) * s.h + iy) * s.w + ix];
                const double wv = w[((o * cg + ic) * s.kh + ky) * s.kw + kx];
                sum += absolute ? std::fabs(xv * wv) : xv * wv;
              }
          y[((b * s.outC + o) * s.oh + oy) * s.ow + ox] = sum;
        }
}

// Naive gradients: dx and dw (and db) by scattering every product's derivative.
void naiveBackward(const ConvShape& s, const Vec& x, const Vec& w, const Vec& dy, bool absolute,
                   std::vector<double>& dx, std::vector<double>& dw, std::vector<double>& db) {
  const size_t cg = s.c / s.groups, og = s.outC / s.groups;
  dx.assign(x.size(), 0.0);
  dw.assign(w.size(), 0.0);
  db.assign(s.outC, 0.0);
  auto f = [absolute](double v) { return absolute ? std::fabs(v) : v; };
  for (size_t b = 0; b < s.n; ++b)
    for (size_t o = 0; o < s.outC; ++o)
      for (size_t oy = 0; oy < s.oh; ++oy)
        for (size_t ox = 0; ox < s.ow; ++ox) {
          const double d = dy[((b * s.outC + o) * s.oh + oy) * s.ow + ox];
          db[o] += f(d);
          for (size_t ic = 0; ic < cg; ++ic)
            for (size_t ky = 0; ky < s.kh; ++ky)
              for (size_t kx = 0; kx < s.kw; ++kx) {
                const long iy = static_cast<long>(oy * s.strideH + ky * s.dilationH) - static_cast<long>(s.padH);
                const long ix = static_cast<long>(ox * s.strideW + kx * s.dilationW) - static_cast<long>(s.padW);
                if (iy < 0 || ix < 0 || iy >= static_cast<long>(s.h) || ix >= static_cast<long>(s.w)) continue;
                const size_t xi = ((b * s.c + (o / og) * cg + ic) * s.h + iy) * s.w + ix;
                const size_t wi = ((o * cg + ic) * s.kh + ky) * s.kw + kx;
                dx[xi] += f(d * w[wi]);
                dw[wi] += f(d * x[xi]);
              }
        }
}

// |ours − exact| ≤ (terms + 2)·2^−23·scale, per element.
void compare(const char* what, const ConvShape& s, const Vec& ours, const std::vector<double>& exact,
             const std::vector<double>& scale, double terms) {
  ++checks;
  for (size_t i = 0; i < ours.size(); ++i) {
    const double bound = (terms + 2) * std::ldexp(1.0, -23) * scale[i] + 1e-30;
    if (!(std::fabs(ours[i] - exact[i]) <= bound)) {
      char detail[512];
      std::snprintf(detail, sizeof detail,
                    "n%zu c%zu %zux%zu outC%zu k%zux%zu s%zu,%zu p%zu,%zu d%zu,%zu g%zu o%zux%zu: element %zu is %.9g, expected %.9g (bound %.3g)",
                    s.n, s.c, s.h, s.w, s.outC, s.kh, s.kw, s.strideH, s.strideW, s.padH, s.padW, s.dilationH,
                    s.dilationW, s.groups, s.oh, s.ow, i, ours[i], exact[i], bound);
      fail(what, detail);
      return;
    }
  }
}

void sameBits(const char* what, const Vec& a, const Vec& b, size_t threads) {
  ++checks;
  if (a.size() != b.size() || std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) != 0) {
    char detail[128];
    std::snprintf(detail, sizeof detail, "%zu threads give other bits than 1 thread", threads);
    fail(what, detail);
  }
}

size_t outSize(size_t size, size_t taps, size_t stride, size_t padBefore, size_t padAfter, size_t dilation) {
  const long span = static_cast<long>(size + padBefore + padAfter) - static_cast<long>(dilation * (taps - 1)) - 1;
  return span < 0 ? 0 : static_cast<size_t>(span) / stride + 1;
}

Vec randomVec(std::mt19937& rng, size_t n) {
  std::normal_distribution<float> normal(0.0f, 1.0f);
  Vec v(n);
  for (float& e : v) e = normal(rng);
  return v;
}

void testConv(const ConvShape& s, std::mt19937& rng) {
  const size_t cg = s.c / s.groups, og = s.outC / s.groups;
  const Vec x = randomVec(rng, s.n * s.c * s.h * s.w);
  const Vec w = randomVec(rng, s.outC * cg * s.kh * s.kw);
  const Vec bias = randomVec(rng, s.outC);
  const Vec dy = randomVec(rng, s.n * s.outC * s.oh * s.ow);
  std::vector<double> y, yScale, dx, dw, db, dxScale, dwScale, dbScale;
  naiveForward(s, x, w, bias, false, y);
  naiveForward(s, x, w, bias, true, yScale);
  naiveBackward(s, x, w, dy, false, dx, dw, db);
  naiveBackward(s, x, w, dy, true, dxScale, dwScale, dbScale);
  std::vector<double> relu(y.size());
  for (size_t i = 0; i < y.size(); ++i) relu[i] = y[i] > 0 ? y[i] : 0.0;

  const SimdLevel levels[] = {SimdLevel::Portable, SimdLevel::Avx2, SimdLevel::Avx512};
  for (SimdLevel level : levels) {
    if (!setActiveSimd(level)) continue;
    Vec first[5];
    for (size_t threads = 1; threads <= 3; ++threads) {
      setNumThreads(threads);
      Vec out(y.size()), outRelu(y.size()), gx(x.size(), NAN), gw(w.size(), NAN), gb(s.outC, NAN);
      conv2dForward(s, x.data(), w.data(), bias.data(), Activation::None, out.data());
      conv2dForward(s, x.data(), w.data(), bias.data(), Activation::Relu, outRelu.data());
      conv2dBackwardData(s, dy.data(), w.data(), gx.data());
      conv2dBackwardWeight(s, x.data(), dy.data(), gw.data(), gb.data());
      if (threads == 1) {
        compare("conv2dForward", s, out, y, yScale, static_cast<double>(cg * s.kh * s.kw + 1));
        compare("conv2dForward relu", s, outRelu, relu, yScale, static_cast<double>(cg * s.kh * s.kw + 1));
        compare("conv2dBackwardData", s, gx, dx, dxScale, static_cast<double>(og * s.kh * s.kw + s.kh * s.kw));
        compare("conv2dBackwardWeight", s, gw, dw, dwScale, static_cast<double>(s.n * s.oh * s.ow + s.n));
        compare("conv2dBackwardWeight dbias", s, gb, db, dbScale, static_cast<double>(s.n * s.oh * s.ow));
        first[0] = out, first[1] = outRelu, first[2] = gx, first[3] = gw, first[4] = gb;
      } else {
        sameBits("conv2dForward", first[0], out, threads);
        sameBits("conv2dForward relu", first[1], outRelu, threads);
        sameBits("conv2dBackwardData", first[2], gx, threads);
        sameBits("conv2dBackwardWeight", first[3], gw, threads);
        sameBits("conv2dBackwardWeight dbias", first[4], gb, threads);
      }
    }
  }
  setActiveSimd(detectedSimd());
}

ConvShape shape(size_t n, size_t c, size_t h, size_t w, size_t outC, size_t kh, size_t kw, size_t sh, size_t sw,
                size_t ph, size_t pw, size_t dh, size_t dw, size_t groups, size_t extraH = 0, size_t extraW = 0) {
  ConvShape s{n, c, h, w, outC, kh, kw, sh, sw, ph, pw, dh, dw, groups, 0, 0};
  s.oh = outSize(h, kh, sh, ph, ph + extraH, dh);
  s.ow = outSize(w, kw, sw, pw, pw + extraW, dw);
  return s;
}

void testPool(std::mt19937& rng) {
  // Pool kernels must equal their double-precision definition exactly; spot shapes here, the
  // kernel suite compares them with the reference on every backend.
  PoolShape s{6, 7, 9, 3, 2, 2, 2, 1, 1, 1, 1, 0, 0};
  s.oh = (7 + 2 - 3) / 2 + 1;
  s.ow = (9 + 2 - 2) / 2 + 1;
  const Vec x = randomVec(rng, s.planes * s.h * s.w);
  Vec y(s.planes * s.oh * s.ow);
  std::vector<int32_t> idx(y.size());
  maxPool2d(s, x.data(), y.data(), idx.data());
  ++checks;
  for (size_t p = 0; p < s.planes; ++p)
    for (size_t oy = 0; oy < s.oh; ++oy)
      for (size_t ox = 0; ox < s.ow; ++ox) {
        float best = -INFINITY;
        for (long ky = 0; ky < 3; ++ky)
          for (long kx = 0; kx < 2; ++kx) {
            const long iy = static_cast<long>(oy * 2) - 1 + ky, ix = static_cast<long>(ox * 2) - 1 + kx;
            if (iy >= 0 && ix >= 0 && iy < 7 && ix < 9) best = std::max(best, x[(p * 7 + iy) * 9 + ix]);
          }
        const size_t o = (p * s.oh + oy) * s.ow + ox;
        if (y[o] != best || x[p * 63 + idx[o]] != best) {
          fail("maxPool2d", "a window's maximum or its index is wrong");
          return;
        }
      }
}

// im2colImage and col2imImage of one image at every SIMD level (the vector rows for unit
// horizontal stride) against the portable level, bit for bit, with the rows ld apart and a
// sentinel past each row's columns that neither may touch.
void testPatchRows(std::mt19937& rng) {
  std::uniform_int_distribution<int> pick(0, 1 << 30);
  auto r = [&](int lo, int hi) { return static_cast<size_t>(lo + pick(rng) % (hi - lo + 1)); };
  for (int t = 0; t < 80; ++t) {
    Window w{r(1, 3), r(1, 40), r(1, 40), r(1, 4), r(1, 4), r(1, 3), t % 3 == 0 ? r(2, 3) : 1, r(0, 5), r(0, 5), r(1, 2), r(1, 2), 0, 0};
    if (t < 20) {  // stride 1 and 'same' width: the flat runs (3×3 pad 1, 5×5 pad 2, dilated, 1×1)
      const size_t kinds[4][3] = {{3, 1, 1}, {5, 2, 1}, {3, 2, 2}, {1, 0, 1}};  // kernel, pad, dilation
      const size_t* k = kinds[t % 4];
      w.kernelW = k[0], w.padW = k[1], w.dilationW = k[2], w.strideW = 1, w.strideH = 1;
      w.kernelH = kinds[(t / 4) % 4][0], w.padH = kinds[(t / 4) % 4][1], w.dilationH = kinds[(t / 4) % 4][2];
    }
    const long spanH = static_cast<long>(w.height + 2 * w.padH) - static_cast<long>(w.dilationH * (w.kernelH - 1)) - 1;
    const long spanW = static_cast<long>(w.width + 2 * w.padW) - static_cast<long>(w.dilationW * (w.kernelW - 1)) - 1;
    if (spanH < 0 || spanW < 0) continue;
    w.outH = static_cast<size_t>(spanH) / w.strideH + 1;
    w.outW = static_cast<size_t>(spanW) / w.strideW + 1;
    const size_t P = w.outH * w.outW, ld = P + r(0, 9), rows = w.channels * w.kernelH * w.kernelW;
    const Vec x = randomVec(rng, w.channels * w.height * w.width);
    const Vec cols = randomVec(rng, rows * ld);
    Vec firstCols, firstX;
    const SimdLevel levels[] = {SimdLevel::Portable, SimdLevel::Avx2, SimdLevel::Avx512};
    for (SimdLevel level : levels) {
      if (!setActiveSimd(level)) continue;
      Vec outCols(rows * ld, 7.0f), outX(x.size(), NAN);
      im2colImage(x.data(), w, outCols.data(), ld);
      col2imImage(cols.data(), ld, w, outX.data());
      ++checks;
      for (size_t row = 0; row < rows; ++row) {
        for (size_t e = P; e < ld; ++e) {
          if (outCols[row * ld + e] != 7.0f) {
            fail("im2colImage", "wrote past a row's columns");
            row = rows;
            break;
          }
        }
      }
      if (level == SimdLevel::Portable) {
        firstCols = outCols, firstX = outX;
      } else {
        const bool colsSame = std::memcmp(firstCols.data(), outCols.data(), outCols.size() * sizeof(float)) == 0;
        const bool xSame = std::memcmp(firstX.data(), outX.data(), outX.size() * sizeof(float)) == 0;
        checks += 2;
        if (!colsSame) fail("im2colImage", simdName(level));
        if (!xSame) fail("col2imImage", simdName(level));
      }
    }
  }
  setActiveSimd(detectedSimd());
}

}  // namespace

int main() {
  std::mt19937 rng(7);
  std::vector<ConvShape> shapes = {
      shape(2, 3, 7, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1),       // 3×3 'same'
      shape(3, 8, 9, 9, 16, 3, 3, 2, 2, 1, 1, 1, 1, 1),      // stride 2
      shape(2, 16, 6, 5, 12, 1, 1, 1, 1, 0, 0, 1, 1, 1),     // 1×1, read in place
      shape(1, 16, 6, 5, 12, 1, 1, 1, 1, 0, 0, 1, 1, 1),     // 1×1, one image
      shape(2, 8, 8, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 8),       // depthwise (direct)
      shape(2, 6, 9, 7, 12, 3, 3, 2, 1, 1, 1, 1, 1, 6),      // depthwise ×2 (direct)
      shape(2, 6, 9, 7, 12, 3, 2, 1, 2, 2, 0, 2, 1, 2),      // groups, dilation
      shape(2, 3, 7, 8, 4, 2, 4, 1, 1, 0, 1, 1, 1, 1, 1, 2),  // 'same' even kernel: extra bottom/right
      shape(4, 1, 28, 28, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1),    // the CNN's first layer
      shape(3, 32, 14, 14, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1),   // its second
      shape(1, 3, 5, 5, 6, 5, 5, 1, 1, 0, 0, 1, 1, 1),       // kernel = input
      shape(2, 4, 3, 3, 5, 1, 1, 2, 2, 2, 2, 1, 1, 1),       // padding larger than the kernel
      shape(2, 2, 6, 6, 3, 3, 3, 3, 3, 0, 0, 1, 1, 1),       // stride 3, three outputs (direct)
      shape(40, 2, 5, 6, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1),      // many images: several per chunk
      shape(20, 32, 16, 16, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1),  // 7 chunks: threads take chunks; 7 weight runs
      shape(40, 1, 28, 28, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1),   // 2 weight runs, weight gradient transposed
  };
  std::uniform_int_distribution<int> pick(0, 1 << 30);
  for (int i = 0; i < 30; ++i) {
    auto r = [&](int lo, int hi) { return static_cast<size_t>(lo + pick(rng) % (hi - lo + 1)); };
    const size_t groups = r(1, 3), cg = r(1, 4), og = r(1, 6);
    const ConvShape s = shape(r(1, 5), groups * cg, r(3, 12), r(3, 12), groups * og, r(1, 4), r(1, 4), r(1, 3), r(1, 3),
                              r(0, 2), r(0, 2), r(1, 2), r(1, 2), groups);
    if (s.oh > 0 && s.ow > 0) shapes.push_back(s);
  }
  for (const ConvShape& s : shapes) testConv(s, rng);
  testPool(rng);
  testPatchRows(rng);
  std::printf("%d checks, %d failures, %zu shapes\n", checks, failures, shapes.size());
  return failures == 0 ? 0 : 1;
}
