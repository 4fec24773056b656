// Batch normalization on raw pointers, arguments already checked by native/exports/norm.cc.
// x is [n, c, hw] row-major; statistics are per channel over the m = n * hw values.
#pragma once

#include <cstddef>

namespace tg {

// Training forward: mean, biased variance, invStd = 1 / sqrt(var + eps), y = gamma * xhat + beta;
// updates runningMean and runningVar (unbiased variance, m >= 2) with momentum. y may be x.
void batchNormTrain(const float* x, size_t n, size_t c, size_t hw, const float* gamma,
                    const float* beta, float* runningMean, float* runningVar, double eps,
                    double momentum, float* y, float* mean, float* invStd);

// Evaluation forward with the running statistics. y may be x.
void batchNormEval(const float* x, size_t n, size_t c, size_t hw, const float* gamma,
                   const float* beta, const float* runningMean, const float* runningVar,
                   double eps, float* y);

// dx, dgamma, dbeta from the saved mean and invStd, with m (not m - 1). dx may be dy.
void batchNormBackward(const float* x, const float* dy, size_t n, size_t c, size_t hw,
                       const float* gamma, const float* mean, const float* invStd, float* dx,
                       float* dgamma, float* dbeta);

// BatchNorm2d's per-channel bodies in each instruction set (batchnorm.cc dispatches).
namespace portable {
#include "batchnorm_channels.inc"
}  // namespace portable
namespace avx2 {
#include "batchnorm_channels.inc"
}  // namespace avx2
namespace avx512 {
#include "batchnorm_channels.inc"
}  // namespace avx512

}  // namespace tg
