// im2col and col2im: per image plane, per kernel tap (i, j), per output row, the run of output
// columns whose taps land inside the image is copied (or added) in one pass and the rest is
// padding. Planes are independent, so large batches split over the thread pool by plane with
// the same bits on any thread count. The entries (registry.h) bind them to their declarations.
// The convolution (conv.cc) runs the same plane loops, one image at a time, into a patch matrix
// whose rows hold a chunk of images side by side (im2colImage, col2imImage).
#include "im2col.h"

#include <algorithm>
#include <cstring>
#include <type_traits>

#include "../cpu.h"
#include "../registry.h"
#include "../threadpool.h"

namespace tg {

namespace {

// Calls row(at, y, tap, run, inside) for each tap and output row of a plane, in im2col's order:
// `at` is where the row's outW columns start (the rows of tap (i, j) are ld apart), y the image
// row when inside.
template <typename Row>
void eachRow(const Window& w, size_t ld, Row&& row) {
  for (size_t i = 0; i < w.kernelH; ++i) {
    for (size_t j = 0; j < w.kernelW; ++j) {
      const Run run = insideRun(w.width, w.outW, w.strideW, w.padW, j * w.dilationW);
      for (size_t oy = 0; oy < w.outH; ++oy) {
        const size_t at = oy * w.strideH + i * w.dilationH;  // y + padH
        const bool inside = at >= w.padH && at - w.padH < w.height;
        row((i * w.kernelW + j) * ld + oy * w.outW, inside ? at - w.padH : w.height, j * w.dilationW, run, inside);
      }
    }
  }
}

template <typename T>
void im2colPlane(const T* x, const Window& w, T* cols, size_t ld) {
  eachRow(w, ld, [&](size_t to, size_t y, size_t tap, Run run, bool inside) {
    T* out = cols + to;
    if (!inside) {
      std::fill(out, out + w.outW, T(0));
      return;
    }
    const T* line = x + y * w.width;
    std::fill(out, out + run.first, T(0));
    if (w.strideW == 1) {
      if (run.last > run.first) std::memcpy(out + run.first, line + run.first + tap - w.padW, (run.last - run.first) * sizeof(T));
    } else {
      for (size_t ox = run.first; ox < run.last; ++ox) out[ox] = line[ox * w.strideW + tap - w.padW];
    }
    std::fill(out + run.last, out + w.outW, T(0));
  });
}

void col2imPlane(const float* cols, const Window& w, float* x, size_t ld) {
  std::fill(x, x + w.height * w.width, 0.0f);
  eachRow(w, ld, [&](size_t from, size_t y, size_t tap, Run run, bool inside) {
    if (!inside) return;
    const float* in = cols + from;
    float* line = x + y * w.width;
    for (size_t ox = run.first; ox < run.last; ++ox) line[ox * w.strideW + tap - w.padW] += in[ox];
  });
}

// Below this many patch elements one thread does it all (a pool hand-off costs more).
constexpr size_t kParallelElements = size_t{1} << 16;

template <typename Plane>
void forEachPlane(size_t planes, size_t perPlane, Plane&& plane) {
  if (planes < 2 || planes * perPlane < kParallelElements) {
    for (size_t p = 0; p < planes; ++p) plane(p);
    return;
  }
  using Task = std::remove_reference_t<Plane>;
  parallelFor(planes, [](void* context, size_t p) { (*static_cast<Task*>(context))(p); }, &plane);
}

Window windowOf(const Call& call) {
  // Arguments 2..12 of both declarations, then the derived spanH, spanW, outH, outW.
  return {call.index(2), call.index(3), call.index(4), call.index(5), call.index(6), call.index(7), call.index(8),
          call.index(9), call.index(10), call.index(11), call.index(12),
          static_cast<size_t>(call.derived(2)), static_cast<size_t>(call.derived(3))};
}

template <typename T>
void im2colEntry(Call& call) {
  const Window w = windowOf(call);
  if (call.length(13) == 0) return;  // no patch elements (and the arrays may be null)
  im2col(call.in<T>(0), call.index(1), w, call.out<T>(13));
}

}  // namespace

template <typename T>
void im2col(const T* x, size_t batch, const Window& w, T* cols) {
  const size_t image = w.height * w.width;
  const size_t outputs = w.outH * w.outW;
  const size_t patch = w.kernelH * w.kernelW * outputs;
  forEachPlane(batch * w.channels, patch, [&](size_t p) { im2colPlane(x + p * image, w, cols + p * patch, outputs); });
}

template void im2col<float>(const float*, size_t, const Window&, float*);
template void im2col<uint16_t>(const uint16_t*, size_t, const Window&, uint16_t*);

void col2im(const float* cols, size_t batch, const Window& w, float* x) {
  const size_t image = w.height * w.width;
  const size_t outputs = w.outH * w.outW;
  const size_t patch = w.kernelH * w.kernelW * outputs;
  forEachPlane(batch * w.channels, patch, [&](size_t p) { col2imPlane(cols + p * patch, w, x + p * image, outputs); });
}

void im2colImage(const float* x, const Window& w, float* cols, size_t ld) {
#ifdef TG_X86
  if (w.strideW == 1 && useAvx512()) return avx512::im2colImageUnitStride(x, w, cols, ld);
  if (w.strideW == 1 && useAvx2Code()) return avx2::im2colImageUnitStride(x, w, cols, ld);
#endif
  const size_t taps = w.kernelH * w.kernelW;
  for (size_t c = 0; c < w.channels; ++c) im2colPlane(x + c * w.height * w.width, w, cols + c * taps * ld, ld);
}

void col2imImage(const float* cols, size_t ld, const Window& w, float* x) {
#ifdef TG_X86
  if (w.strideW == 1 && useAvx512()) return avx512::col2imImageUnitStride(cols, ld, w, x);
  if (w.strideW == 1 && useAvx2Code()) return avx2::col2imImageUnitStride(cols, ld, w, x);
#endif
  const size_t taps = w.kernelH * w.kernelW;
  for (size_t c = 0; c < w.channels; ++c) col2imPlane(cols + c * taps * ld, w, x + c * w.height * w.width, ld);
}

TG_KERNEL(im2col) { im2colEntry<float>(call); }
TG_KERNEL_FOR(im2col, bfloat16) { im2colEntry<uint16_t>(call); }

TG_KERNEL(col2im) {
  const Window w = windowOf(call);
  if (call.length(0) == 0) return;  // no pixels to write (and the arrays may be null)
  col2im(call.in<float>(13), call.index(1), w, call.out<float>(0));
}

}  // namespace tg
