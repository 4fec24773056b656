// Batch normalization, in double like lib/backend/reference/norm.ts: two-pass statistics (an
// offset of 1e4 on a spread of 1e-3 keeps its digits) and the elementwise formulas of the
// reference, rounded once. For hw = 1 the loops run along a row of [n, c], over channels, which
// the compiler vectorizes and which sums each channel in the reference's order. For hw > 1
// (BatchNorm2d) each channel is one task, fused: its statistics, its normalization and its
// running statistics (or, backward, its three sums and its dx) while its n runs of hw values are
// in cache, instead of sweeping the whole tensor once per pass; the tasks run on the thread pool,
// and since a channel's sums run in one fixed order (images in turn, kLanes partial sums along
// each run) the results are the same bits on any number of threads. The per-channel bodies
// (batchnorm_channel.inc) also run from the AVX2 and AVX-512 units, the same bits faster.
#include "batchnorm.h"

#include <cmath>
#include <vector>

#include "../cpu.h"
#include "for_each.h"

namespace tg {

namespace portable {
#define TG_BN_WIDTH 2  // doubles per SSE2 register (and NEON)
#include "batchnorm_channel.inc"
#undef TG_BN_WIDTH
}  // namespace portable

namespace {

// Below this many values the pool costs more than it saves (the channels then run in turn).
constexpr size_t kParallelValues = 1 << 15;

// body(j) for every channel j, on the pool when the tensor is large enough.
template <typename F>
void forChannels(size_t c, size_t values, const F& body) {
  if (values < kParallelValues) {
    for (size_t j = 0; j < c; ++j) body(j);
  } else {
    forEach(c, [&body](size_t j) { body(j); });
  }
}

// The per-channel bodies of the active instruction set.
struct ChannelKernels {
  decltype(&portable::trainChannel) train;
  decltype(&portable::evalChannel) eval;
  decltype(&portable::backwardChannel) backward;
};

ChannelKernels channelKernels() {
#ifdef TG_X86
  if (useAvx512()) return {avx512::trainChannel, avx512::evalChannel, avx512::backwardChannel};
  if (useAvx2Code()) return {avx2::trainChannel, avx2::evalChannel, avx2::backwardChannel};
#endif
  return {portable::trainChannel, portable::evalChannel, portable::backwardChannel};
}

using portable::channelGrad;
using portable::ChannelGrad;
using portable::updateRunning;

// sums[j] += Σ term(j, x) over channel j's values of [n, c] (hw = 1).
template <typename Term>
void rowSums(const float* x, size_t n, size_t c, double* sums, Term term) {
  for (size_t i = 0; i < n; ++i) {
    const float* row = x + i * c;
    for (size_t j = 0; j < c; ++j) sums[j] += term(j, row[j]);
  }
}

// y = gamma * ((x - centre) * invStd) + beta over [n, c], in double, rounded once. y may be x.
void normalizeRows(const float* x, size_t n, size_t c, const float* gamma, const float* beta,
                   const double* centre, const double* invStd, float* y) {
  for (size_t i = 0; i < n; ++i) {
    const float* row = x + i * c;
    float* out = y + i * c;
    for (size_t j = 0; j < c; ++j) {
      out[j] = static_cast<float>(static_cast<double>(gamma[j]) * ((row[j] - centre[j]) * invStd[j]) +
                                  static_cast<double>(beta[j]));
    }
  }
}

}  // namespace

void batchNormTrain(const float* x, size_t n, size_t c, size_t hw, const float* gamma,
                    const float* beta, float* runningMean, float* runningVar, double eps,
                    double momentum, float* y, float* mean, float* invStd) {
  const double m = static_cast<double>(n * hw);
  if (hw > 1) {
    const ChannelKernels k = channelKernels();
    forChannels(c, n * c * hw, [&](size_t j) {
      k.train(x, n, c, hw, j, gamma, beta, runningMean, runningVar, eps, momentum, y, mean, invStd);
    });
    return;
  }
  std::vector<double> mu(c, 0.0), var(c, 0.0), is(c);
  rowSums(x, n, c, mu.data(), [](size_t, float v) { return static_cast<double>(v); });
  for (size_t j = 0; j < c; ++j) mu[j] /= m;
  const double* centre = mu.data();
  rowSums(x, n, c, var.data(), [centre](size_t j, float v) {
    const double d = v - centre[j];
    return d * d;
  });
  for (size_t j = 0; j < c; ++j) {
    var[j] /= m;
    is[j] = 1.0 / std::sqrt(var[j] + eps);
  }
  normalizeRows(x, n, c, gamma, beta, mu.data(), is.data(), y);
  for (size_t j = 0; j < c; ++j) {
    mean[j] = static_cast<float>(mu[j]);
    invStd[j] = static_cast<float>(is[j]);
    updateRunning(mu[j], var[j], m, momentum, runningMean + j, runningVar + j);
  }
}

void batchNormEval(const float* x, size_t n, size_t c, size_t hw, const float* gamma,
                   const float* beta, const float* runningMean, const float* runningVar,
                   double eps, float* y) {
  if (hw > 1) {
    const ChannelKernels k = channelKernels();
    forChannels(c, n * c * hw, [&](size_t j) { k.eval(x, n, c, hw, j, gamma, beta, runningMean, runningVar, eps, y); });
    return;
  }
  std::vector<double> centre(c), is(c);
  for (size_t j = 0; j < c; ++j) {
    centre[j] = runningMean[j];
    is[j] = 1.0 / std::sqrt(runningVar[j] + eps);
  }
  normalizeRows(x, n, c, gamma, beta, centre.data(), is.data(), y);
}

void batchNormBackward(const float* x, const float* dy, size_t n, size_t c, size_t hw,
                       const float* gamma, const float* mean, const float* invStd, float* dx,
                       float* dgamma, float* dbeta) {
  const size_t m = n * hw;
  if (m == 0) {
    for (size_t j = 0; j < c; ++j) dgamma[j] = dbeta[j] = 0.0f;
    return;
  }
  const double md = static_cast<double>(m);
  if (hw > 1) {
    const ChannelKernels k = channelKernels();
    forChannels(c, n * c * hw, [&](size_t j) { k.backward(x, dy, n, c, hw, j, gamma, mean, invStd, dx, dgamma, dbeta); });
    return;
  }
  // One pass over the rows of [n, c]: Σ(x - mean), Σdy, Σdy·(x - mean) per channel.
  std::vector<double> sumCentred(c, 0.0), sumDy(c, 0.0), sumDyCentred(c, 0.0);
  for (size_t i = 0; i < n; ++i) {
    const float* xr = x + i * c;
    const float* dr = dy + i * c;
    for (size_t j = 0; j < c; ++j) {
      const double d = static_cast<double>(xr[j]) - mean[j];
      sumCentred[j] += d;
      sumDy[j] += dr[j];
      sumDyCentred[j] += dr[j] * d;
    }
  }
  std::vector<ChannelGrad> grads(c);
  for (size_t j = 0; j < c; ++j) {
    grads[j] = channelGrad(sumCentred[j], sumDy[j], sumDyCentred[j], md, gamma[j], invStd[j], dgamma + j, dbeta + j);
  }
  // dx = gamma * invStd * (dy - Σdy/m - x̂ * Σ(dy·x̂)/m).
  for (size_t i = 0; i < n; ++i) {
    const float* xr = x + i * c;
    const float* dr = dy + i * c;
    float* out = dx + i * c;
    for (size_t j = 0; j < c; ++j) {
      const ChannelGrad& g = grads[j];
      const double xhat = ((static_cast<double>(xr[j]) - mean[j]) - g.delta) * invStd[j];
      out[j] = static_cast<float>(g.scale * (dr[j] - g.meanDy - xhat * g.meanDyXhat));
    }
  }
}

}  // namespace tg
