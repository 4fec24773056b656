// Batch normalization, in double like lib/backend/reference/norm.ts: two-pass statistics (an
// offset of 1e4 on a spread of 1e-3 keeps its digits) and the elementwise formulas of the
// reference, rounded once. For hw = 1 the loops run along a row of [n, c], over channels, which
// the compiler vectorizes and which sums each channel in the reference's order; for hw > 1 they
// run along each channel's contiguous hw values with several accumulators.
#include "batchnorm.h"

#include <cmath>
#include <vector>

namespace tg {

namespace {

constexpr size_t kLanes = 8;  // independent partial sums along a run of hw values

// sums[j] += Σ term(j, x) over channel j's values.
template <typename Term>
void channelSums(const float* x, size_t n, size_t c, size_t hw, double* sums, Term term) {
  if (hw == 1) {
    for (size_t i = 0; i < n; ++i) {
      const float* row = x + i * c;
      for (size_t j = 0; j < c; ++j) sums[j] += term(j, row[j]);
    }
    return;
  }
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < c; ++j) {
      const float* run = x + (i * c + j) * hw;
      double acc[kLanes] = {};
      size_t s = 0;
      for (; s + kLanes <= hw; s += kLanes) {
        for (size_t k = 0; k < kLanes; ++k) acc[k] += term(j, run[s + k]);
      }
      for (; s < hw; ++s) acc[0] += term(j, run[s]);
      double total = 0.0;
      for (size_t k = 0; k < kLanes; ++k) total += acc[k];
      sums[j] += total;
    }
  }
}

// y = gamma * ((x - centre) * invStd) + beta, in double, rounded once. y may be x.
void normalize(const float* x, size_t n, size_t c, size_t hw, const float* gamma,
               const float* beta, const double* centre, const double* invStd, float* y) {
  for (size_t i = 0; i < n; ++i) {
    if (hw == 1) {
      const float* row = x + i * c;
      float* out = y + i * c;
      for (size_t j = 0; j < c; ++j) {
        out[j] = static_cast<float>(static_cast<double>(gamma[j]) * ((row[j] - centre[j]) * invStd[j]) +
                                    static_cast<double>(beta[j]));
      }
      continue;
    }
    for (size_t j = 0; j < c; ++j) {
      const double g = gamma[j], b = beta[j], mu = centre[j], is = invStd[j];
      const float* run = x + (i * c + j) * hw;
      float* out = y + (i * c + j) * hw;
      for (size_t s = 0; s < hw; ++s) out[s] = static_cast<float>(g * ((run[s] - mu) * is) + b);
    }
  }
}

}  // namespace

void batchNormTrain(const float* x, size_t n, size_t c, size_t hw, const float* gamma,
                    const float* beta, float* runningMean, float* runningVar, double eps,
                    double momentum, float* y, float* mean, float* invStd) {
  const double m = static_cast<double>(n * hw);
  std::vector<double> mu(c, 0.0), var(c, 0.0), is(c);
  channelSums(x, n, c, hw, mu.data(), [](size_t, float v) { return static_cast<double>(v); });
  for (size_t j = 0; j < c; ++j) mu[j] /= m;
  const double* centre = mu.data();
  channelSums(x, n, c, hw, var.data(), [centre](size_t j, float v) {
    const double d = v - centre[j];
    return d * d;
  });
  for (size_t j = 0; j < c; ++j) {
    var[j] /= m;
    is[j] = 1.0 / std::sqrt(var[j] + eps);
  }
  normalize(x, n, c, hw, gamma, beta, mu.data(), is.data(), y);
  for (size_t j = 0; j < c; ++j) {
    mean[j] = static_cast<float>(mu[j]);
    invStd[j] = static_cast<float>(is[j]);
    runningMean[j] = static_cast<float>((1.0 - momentum) * runningMean[j] + momentum * mu[j]);
    runningVar[j] =
        static_cast<float>((1.0 - momentum) * runningVar[j] + momentum * (var[j] * m / (m - 1.0)));
  }
}

void batchNormEval(const float* x, size_t n, size_t c, size_t hw, const float* gamma,
                   const float* beta, const float* runningMean, const float* runningVar,
                   double eps, float* y) {
  std::vector<double> centre(c), is(c);
  for (size_t j = 0; j < c; ++j) {
    centre[j] = runningMean[j];
    is[j] = 1.0 / std::sqrt(runningVar[j] + eps);
  }
  normalize(x, n, c, hw, gamma, beta, centre.data(), is.data(), y);
}

void batchNormBackward(const float* x, const float* dy, size_t n, size_t c, size_t hw,
                       const float* gamma, const float* mean, const float* invStd, float* dx,
                       float* dgamma, float* dbeta) {
  const size_t m = n * hw;
  if (m == 0) {
    for (size_t j = 0; j < c; ++j) dgamma[j] = dbeta[j] = 0.0f;
    return;
  }
  // One pass: Σ(x - mean), Σdy, Σdy·(x - mean) per channel.
  std::vector<double> sumCentred(c, 0.0), sumDy(c, 0.0), sumDyCentred(c, 0.0);
  for (size_t i = 0; i < n; ++i) {
    if (hw == 1) {
      const float* xr = x + i * c;
      const float* dr = dy + i * c;
      for (size_t j = 0; j < c; ++j) {
        const double d = static_cast<double>(xr[j]) - mean[j];
        sumCentred[j] += d;
        sumDy[j] += dr[j];
        sumDyCentred[j] += dr[j] * d;
      }
      continue;
    }
    for (size_t j = 0; j < c; ++j) {
      const double shift = mean[j];
      const float* xr = x + (i * c + j) * hw;
      const float* dr = dy + (i * c + j) * hw;
      double a[kLanes] = {}, b[kLanes] = {}, p[kLanes] = {};
      size_t s = 0;
      for (; s + kLanes <= hw; s += kLanes) {
        for (size_t k = 0; k < kLanes; ++k) {
          const double d = xr[s + k] - shift;
          a[k] += d;
          b[k] += dr[s + k];
          p[k] += dr[s + k] * d;
        }
      }
      for (; s < hw; ++s) {
        const double d = xr[s] - shift;
        a[0] += d;
        b[0] += dr[s];
        p[0] += dr[s] * d;
      }
      for (size_t k = 0; k < kLanes; ++k) {
        sumCentred[j] += a[k];
        sumDy[j] += b[k];
        sumDyCentred[j] += p[k];
      }
    }
  }
  // x̂ = (x - mean - delta) * invStd, recentred on the batch: delta undoes the rounding of mean.
  const double md = static_cast<double>(m);
  std::vector<double> delta(c), scale(c), meanDy(c), meanDyXhat(c);
  for (size_t j = 0; j < c; ++j) {
    const double is = invStd[j];
    delta[j] = sumCentred[j] / md;
    const double sumDyXhat = (sumDyCentred[j] - delta[j] * sumDy[j]) * is;
    scale[j] = gamma[j] * is;
    meanDy[j] = sumDy[j] / md;
    meanDyXhat[j] = sumDyXhat / md;
    dgamma[j] = static_cast<float>(sumDyXhat);
    dbeta[j] = static_cast<float>(sumDy[j]);
  }
  // dx = gamma * invStd * (dy - Σdy/m - x̂ * Σ(dy·x̂)/m).
  for (size_t i = 0; i < n; ++i) {
    if (hw == 1) {
      const float* xr = x + i * c;
      const float* dr = dy + i * c;
      float* out = dx + i * c;
      for (size_t j = 0; j < c; ++j) {
        const double xhat = ((static_cast<double>(xr[j]) - mean[j]) - delta[j]) * invStd[j];
        out[j] = static_cast<float>(scale[j] * (dr[j] - meanDy[j] - xhat * meanDyXhat[j]));
      }
      continue;
    }
    for (size_t j = 0; j < c; ++j) {
      const double shift = mean[j], d = delta[j], is = invStd[j], k = scale[j];
      const double a = meanDy[j], b = meanDyXhat[j];
      const size_t base = (i * c + j) * hw;
      for (size_t s = 0; s < hw; ++s) {
        const double xhat = ((x[base + s] - shift) - d) * is;
        dx[base + s] = static_cast<float>(k * (dy[base + s] - a - xhat * b));
      }
    }
  }
}

}  // namespace tg
