// 2-D pooling (pool.h): one task per plane, each sum in double in the reference's order.
#include "pool.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "../cpu.h"
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

namespace {

// The running maximum of a window: the first largest value, or the last NaN (as the reference).
inline void takeMax(float v, int32_t position, float& best, int32_t& at) {
  if (at < 0 || v > best || v != v) {
    best = v;
    at = position;
  }
}

// takeMax after a window's first value (at ≥ 0), without branches: random data makes the
// comparison unpredictable, and a mispredicted jump per tap cost more than the tap itself.
inline void takeMaxBranchless(float v, int32_t position, float& best, int32_t& at) {
  const bool take = (v > best) | (v != v);
  best = take ? v : best;
  at = take ? position : at;
}

// Each output column's taps [first, last) along x: the same for every row and plane, so
// computed once per call rather than per window.
struct ColumnTaps {
  std::vector<size_t> first, last;
  explicit ColumnTaps(const PoolShape& s) : first(s.ow), last(s.ow) {
    for (size_t ox = 0; ox < s.ow; ++ox) taps(ox, s.strideW, s.padW, s.dilationW, s.kw, s.w, first[ox], last[ox]);
  }
};

// The 2×2 stride-2 windows of one output row lying wholly inside the plane (rows r0 and r1 =
// r0 + w, row offset `base` of r0 in the plane): straight-line code in the general order
// (row by row, left to right).
void maxRow2x2(const float* r0, size_t w, size_t base, size_t count, float* y, int32_t* indices) {
  const float* r1 = r0 + w;
  for (size_t ox = 0; ox < count; ++ox) {
    const size_t ix = 2 * ox;
    float best = r0[ix];
    int32_t at = static_cast<int32_t>(base + ix);
    takeMaxBranchless(r0[ix + 1], static_cast<int32_t>(base + ix + 1), best, at);
    takeMaxBranchless(r1[ix], static_cast<int32_t>(base + w + ix), best, at);
    takeMaxBranchless(r1[ix + 1], static_cast<int32_t>(base + w + ix + 1), best, at);
    y[ox] = best;
    indices[ox] = at;
  }
}

}  // namespace

void maxPool2d(const PoolShape& s, const float* x, float* y, int32_t* indices) {
  const ColumnTaps columns(s);
  // The common 2×2 stride-2 window without padding or dilation: full windows take maxRow2x2.
  const bool twoByTwo = s.kh == 2 && s.kw == 2 && s.strideH == 2 && s.strideW == 2 && s.padW == 0 &&
                        s.dilationH == 1 && s.dilationW == 1;
  const size_t fullColumns = twoByTwo ? std::min(s.ow, s.w / 2) : 0;
#ifdef TG_X86
  const auto fullRow = useAvx512() ? avx512::maxRow2x2 : maxRow2x2;
#else
  const auto fullRow = maxRow2x2;
#endif
  forEach(s.planes, [&](size_t p) {
    const float* plane = x + p * s.h * s.w;
    for (size_t oy = 0; oy < s.oh; ++oy) {
      size_t ky0, ky1;
      taps(oy, s.strideH, s.padH, s.dilationH, s.kh, s.h, ky0, ky1);
      const size_t row = (p * s.oh + oy) * s.ow;
      size_t ox = 0;
      if (fullColumns > 0 && ky0 == 0 && ky1 == 2) {
        const size_t iy = oy * 2 - s.padH;
        fullRow(plane + iy * s.w, s.w, iy * s.w, fullColumns, y + row, indices + row);
        ox = fullColumns;
      }
      for (; ox < s.ow; ++ox) {
        float best = -std::numeric_limits<float>::infinity();
        int32_t at = -1;
        for (size_t ky = ky0; ky < ky1; ++ky) {
          const size_t iy = oy * s.strideH + ky * s.dilationH - s.padH;
          for (size_t kx = columns.first[ox]; kx < columns.last[ox]; ++kx) {
            const size_t ix = ox * s.strideW + kx * s.dilationW - s.padW;
            takeMax(plane[iy * s.w + ix], static_cast<int32_t>(iy * s.w + ix), best, at);
          }
        }
        y[row + ox] = best;
        indices[row + ox] = at;
      }
    }
  });
}

namespace {

// Which positions of a plane have been written in the current pass: a position is marked when
// its stamp equals the pass's token, so a new pass costs no clearing (per thread, reused).
class PositionMarks {
 public:
  void begin(size_t size) {
    if (stamps_.size() < size) stamps_.assign(size, 0);
    if (++token_ == 0) {  // wrapped: old stamps could equal the new token
      std::fill(stamps_.begin(), stamps_.end(), 0u);
      token_ = 1;
    }
  }
  // True the first time `i` is marked in this pass.
  bool mark(size_t i) {
    if (stamps_[i] == token_) return false;
    stamps_[i] = token_;
    return true;
  }

 private:
  std::vector<uint32_t> stamps_;
  uint32_t token_ = 0;
};

thread_local PositionMarks marks;

}  // namespace

void maxPool2dBackward(const PoolShape& s, const float* dy, const int32_t* indices, float* dx) {
  const size_t hw = s.h * s.w, ohw = s.oh * s.ow;
  forEach(s.planes, [&](size_t p) {
    const int32_t* at = indices + p * ohw;
    const float* grad = dy + p * ohw;
    float* out = dx + p * hw;
    // Where no two outputs share a position (windows that do not overlap), each gradient is
    // written as is: what the reference's double sum of one term rounds to.
    std::fill(out, out + hw, 0.0f);
    PositionMarks& marked = marks;  // one thread-local lookup per plane, not per output
    marked.begin(hw);
    bool shared = false;
    for (size_t o = 0; o < ohw && !shared; ++o) {
      if (at[o] < 0) continue;
      const size_t i = static_cast<size_t>(at[o]);
      if (marked.mark(i)) out[i] = grad[o];
      else shared = true;
    }
    if (!shared) return;
    // Overlapping windows: sums in double in output order, rounded once (the reference's order).
    std::vector<double> sums(hw, 0.0);
    for (size_t o = 0; o < ohw; ++o) {
      if (at[o] >= 0) sums[static_cast<size_t>(at[o])] += grad[o];
    }
    for (size_t i = 0; i < hw; ++i) out[i] = static_cast<float>(sums[i]);
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
