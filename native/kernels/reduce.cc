// Row and column reductions, accumulated in double so the result is the correctly rounded sum in
// all but pathological cases, and independent of the SIMD path.
#include "reduce.h"

namespace tg {

namespace {

// Columns in blocks that fit on the stack, walking rows in memory order.
constexpr size_t kBlock = 256;

// acc[j] = sum_i x[i, j0 + j] for one block of columns.
void columnBlockSums(const float* x, size_t rows, size_t cols, size_t j0, size_t width, double* acc) {
  for (size_t j = 0; j < width; ++j) acc[j] = 0.0;
  for (size_t i = 0; i < rows; ++i) {
    const float* row = x + i * cols + j0;
    for (size_t j = 0; j < width; ++j) acc[j] += row[j];
  }
}

// Four running sums break the chain of dependent additions (one add latency per element);
// in double, the order changes nothing that the accumulation bound would notice.
double sumOf(const float* row, size_t cols) {
  double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
  size_t j = 0;
  for (; j + 4 <= cols; j += 4) {
    s0 += row[j];
    s1 += row[j + 1];
    s2 += row[j + 2];
    s3 += row[j + 3];
  }
  for (; j < cols; ++j) s0 += row[j];
  return (s0 + s1) + (s2 + s3);
}

void rowSums(const float* x, size_t rows, size_t cols, float* out, double divisor) {
  for (size_t i = 0; i < rows; ++i) out[i] = static_cast<float>(sumOf(x + i * cols, cols) / divisor);
}

void colSums(const float* x, size_t rows, size_t cols, float* out, double divisor) {
  double acc[kBlock];
  for (size_t j0 = 0; j0 < cols; j0 += kBlock) {
    const size_t width = cols - j0 < kBlock ? cols - j0 : kBlock;
    columnBlockSums(x, rows, cols, j0, width, acc);
    for (size_t j = 0; j < width; ++j) out[j0 + j] = static_cast<float>(acc[j] / divisor);
  }
}

// The first NaN's index if the row holds one, else the first of its largest values.
size_t argmaxOfRow(const float* row, size_t cols) {
  size_t best = 0;
  float value = row[0];
  if (value != value) return 0;
  for (size_t j = 1; j < cols; ++j) {
    const float v = row[j];
    if (v != v) return j;
    if (v > value) {
      value = v;
      best = j;
    }
  }
  return best;
}

}  // namespace

void rowSum(const float* x, size_t rows, size_t cols, float* out) { rowSums(x, rows, cols, out, 1.0); }
void colSum(const float* x, size_t rows, size_t cols, float* out) { colSums(x, rows, cols, out, 1.0); }

void rowMean(const float* x, size_t rows, size_t cols, float* out) {
  rowSums(x, rows, cols, out, static_cast<double>(cols));
}

void colMean(const float* x, size_t rows, size_t cols, float* out) {
  colSums(x, rows, cols, out, static_cast<double>(rows));
}

void rowMax(const float* x, size_t rows, size_t cols, float* out) {
  for (size_t i = 0; i < rows; ++i) out[i] = x[i * cols + argmaxOfRow(x + i * cols, cols)];
}

void rowArgmax(const float* x, size_t rows, size_t cols, int32_t* out) {
  for (size_t i = 0; i < rows; ++i) out[i] = static_cast<int32_t>(argmaxOfRow(x + i * cols, cols));
}

void colMeanVar(const float* x, size_t rows, size_t cols, float* mean, float* variance) {
  const double n = static_cast<double>(rows);
  double means[kBlock];
  double squares[kBlock];
  for (size_t j0 = 0; j0 < cols; j0 += kBlock) {
    const size_t width = cols - j0 < kBlock ? cols - j0 : kBlock;
    columnBlockSums(x, rows, cols, j0, width, means);
    for (size_t j = 0; j < width; ++j) {
      means[j] /= n;
      squares[j] = 0.0;
    }
    for (size_t i = 0; i < rows; ++i) {
      const float* row = x + i * cols + j0;
      for (size_t j = 0; j < width; ++j) {
        const double d = row[j] - means[j];
        squares[j] += d * d;
      }
    }
    for (size_t j = 0; j < width; ++j) {
      mean[j0 + j] = static_cast<float>(means[j]);
      variance[j0 + j] = static_cast<float>(squares[j] / n);
    }
  }
}

}  // namespace tg
