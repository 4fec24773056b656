// The losses: cross-entropy through log-sum-exp, multiclass hinge, binary cross-entropy on
// logits, MSE and L1. Plain loops in double, in the reference's order of operations.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "loss.h"

namespace tg {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

inline double weightOf(const float* weights, size_t c) { return weights ? weights[c] : 1.0; }

// W = sum_i w[y_i]: the weighted mean's divisor (rows without weights).
double labelWeightSum(const int32_t* labels, size_t rows, const float* weights) {
  double total = 0.0;
  for (size_t i = 0; i < rows; ++i) total += weightOf(weights, static_cast<size_t>(labels[i]));
  return total;
}



}  // namespace

double softmaxCrossEntropy(const float* logits, const int32_t* labels, size_t rows, size_t cols,
                           const float* weights, double smoothing, float* probs) {
  const double spread = smoothing / static_cast<double>(cols);
  std::vector<double> e(cols);  // each exp once, between the sum and the division
  double total = 0.0;
  for (size_t i = 0; i < rows; ++i) {
    const float* x = logits + i * cols;
    const size_t y = static_cast<size_t>(labels[i]);
    double m, s;
    rowSumExp(x, cols, &m, &s, e.data());
    const double logSum = std::log(s);
    // -log p_c = (m - x_c) + log sum; terms of weight 0 are skipped so a -Inf logit adds 0.
    const double labelWeight = weightOf(weights, y) * (1.0 - smoothing);
    double row = labelWeight == 0.0 ? 0.0 : labelWeight * (m - x[y] + logSum);
    if (spread > 0.0) {
      for (size_t c = 0; c < cols; ++c) {
        const double a = weightOf(weights, c) * spread;
        if (a != 0.0) row += a * (m - x[c] + logSum);
      }
    }
    total += std::isnan(logSum) ? kNaN : row;
    // probs may be logits: every read of this row is done.
    float* p = probs + i * cols;
    for (size_t c = 0; c < cols; ++c) p[c] = static_cast<float>(s != s ? kNaN : e[c] / s);
  }
  return total / labelWeightSum(labels, rows, weights);
}

void softmaxCrossEntropyBackward(const float* probs, const int32_t* labels, size_t rows,
                                 size_t cols, const float* weights, double smoothing, double grad,
                                 float* dlogits) {
  double weightSum = 0.0;
  for (size_t c = 0; c < cols; ++c) weightSum += weightOf(weights, c);
  const double scale = grad / labelWeightSum(labels, rows, weights);
  const double spread = smoothing / static_cast<double>(cols);
  for (size_t i = 0; i < rows; ++i) {
    const size_t o = i * cols;
    const size_t y = static_cast<size_t>(labels[i]);
    // A_i = sum_c a_ic, the target's total weight in this row.
    const double mass = weightOf(weights, y) * (1.0 - smoothing) + spread * weightSum;
    for (size_t c = 0; c < cols; ++c) {
      const double a = weightOf(weights, c) * (spread + (c == y ? 1.0 - smoothing : 0.0));
      dlogits[o + c] = static_cast<float>(scale * (probs[o + c] * mass - a));
    }
  }
}

double hingeLoss(const float* scores, const int32_t* labels, size_t rows, size_t cols, double margin) {
  double total = 0.0;
  for (size_t i = 0; i < rows; ++i) {
    const float* s = scores + i * cols;
    const size_t y = static_cast<size_t>(labels[i]);
    for (size_t j = 0; j < cols; ++j) {
      if (j == y) continue;
      const double m = s[j] - static_cast<double>(s[y]) + margin;
      total += m > 0.0 || m != m ? m : 0.0;  // NaN propagates
    }
  }
  return total / static_cast<double>(rows);
}

void hingeLossBackward(const float* scores, const int32_t* labels, size_t rows, size_t cols,
                       double margin, double grad, float* dscores) {
  const double scale = grad / static_cast<double>(rows);
  for (size_t i = 0; i < rows; ++i) {
    const float* s = scores + i * cols;
    float* d = dscores + i * cols;
    const size_t y = static_cast<size_t>(labels[i]);
    const double sy = s[y];
    double active = 0.0;
    for (size_t j = 0; j < cols; ++j) {
      if (j == y) continue;
      const double m = s[j] - sy + margin;
      const double indicator = m > 0.0 ? 1.0 : (m != m ? kNaN : 0.0);
      active += indicator;
      d[j] = static_cast<float>(scale * indicator);
    }
    d[y] = static_cast<float>(-scale * active);
  }
}

double bceWithLogits(const float* x, const float* t, size_t rows, size_t cols,
                     const float* posWeight, bool mean) {
  const size_t size = rows * cols;
  double sum = 0.0;
  for (size_t k = 0; k < size; ++k) {
    const double xv = x[k], tv = t[k];
    const double pw = posWeight ? posWeight[k % cols] : 1.0;
    // softplus(+-x) = max(+-x, 0) + log1p(exp(-|x|)), sharing the log1p. A hard target skips
    // the other term, so an infinite logit on the right side costs 0.
    const double tail = std::log1p(std::exp(-std::fabs(xv)));
    if (tv != 0.0) sum += pw * tv * (std::max(-xv, 0.0) + tail);
    if (tv != 1.0) sum += (1.0 - tv) * (std::max(xv, 0.0) + tail);
  }
  return mean ? sum / static_cast<double>(size) : sum;
}

void bceWithLogitsBackward(const float* x, const float* t, size_t rows, size_t cols,
                           const float* posWeight, bool mean, double grad, float* dx) {
  const size_t size = rows * cols;
  const double scale = mean ? grad / static_cast<double>(size) : grad;
  for (size_t k = 0; k < size; ++k) {
    const double xv = x[k], tv = t[k];
    const double pw = posWeight ? posWeight[k % cols] : 1.0;
    // sigma(x) and sigma(-x) from one exp(-|x|), neither losing precision in its tail.
    const double e = std::exp(-std::fabs(xv));
    const double big = 1.0 / (1.0 + e), small = e / (1.0 + e);
    const double positive = xv >= 0 ? big : small, negative = xv >= 0 ? small : big;
    dx[k] = static_cast<float>(scale * ((1.0 - tv) * positive - pw * tv * negative));
  }
}

double mse(const float* prediction, const float* target, size_t n, bool mean) {
  double sum = 0.0;
  for (size_t i = 0; i < n; ++i) {
    const double d = static_cast<double>(prediction[i]) - target[i];
    sum += d * d;
  }
  return mean ? sum / static_cast<double>(n) : sum;
}

void mseBackward(const float* prediction, const float* target, size_t n, bool mean, double grad,
                 float* dprediction) {
  const double scale = mean ? grad / static_cast<double>(n) : grad;
  for (size_t i = 0; i < n; ++i) {
    const double d = static_cast<double>(prediction[i]) - target[i];
    dprediction[i] = static_cast<float>(scale * (2.0 * d));
  }
}

double l1(const float* prediction, const float* target, size_t n, bool mean) {
  double sum = 0.0;
  for (size_t i = 0; i < n; ++i) sum += std::fabs(static_cast<double>(prediction[i]) - target[i]);
  return mean ? sum / static_cast<double>(n) : sum;
}

void l1Backward(const float* prediction, const float* target, size_t n, bool mean, double grad,
                float* dprediction) {
  // float(scale * sign(d)) is +-float(scale): the float difference has the exact sign (it is 0
  // only when the two are equal), so the loop runs in float and vectorizes.
  const float s = static_cast<float>(mean ? grad / static_cast<double>(n) : grad);
  for (size_t i = 0; i < n; ++i) {
    const float d = prediction[i] - target[i];
    // sign(0) = 0 as PyTorch's sign (the subgradient at 0); NaN passes. Branch-free: the sign
    // of random differences is unpredictable.
    const float sign = static_cast<float>((d > 0.0f) - (d < 0.0f));
    dprediction[i] = d != d ? d : sign * s;
  }
}

}  // namespace tg
