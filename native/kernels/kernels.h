// The kernels behind the exported functions: plain C++ on raw pointers, arguments already
// checked by addon.cc. Each entry point picks the AVX2/FMA variant at run time (cpu.h).
// Row-major, contiguous float32 throughout; sizes are element counts.
#pragma once

#include <cstddef>
#include <cstdint>

#include "../platform.h"

namespace tg {

// C = alpha * op(A) * op(B) + beta * C, op(A) m x k, op(B) k x n, C m x n. A is stored k x m
// when transA, B is stored n x k when transB. beta == 0 never reads C; alpha == 0 or k == 0
// leaves beta * C without reading A or B (BLAS semantics).
void gemm(bool transA, bool transB, size_t m, size_t n, size_t k, float alpha, const float* a,
          const float* b, float beta, float* c);

// out[i] = a[i] + b[i], a[i] * b[i]. out may be a or b.
void add(const float* a, const float* b, float* out, size_t n);
void mul(const float* a, const float* b, float* out, size_t n);

// out[i] = x[i] > 0 ? x[i] : 0, NaN passing through. dx[i] = x[i] > 0 ? dy[i] : 0, so the
// subgradient at 0 is 0 (as in PyTorch). Outputs may alias inputs.
void relu(const float* x, float* out, size_t n);
void reluBackward(const float* x, const float* dy, float* dx, size_t n);

// Sums of an rows x cols matrix, accumulated in double: rowSum -> out[rows] (each row's sum),
// colSum -> out[cols] (each column's sum).
void rowSum(const float* x, size_t rows, size_t cols, float* out);
void colSum(const float* x, size_t rows, size_t cols, float* out);

// Counter-based random streams (Philox-4x32-10, key = seed). Word p of the stream of `seed` is
// lane p % 4 of the block for counter p / 4; fills write words offset .. offset + n - 1.
void randomBits(uint32_t* out, size_t n, uint64_t seed, uint64_t offset);
// low + (high - low) * u with u = (word >> 8) * 2^-24, rounded once to float32.
void fillUniform(float* out, size_t n, uint64_t seed, uint64_t offset, double low, double high);
// mean + std * z, z from Box-Muller over lanes (0, 1) and (2, 3) of each block, in double.
void fillNormal(float* out, size_t n, uint64_t seed, uint64_t offset, double mean, double std);


}  // namespace tg
