// Softmax along rows and the losses, on raw pointers, arguments already checked by
// native/exports/loss.cc (labels in [0, cols), targets in [0, 1], sizes consistent). Every
// kernel computes in double with std::exp/std::log and rounds once, like the reference.
// Outputs may alias the inputs that lib/backend/contract/loss.ts says they may.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tg {

// One row's maximum m and s = sum_j exp(x_j - m) (at least 1), each exp also stored in e[j]
// when e is not null; m and s are NaN when the row holds +Inf or NaN or is all -Inf (every
// output of that row is then NaN).
void rowSumExp(const float* row, size_t cols, double* m, double* s, double* e);

void softmax(const float* x, size_t rows, size_t cols, float* y);
void logSoftmax(const float* x, size_t rows, size_t cols, float* y);
// dx = y * (dy - sum(dy * y)) per row; logSoftmax's: dx = dy - exp(y) * sum(dy).
void softmaxBackward(const float* y, const float* dy, size_t rows, size_t cols, float* dx);
void logSoftmaxBackward(const float* y, const float* dy, size_t rows, size_t cols, float* dx);

// Fused softmax cross-entropy (rows > 0): writes probs, returns the (weighted) mean loss.
// weights is null for none; smoothing in [0, 1].
double softmaxCrossEntropy(const float* logits, const int32_t* labels, size_t rows, size_t cols,
                           const float* weights, double smoothing, float* probs);
void softmaxCrossEntropyBackward(const float* probs, const int32_t* labels, size_t rows,
                                 size_t cols, const float* weights, double smoothing, double grad,
                                 float* dlogits);

// Multiclass hinge, mean over rows (> 0), not divided by cols.
double hingeLoss(const float* scores, const int32_t* labels, size_t rows, size_t cols, double margin);
void hingeLossBackward(const float* scores, const int32_t* labels, size_t rows, size_t cols,
                       double margin, double grad, float* dscores);

// Binary cross-entropy on logits; posWeight (per column) is null for none.
double bceWithLogits(const float* x, const float* t, size_t rows, size_t cols,
                     const float* posWeight, bool mean);
void bceWithLogitsBackward(const float* x, const float* t, size_t rows, size_t cols,
                           const float* posWeight, bool mean, double grad, float* dx);

double mse(const float* prediction, const float* target, size_t n, bool mean);
void mseBackward(const float* prediction, const float* target, size_t n, bool mean, double grad,
                 float* dprediction);
double l1(const float* prediction, const float* target, size_t n, bool mean);
void l1Backward(const float* prediction, const float* target, size_t n, bool mean, double grad,
                float* dprediction);

}  // namespace tg
