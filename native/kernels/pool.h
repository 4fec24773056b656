// 2-D pooling over planes (an [N, C, H, W] tensor is N·C planes of h × w) on raw float32
// pointers, arguments already checked; the semantics of lib/backend/reference/pool.ts, to the
// bit: maxima are exact, and every sum runs in double in the reference's order and rounds once.
// Threads take whole planes.
#pragma once

#include <cstddef>
#include <cstdint>

#include "../platform.h"

namespace tg {

struct PoolShape {
  size_t planes, h, w, kh, kw, strideH, strideW, padH, padW, dilationH, dilationW, oh, ow;
};

// y = each window's maximum (padding is −∞; NaN wins, the last NaN of a window), indices = its
// position iy·w + ix in the plane; a window with no position in the plane gives −∞ and −1.
void maxPool2d(const PoolShape& s, const float* x, float* y, int32_t* indices);
// dx[plane, indices[o]] += dy[o]; dx is written. Indices already checked to lie in [−1, h·w).
void maxPool2dBackward(const PoolShape& s, const float* dy, const int32_t* indices, float* dx);

// y = each window's mean: divisor when non-zero, else the window clipped to the padded plane
// (countIncludePad) or to the plane.
void avgPool2d(const PoolShape& s, bool countIncludePad, size_t divisor, const float* x, float* y);
void avgPool2dBackward(const PoolShape& s, bool countIncludePad, size_t divisor, const float* dy, float* dx);

// Adaptive bins [⌊o·size/out⌋, ⌈(o + 1)·size/out⌉) (kh, kw, strides, pads, dilations unused).
void adaptiveAvgPool2d(const PoolShape& s, const float* x, float* y);
void adaptiveAvgPool2dBackward(const PoolShape& s, const float* dy, float* dx);

// y[p, i] = x[p, i]·scale[p] over planes of hw values. y may be x.
void scalePlanes(const float* x, const float* scale, size_t planes, size_t hw, float* y);

// The full 2×2 stride-2 windows of one output row (rows r0 and r0 + w; `base` is r0's offset in
// its plane, for the indices): count windows, values to y and positions to indices. pool.cc
// has the portable one; the AVX-512 one gives the same values and indices.
namespace avx512 {
void maxRow2x2(const float* r0, size_t w, size_t base, size_t count, float* y, int32_t* indices);
}  // namespace avx512

}  // namespace tg
