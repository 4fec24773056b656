// Softmax and log-softmax along rows, and their backward kernels: max-subtracted, so exp never
// overflows and the sum is at least 1 (never log(0)); accumulated in double.
#include <cmath>
#include <limits>
#include <vector>

#include "loss.h"

namespace tg {

void rowSumExp(const float* row, size_t cols, double* m, double* s, double* e) {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  double max = -std::numeric_limits<double>::infinity();
  for (size_t j = 0; j < cols; ++j) {
    const double v = row[j];
    if (v != v || v == std::numeric_limits<double>::infinity()) {
      *m = *s = kNaN;
      return;
    }
    if (v > max) max = v;
  }
  if (max == -std::numeric_limits<double>::infinity()) {
    *m = *s = kNaN;
    return;
  }
  double sum = 0.0;
  if (e) {
    for (size_t j = 0; j < cols; ++j) sum += e[j] = std::exp(row[j] - max);
  } else {
    for (size_t j = 0; j < cols; ++j) sum += std::exp(row[j] - max);
  }
  *m = max;
  *s = sum;
}

namespace {

}  // namespace

void softmax(const float* x, size_t rows, size_t cols, float* y) {
  // Each exp once: kept in double scratch between the sum and the division.
  std::vector<double> e(cols);
  for (size_t i = 0; i < rows; ++i) {
    float* out = y + i * cols;
    double m, s;
    rowSumExp(x + i * cols, cols, &m, &s, e.data());
    if (s != s) {
      for (size_t j = 0; j < cols; ++j) out[j] = std::numeric_limits<float>::quiet_NaN();
      continue;
    }
    for (size_t j = 0; j < cols; ++j) out[j] = static_cast<float>(e[j] / s);
  }
}

void logSoftmax(const float* x, size_t rows, size_t cols, float* y) {
  for (size_t i = 0; i < rows; ++i) {
    const float* in = x + i * cols;
    float* out = y + i * cols;
    double m, s;
    rowSumExp(in, cols, &m, &s, nullptr);
    const double logSum = std::log(s);
    for (size_t j = 0; j < cols; ++j) out[j] = static_cast<float>((in[j] - m) - logSum);
  }
}

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
