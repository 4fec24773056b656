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

// Same shape: out[i] = a[i] op b[i].
void add(const float* a, const float* b, float* out, size_t n);
void sub(const float* a, const float* b, float* out, size_t n);
void mul(const float* a, const float* b, float* out, size_t n);
void div(const float* a, const float* b, float* out, size_t n);

// Row broadcast over a rows×cols x: out[i, j] = x[i, j] op row[j] (the bias case).
void addRow(const float* x, const float* row, size_t rows, size_t cols, float* out);
void subRow(const float* x, const float* row, size_t rows, size_t cols, float* out);
void mulRow(const float* x, const float* row, size_t rows, size_t cols, float* out);
void divRow(const float* x, const float* row, size_t rows, size_t cols, float* out);

// Scalar: out[i] = x[i] op s.
void addScalar(const float* x, float s, float* out, size_t n);
void subScalar(const float* x, float s, float* out, size_t n);
void mulScalar(const float* x, float s, float* out, size_t n);
void divScalar(const float* x, float s, float* out, size_t n);

// out[i] = x[i] > 0 ? x[i] : 0, NaN passing through. dx[i] = x[i] > 0 ? dy[i] : 0, so the
// subgradient at 0 is 0 (as in PyTorch).
void relu(const float* x, float* out, size_t n);
void reluBackward(const float* x, const float* dy, float* dx, size_t n);
// out = x > 0 ? x : slope·x; dx = x > 0 ? dy : slope·dy (slope at 0, as in PyTorch).
void leakyRelu(const float* x, float slope, float* out, size_t n);
void leakyReluBackward(const float* x, const float* dy, float slope, float* dx, size_t n);
// Per-channel slope over a rows×channels x. dslope[c] = Σ_rows (x ≤ 0 ? dy·x : 0), summed in
// double in row order and rounded once. dslope never aliases anything.
void prelu(const float* x, const float* slope, size_t rows, size_t channels, float* out);
void preluBackward(const float* x, const float* slope, const float* dy, size_t rows,
                   size_t channels, float* dx, float* dslope);

// Backward kernels that are plain float32 arithmetic, one rounding per step:
// exp: dx = dy·y; log: dx = dy / x; sqrt: dx = dy / (y + y);
// tanh: dx = dy·(1 − y·y); sigmoid: dx = dy·(y·(1 − y)).
void expBackward(const float* y, const float* dy, float* dx, size_t n);
void logBackward(const float* x, const float* dy, float* dx, size_t n);
void sqrtBackward(const float* y, const float* dy, float* dx, size_t n);
void tanhBackward(const float* y, const float* dy, float* dx, size_t n);
void sigmoidBackward(const float* y, const float* dy, float* dx, size_t n);
void sqrt(const float* x, float* out, size_t n);

// Transcendental kernels (elementwise_math.cc): vector exp/log with range reduction and
// minimax polynomials, within the error bounds of the contract.
void exp(const float* x, float* out, size_t n);
void log(const float* x, float* out, size_t n);
void tanh(const float* x, float* out, size_t n);
void sigmoid(const float* x, float* out, size_t n);
void elu(const float* x, float alpha, float* out, size_t n);
void eluBackward(const float* x, const float* dy, float alpha, float* dx, size_t n);
void softplus(const float* x, float beta, float threshold, float* out, size_t n);
void softplusBackward(const float* x, const float* dy, float beta, float threshold, float* dx,
                      size_t n);
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
void add(const float* a, const float* b, float* out, size_t n);
void sub(const float* a, const float* b, float* out, size_t n);
void mul(const float* a, const float* b, float* out, size_t n);
void div(const float* a, const float* b, float* out, size_t n);
void addRow(const float* x, const float* row, size_t rows, size_t cols, float* out);
void subRow(const float* x, const float* row, size_t rows, size_t cols, float* out);
void mulRow(const float* x, const float* row, size_t rows, size_t cols, float* out);
void divRow(const float* x, const float* row, size_t rows, size_t cols, float* out);
void addScalar(const float* x, float s, float* out, size_t n);
void subScalar(const float* x, float s, float* out, size_t n);
void mulScalar(const float* x, float s, float* out, size_t n);
void divScalar(const float* x, float s, float* out, size_t n);
void relu(const float* x, float* out, size_t n);
void reluBackward(const float* x, const float* dy, float* dx, size_t n);
void leakyRelu(const float* x, float slope, float* out, size_t n);
void leakyReluBackward(const float* x, const float* dy, float slope, float* dx, size_t n);
void prelu(const float* x, const float* slope, size_t rows, size_t channels, float* out);
void expBackward(const float* y, const float* dy, float* dx, size_t n);
void logBackward(const float* x, const float* dy, float* dx, size_t n);
void sqrtBackward(const float* y, const float* dy, float* dx, size_t n);
void tanhBackward(const float* y, const float* dy, float* dx, size_t n);
void sigmoidBackward(const float* y, const float* dy, float* dx, size_t n);
void sqrt(const float* x, float* out, size_t n);

void exp(const float* x, float* out, size_t n);
void log(const float* x, float* out, size_t n);
void tanh(const float* x, float* out, size_t n);
void sigmoid(const float* x, float* out, size_t n);
void elu(const float* x, float alpha, float* out, size_t n);
void eluBackward(const float* x, const float* dy, float alpha, float* dx, size_t n);
void softplus(const float* x, float beta, float threshold, float* out, size_t n);
void softplusBackward(const float* x, const float* dy, float beta, float threshold, float* dx,
                      size_t n);
}  // namespace avx2
#endif

}  // namespace tg
