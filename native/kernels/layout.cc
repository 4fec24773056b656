#include "layout.h"

#include <cstring>

namespace tg {

void transpose(const float* x, size_t rows, size_t cols, float* out) {
  // Square tiles keep both the rows read and the rows written in cache.
  constexpr size_t kTile = 32;
  for (size_t i0 = 0; i0 < rows; i0 += kTile) {
    const size_t i1 = i0 + kTile < rows ? i0 + kTile : rows;
    for (size_t j0 = 0; j0 < cols; j0 += kTile) {
      const size_t j1 = j0 + kTile < cols ? j0 + kTile : cols;
      for (size_t i = i0; i < i1; ++i) {
        for (size_t j = j0; j < j1; ++j) out[j * rows + i] = x[i * cols + j];
      }
    }
  }
}

void gatherRows(const float* x, size_t cols, const int32_t* indices, size_t count, float* out) {
  for (size_t r = 0; r < count; ++r) {
    std::memcpy(out + r * cols, x + static_cast<size_t>(indices[r]) * cols, cols * sizeof(float));
  }
}

void scatterAddRows(const float* src, const int32_t* indices, size_t count, size_t cols, float* out) {
  for (size_t r = 0; r < count; ++r) {
    float* row = out + static_cast<size_t>(indices[r]) * cols;
    const float* from = src + r * cols;
    for (size_t j = 0; j < cols; ++j) row[j] += from[j];
  }
}

}  // namespace tg
