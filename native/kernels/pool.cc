// 2-D pooling (pool.h): one task per plane, each sum in double in the reference's order.
#include "pool.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "for_each.h"

namespace tg {

namespace {

using Index = std::ptrdiff_t;

// The taps [first, last) of window `out` that land in [0, size).
void taps(size_t out, size_t stride, size_t pad, size_t dilation, size_t count, size_t size,
          size_t& first, size_t& last) {
  const Index origin = static_cast<Index>(out * stride) - static_cast<Index>(pad);
  const Index d = static_cast<Index>(dilation);
  Index f = 0;
  while (f < static_cast<Index>(count) && origin + f * d < 0) ++f;
  Index l = static_cast<Index>(count);
  while (l > f && origin + (l - 1) * d >= static_cast<Index>(size)) --l;
  first = static_cast<size_t>(f);
  last = static_cast<size_t>(l);
}

// An average window along one dimension: the positions [start, end) in the plane and the size
// clipped to the padded plane (as lib/backend/reference/pool.ts averageWindows).
struct Window {
  Index start, end, padded;
};

Window avgWindow(size_t out, size_t stride, size_t pad, size_t count, size_t size) {
  const Index start = static_cast<Index>(out * stride) - static_cast<Index>(pad);
  const Index paddedEnd = std::min(start + static_cast<Index>(count), static_cast<Index>(size + pad));
  return {std::max<Index>(start, 0), std::min(paddedEnd, static_cast<Index>(size)), paddedEnd - start};
}

double avgDivisor(const Window& r, const Window& c, bool countIncludePad, size_t divisor) {
  if (divisor != 0) return static_cast<double>(divisor);
  if (countIncludePad) return static_cast<double>(r.padded * c.padded);
  return static_cast<double>(std::max<Index>(r.end - r.start, 0) * std::max<Index>(c.end - c.start, 0));
}

void adaptiveBin(size_t o, size_t out, size_t size, size_t& start, size_t& end) {
  start = o * size / out;
  end = ((o + 1) * size + out - 1) / out;
}

}  // namespace

void maxPool2d(const PoolShape& s, const float* x, float* y, int32_t* indices) {
  forEach(s.planes, [&](size_t p) {
    const float* plane = x + p * s.h * s.w;
    for (size_t oy = 0; oy < s.oh; ++oy) {
      size_t ky0, ky1;
      taps(oy, s.strideH, s.padH, s.dilationH, s.kh, s.h, ky0, ky1);
      for (size_t ox = 0; ox < s.ow; ++ox) {
        size_t kx0, kx1;
        taps(ox, s.strideW, s.padW, s.dilationW, s.kw, s.w, kx0, kx1);
        float best = -std::numeric_limits<float>::infinity();
        int32_t at = -1;
        for (size_t ky = ky0; ky < ky1; ++ky) {
          const size_t iy = oy * s.strideH + ky * s.dilationH - s.padH;
          for (size_t kx = kx0; kx < kx1; ++kx) {
            const size_t ix = ox * s.strideW + kx * s.dilationW - s.padW;
            const float v = plane[iy * s.w + ix];
            if (at < 0 || v > best || v != v) {
              best = v;
              at = static_cast<int32_t>(iy * s.w + ix);
            }
          }
        }
        const size_t o = (p * s.oh + oy) * s.ow + ox;
        y[o] = best;
        indices[o] = at;
      }
    }
  });
}

void maxPool2dBackward(const PoolShape& s, const float* dy, const int32_t* indices, float* dx) {
  const size_t hw = s.h * s.w, ohw = s.oh * s.ow;
  forEach(s.planes, [&](size_t p) {
    std::vector<double> sums(hw, 0.0);
    for (size_t o = 0; o < ohw; ++o) {
      const int32_t at = indices[p * ohw + o];
      if (at >= 0) sums[static_cast<size_t>(at)] += dy[p * ohw + o];
    }
    for (size_t i = 0; i < hw; ++i) dx[p * hw + i] = static_cast<float>(sums[i]);
  });
}

void avgPool2d(const PoolShape& s, bool countIncludePad, size_t divisor, const float* x, float* y) {
  forEach(s.planes, [&](size_t p) {
    const float* plane = x + p * s.h * s.w;
    for (size_t oy = 0; oy < s.oh; ++oy) {
      const Window r = avgWindow(oy, s.strideH, s.padH, s.kh, s.h);
      for (size_t ox = 0; ox < s.ow; ++ox) {
        const Window c = avgWindow(ox, s.strideW, s.padW, s.kw, s.w);
        double sum = 0.0;
        for (Index iy = r.start; iy < r.end; ++iy) {
          for (Index ix = c.start; ix < c.end; ++ix) sum += plane[iy * static_cast<Index>(s.w) + ix];
        }
        y[(p * s.oh + oy) * s.ow + ox] = static_cast<float>(sum / avgDivisor(r, c, countIncludePad, divisor));
      }
    }
  });
}

void avgPool2dBackward(const PoolShape& s, bool countIncludePad, size_t divisor, const float* dy, float* dx) {
  const size_t hw = s.h * s.w;
  forEach(s.planes, [&](size_t p) {
    std::vector<double> sums(hw, 0.0);
    for (size_t oy = 0; oy < s.oh; ++oy) {
      const Window r = avgWindow(oy, s.strideH, s.padH, s.kh, s.h);
      for (size_t ox = 0; ox < s.ow; ++ox) {
        const Window c = avgWindow(ox, s.strideW, s.padW, s.kw, s.w);
        const double share = dy[(p * s.oh + oy) * s.ow + ox] / avgDivisor(r, c, countIncludePad, divisor);
        for (Index iy = r.start; iy < r.end; ++iy) {
          for (Index ix = c.start; ix < c.end; ++ix) sums[static_cast<size_t>(iy * static_cast<Index>(s.w) + ix)] += share;
        }
      }
    }
    for (size_t i = 0; i < hw; ++i) dx[p * hw + i] = static_cast<float>(sums[i]);
  });
}

namespace {

// body(output index, [y0, y1) × [x0, x1)) for each of a plane's adaptive bins, in output order.
template <typename Body>
void forEachBin(const PoolShape& s, Body body) {
  for (size_t oy = 0; oy < s.oh; ++oy) {
    size_t y0, y1;
    adaptiveBin(oy, s.oh, s.h, y0, y1);
    for (size_t ox = 0; ox < s.ow; ++ox) {
      size_t x0, x1;
      adaptiveBin(ox, s.ow, s.w, x0, x1);
      body(oy * s.ow + ox, y0, y1, x0, x1);
    }
  }
}

}  // namespace

void adaptiveAvgPool2d(const PoolShape& s, const float* x, float* y) {
  forEach(s.planes, [&](size_t p) {
    const float* plane = x + p * s.h * s.w;
    forEachBin(s, [&](size_t o, size_t y0, size_t y1, size_t x0, size_t x1) {
      double sum = 0.0;
      for (size_t iy = y0; iy < y1; ++iy) {
        for (size_t ix = x0; ix < x1; ++ix) sum += plane[iy * s.w + ix];
      }
      y[p * s.oh * s.ow + o] = static_cast<float>(sum / static_cast<double>((y1 - y0) * (x1 - x0)));
    });
  });
}

void adaptiveAvgPool2dBackward(const PoolShape& s, const float* dy, float* dx) {
  const size_t hw = s.h * s.w;
  forEach(s.planes, [&](size_t p) {
    std::vector<double> sums(hw, 0.0);
    forEachBin(s, [&](size_t o, size_t y0, size_t y1, size_t x0, size_t x1) {
      const double share = dy[p * s.oh * s.ow + o] / static_cast<double>((y1 - y0) * (x1 - x0));
      for (size_t iy = y0; iy < y1; ++iy) {
        for (size_t ix = x0; ix < x1; ++ix) sums[iy * s.w + ix] += share;
      }
    });
    for (size_t i = 0; i < hw; ++i) dx[p * hw + i] = static_cast<float>(sums[i]);
  });
}

void scalePlanes(const float* x, const float* scale, size_t planes, size_t hw, float* y) {
  forEach(planes, [&](size_t p) {
    const float k = scale[p];
    for (size_t i = p * hw; i < (p + 1) * hw; ++i) y[i] = x[i] * k;
  });
}

}  // namespace tg
