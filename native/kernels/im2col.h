// im2col and its adjoint col2im over an NCHW batch (lib/backend/kernels/layout.ts declares
// them): the patch matrix a convolution multiplies, laid out as torch.nn.functional.unfold does.
#pragma once

#include <cstddef>
#include <cstdint>

#include "../platform.h"

namespace tg {

// The window over one image: kernel, stride, zero padding and dilation per axis, and the
// output grid they give (outH = (height + 2 padH - dilationH (kernelH - 1) - 1) / strideH + 1).
struct Window {
  size_t channels, height, width;
  size_t kernelH, kernelW, strideH, strideW, padH, padW, dilationH, dilationW;
  size_t outH, outW;
};

// Output columns ox in [first, last) read inside the image for a tap at offset `at`
// (ix = ox stride - pad + at). Plain code, no library templates: the per-ISA units use it too.
struct Run {
  size_t first, last;
};

inline Run insideRun(size_t extent, size_t out, size_t stride, size_t pad, size_t at) {
  // ix >= 0  <=>  ox stride >= pad - at;  ix < extent  <=>  ox stride < extent + pad - at.
  const size_t shift = pad > at ? pad - at : 0;
  size_t first = (shift + stride - 1) / stride;
  if (first > out) first = out;
  const size_t limit = extent + pad > at ? extent + pad - at : 0;  // ox stride < limit
  size_t last = (limit + stride - 1) / stride;
  if (last > out) last = out;
  if (last < first) last = first;
  return {first, last};
}

// cols[b, (c kernelH + i) kernelW + j, oy outW + ox] = x[b, c, oy strideH - padH + i dilationH,
// ox strideW - padW + j dilationW], 0 in the padding. T is float or uint16_t (bfloat16 bits):
// values are copied, never rounded.
template <typename T>
void im2col(const T* x, size_t batch, const Window& w, T* cols);
// x = the adjoint of im2col applied to cols: each pixel the sum of the cols elements im2col
// copies from it, added in im2col's order (i, j, oy, ox); 0 where no window reaches.
void col2im(const float* cols, size_t batch, const Window& w, float* x);

// One image's w.channels planes, on the calling thread, into a patch matrix whose rows are ld
// floats apart (ld >= outH·outW): row (c, i, j) at cols + ((c kernelH + i) kernelW + j)·ld. The
// convolution lays a chunk of images side by side this way, one image's columns at offset
// image·outH·outW of each row.
void im2colImage(const float* x, const Window& w, float* cols, size_t ld);
// The adjoint of im2colImage: x (w.channels planes) written from those rows.
void col2imImage(const float* cols, size_t ld, const Window& w, float* x);

// The two for w.strideW == 1 with vector rows (im2col_rows.inc): a row's run copied or added
// by masked vectors, the same values and the same additions in the same order as the portable
// loops, so the same bits.
#ifdef TG_X86
namespace avx2 {
void im2colImageUnitStride(const float* x, const Window& w, float* cols, size_t ld);
void col2imImageUnitStride(const float* cols, size_t ld, const Window& w, float* x);
}  // namespace avx2
namespace avx512 {
void im2colImageUnitStride(const float* x, const Window& w, float* cols, size_t ld);
void col2imImageUnitStride(const float* cols, size_t ld, const Window& w, float* x);
}  // namespace avx512
#endif

}  // namespace tg
