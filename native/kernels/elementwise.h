// Elementwise kernels on raw pointers, arguments already checked by
// native/exports/elementwise.cc. Declarations only (the AVX2 unit includes it).
#pragma once

#include <cstddef>

#include "../platform.h"

namespace tg {

// out[i] = a[i] + b[i], a[i] * b[i]. out may be a or b.
void add(const float* a, const float* b, float* out, size_t n);
void mul(const float* a, const float* b, float* out, size_t n);

// out[i] = x[i] > 0 ? x[i] : 0, NaN passing through. dx[i] = x[i] > 0 ? dy[i] : 0, so the
// subgradient at 0 is 0 (as in PyTorch). Outputs may alias inputs.
void relu(const float* x, float* out, size_t n);
void reluBackward(const float* x, const float* dy, float* dx, size_t n);

#ifdef TG_X86
namespace avx2 {
void add(const float* a, const float* b, float* out, size_t n);
void mul(const float* a, const float* b, float* out, size_t n);
void relu(const float* x, float* out, size_t n);
void reluBackward(const float* x, const float* dy, float* dx, size_t n);
}  // namespace avx2
#endif

}  // namespace tg
