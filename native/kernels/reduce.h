// Reductions on raw pointers, arguments already checked by native/exports/reduce.cc.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tg {

// Sums of an rows x cols matrix, accumulated in double: rowSum -> out[rows] (each row's sum),
// colSum -> out[cols] (each column's sum).
void rowSum(const float* x, size_t rows, size_t cols, float* out);
void colSum(const float* x, size_t rows, size_t cols, float* out);

// The same sums divided by the count (cols for rowMean, rows for colMean): NaN when it is 0.
void rowMean(const float* x, size_t rows, size_t cols, float* out);
void colMean(const float* x, size_t rows, size_t cols, float* out);

// Each row's maximum and its index (cols > 0 when rows > 0): NaN counts as the maximum (the
// first NaN wins), and of equal values the first wins.
void rowMax(const float* x, size_t rows, size_t cols, float* out);
void rowArgmax(const float* x, size_t rows, size_t cols, int32_t* out);

// Per-column mean and biased variance, two passes in double (no E[x^2] - E[x]^2 cancellation).
void colMeanVar(const float* x, size_t rows, size_t cols, float* mean, float* variance);

}  // namespace tg
