// 2-D convolution (cross-correlation, as PyTorch's conv2d) on raw NCHW float32 pointers,
// arguments already checked. Geometry as lib/backend/reference/conv.ts: x [n, c, h, w], weight
// [outC, c/groups, kh, kw], y [n, outC, oh, ow]; padH/padW are the top/left padding, the
// bottom/right padding is whatever oh/ow imply; positions outside the input read as zero.
//
// Algorithms (conv.cc): im2col (tg::im2colImage, the one im2col of im2col.h) + the packed SGEMM
// over chunks of images for most shapes (a 1×1 stride-1 convolution of one image reads x in
// place); direct loops when each group has fewer than 4 output channels (depthwise), where a
// GEMM of so few rows would waste its tiles.
// Threads take whole images (im2col, col2im, the epilogue, the direct loops) or whole output
// channels (the direct backward-weight), and the GEMM splits C into a fixed grid, so results do
// not depend on the thread count.
#pragma once

#include <cstddef>

#include "gemm.h"

namespace tg {

struct ConvShape {
  size_t n, c, h, w;
  size_t outC, kh, kw;
  size_t strideH, strideW, padH, padW, dilationH, dilationW, groups;
  size_t oh, ow;
};

// y = act(conv(x, weight) + bias); bias has outC values, or is null (none). activation None or Relu.
void conv2dForward(const ConvShape& s, const float* x, const float* weight, const float* bias,
                   Activation activation, float* y);

// dx = ∂L/∂x given dy (of the product, before any activation). dx is written.
void conv2dBackwardData(const ConvShape& s, const float* dy, const float* weight, float* dx);

// dweight = ∂L/∂weight and dbias = Σ dy per output channel. Both written.
void conv2dBackwardWeight(const ConvShape& s, const float* x, const float* dy, float* dweight,
                          float* dbias);

// What conv2dForward will do, for benchmarks and tests: 0 im2col + GEMM, 1 direct.
int conv2dAlgorithm(const ConvShape& s);

// The direct path in each instruction set (conv.cc dispatches).
namespace portable {
#include "conv_direct_kernels.inc"
}  // namespace portable
namespace avx2 {
#include "conv_direct_kernels.inc"
}  // namespace avx2
namespace avx512 {
#include "conv_direct_kernels.inc"
}  // namespace avx512

}  // namespace tg
