// Softmax and log-softmax along rows, and their backward kernels: max-subtracted, so exp never
// overflows and the sum is at least 1 (never log(0)); accumulated in double.
#include <cmath>
#include <limits>

#include "loss.h"

namespace tg {

void rowLogSumExp(const float* row, size_t cols, double* m, double* logSum) {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  double max = -std::numeric_limits<double>::infinity();
  for (size_t j = 0; j < cols; ++j) {
    const double v = row[j];
    if (v != v || v == std::numeric_limits<double>::infinity()) {
      *m = *logSum = kNaN;
      return;
    }
    if (v > max) max = v;
  }
  if (max == -std::numeric_limits<double>::infinity()) {
    *m = *logSum = kNaN;
    return;
  }
  double sum = 0.0;
  for (size_t j = 0; j < cols; ++j) sum += std::exp(row[j] - max);
  *m = max;
  *logSum = std::log(sum);
}

namespace {

template <bool kLog>
void softmaxRows(const float* x, size_t rows, size_t cols, float* y) {
  for (size_t i = 0; i < rows; ++i) {
    const float* in = x + i * cols;
    float* out = y + i * cols;
    double m, logSum;
    rowLogSumExp(in, cols, &m, &logSum);
    for (size_t j = 0; j < cols; ++j) {
      const double shifted = in[j] - m;
      out[j] = static_cast<float>(kLog ? shifted - logSum : std::exp(shifted - logSum));
    }
  }
}

}  // namespace

void softmax(const float* x, size_t rows, size_t cols, float* y) { softmaxRows<false>(x, rows, cols, y); }
void logSoftmax(const float* x, size_t rows, size_t cols, float* y) { softmaxRows<true>(x, rows, cols, y); }

void softmaxBackward(const float* y, const float* dy, size_t rows, size_t cols, float* dx) {
  for (size_t i = 0; i < rows; ++i) {
    const size_t o = i * cols;
    double dot = 0.0;
    for (size_t j = 0; j < cols; ++j) dot += static_cast<double>(dy[o + j]) * y[o + j];
    for (size_t j = 0; j < cols; ++j) {
      dx[o + j] = static_cast<float>(static_cast<double>(y[o + j]) * (dy[o + j] - dot));
    }
  }
}

void logSoftmaxBackward(const float* y, const float* dy, size_t rows, size_t cols, float* dx) {
  for (size_t i = 0; i < rows; ++i) {
    const size_t o = i * cols;
    double sum = 0.0;
    for (size_t j = 0; j < cols; ++j) sum += dy[o + j];
    for (size_t j = 0; j < cols; ++j) {
      dx[o + j] = static_cast<float>(dy[o + j] - std::exp(static_cast<double>(y[o + j])) * sum);
    }
  }
}

}  // namespace tg
