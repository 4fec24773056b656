// Elementwise kernels on raw pointers, arguments already checked by
// native/exports/elementwise.cc. Declarations only (the AVX2 units include it).
//
// Outputs may be exactly an input (in place) unless said otherwise. NaN inputs propagate to
// the forward results. The arithmetic and relu-family kernels are correctly rounded float32
// operations in a documented order (lib/backend/contract/elementwise.ts), so every backend and
// SIMD path agrees bit for bit; the transcendental ones (elementwise_math.cc) agree within
// their error bounds.
#pragma once

#include <cstddef>

#include "../platform.h"

namespace tg {

#include "elementwise_vectorized.inc"

// Per-channel PReLU's backward (no AVX2 twin): dslope[c] = Σ_rows (x ≤ 0 ? dy·x : 0), summed
// in double in row order and rounded once. dslope never aliases anything.
void preluBackward(const float* x, const float* slope, const float* dy, size_t rows,
                   size_t channels, float* dx, float* dslope);

// gelu(x) = x·Φ(x) with the exact erf form (PyTorch's default), evaluated in double on every
// path and rounded once; dx = dy·(Φ(x) + x·φ(x)).
void gelu(const float* x, float* out, size_t n);
void geluBackward(const float* x, const float* dy, float* dx, size_t n);
// The tanh approximation, x·(1 + tanh u)/2 with u = √(2/π)·(x + 0.044715·x³), evaluated as
// x·σ(2u) (no cancellation for x ≪ 0) in double on every path and rounded once.
void geluTanh(const float* x, float* out, size_t n);
void geluTanhBackward(const float* x, const float* dy, float* dx, size_t n);

#ifdef TG_X86
namespace avx2 {
#include "elementwise_vectorized.inc"
}  // namespace avx2
#endif

}  // namespace tg
