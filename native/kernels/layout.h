// Kernels that move values (and scatterAddRows, which adds in index order), arguments already
// checked by native/exports/layout.cc.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tg {

// out[j, i] = x[i, j] for a rows x cols x.
void transpose(const float* x, size_t rows, size_t cols, float* out);
// out[r, :] = x[indices[r], :]; every index already checked to lie in [0, rows).
void gatherRows(const float* x, size_t cols, const int32_t* indices, size_t count, float* out);
// out[indices[r], :] += src[r, :] for r = 0 .. count - 1, in order.
void scatterAddRows(const float* src, const int32_t* indices, size_t count, size_t cols, float* out);

}  // namespace tg
