// Row and column sums, accumulated in double so the result is the correctly rounded sum in all
// but pathological cases, and independent of the SIMD path.
#include "reduce.h"

namespace tg {

void rowSum(const float* x, size_t rows, size_t cols, float* out) {
  for (size_t i = 0; i < rows; ++i) {
    const float* row = x + i * cols;
    double sum = 0.0;
    for (size_t j = 0; j < cols; ++j) sum += row[j];
    out[i] = static_cast<float>(sum);
  }
}

void colSum(const float* x, size_t rows, size_t cols, float* out) {
  // Columns in blocks that fit on the stack, walking rows in memory order.
  constexpr size_t kBlock = 256;
  double acc[kBlock];
  for (size_t j0 = 0; j0 < cols; j0 += kBlock) {
    const size_t width = cols - j0 < kBlock ? cols - j0 : kBlock;
    for (size_t j = 0; j < width; ++j) acc[j] = 0.0;
    for (size_t i = 0; i < rows; ++i) {
      const float* row = x + i * cols + j0;
      for (size_t j = 0; j < width; ++j) acc[j] += row[j];
    }
    for (size_t j = 0; j < width; ++j) out[j0 + j] = static_cast<float>(acc[j]);
  }
}

}  // namespace tg
