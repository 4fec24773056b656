// Gradient utilities on raw pointers, arguments already checked by native/exports/gradient.cc.
// Declarations only (the AVX2 unit includes it).
#pragma once

#include <cstddef>

#include "../platform.h"

namespace tg {

// start + Σ x[i]², in double. The portable loop adds in order, as the reference does.
double sumOfSquares(const float* x, size_t n, double start);
// x[i] *= s (one float32 product per element).
void scale(float* x, size_t n, float s);
// x[i] = min(max(x[i], −c), c); NaN stays NaN.
void clampAbs(float* x, size_t n, float c);
// The index of the first NaN or ±Inf, or n when there is none.
size_t firstNonFinite(const float* x, size_t n);

#ifdef TG_X86
namespace avx2 {
double sumOfSquares(const float* x, size_t n, double start);
void scale(float* x, size_t n, float s);
void clampAbs(float* x, size_t n, float c);
size_t firstNonFinite(const float* x, size_t n);
}  // namespace avx2
#endif

}  // namespace tg
