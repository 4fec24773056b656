// Reductions on raw pointers, arguments already checked by native/exports/reduce.cc.
#pragma once

#include <cstddef>

namespace tg {

// Sums of an rows x cols matrix, accumulated in double: rowSum -> out[rows] (each row's sum),
// colSum -> out[cols] (each column's sum).
void rowSum(const float* x, size_t rows, size_t cols, float* out);
void colSum(const float* x, size_t rows, size_t cols, float* out);

}  // namespace tg
