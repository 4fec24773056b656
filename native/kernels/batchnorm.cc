// Batch normalization, in double like lib/backend/reference/norm.ts: two-pass statistics (an
// offset of 1e4 on a spread of 1e-3 keeps its digits) and the elementwise formulas of the
// reference, rounded once. For hw = 1 the loops run along a row of [n, c], over channels, which
// the compiler vectorizes and which sums each channel in the reference's order. For hw > 1
// (BatchNorm2d) each channel is one task, fused: its statistics, its normalization and its
// running statistics (or, backward, its three sums and its dx) while its n runs of hw values are
// in cache, instead of sweeping the whole tensor once per pass; the tasks run on the thread pool,
// and since a channel's sums run in one fixed order (images in turn, kLanes partial sums along
// each run) the results are the same bits on any number of threads.
#include "batchnorm.h"

#include <cmath>
#include <vector>

#include "for_each.h"

namespace tg {

namespace {

constexpr size_t kLanes = 8;  // independent partial sums along a run of hw values
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

// Σ term(v) over one run of hw values: kLanes partial sums, then their total in lane order.
template <typename Term>
double runSum(const float* run, size_t hw, Term term) {
  double acc[kLanes] = {};
  size_t s = 0;
  for (; s + kLanes <= hw; s += kLanes) {
    for (size_t k = 0; k < kLanes; ++k) acc[k] += term(run[s + k]);
  }
  for (; s < hw; ++s) acc[0] += term(run[s]);
  double total = 0.0;
  for (size_t k = 0; k < kLanes; ++k) total += acc[k];
  return total;
}

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

// The same for channel j of [n, c, hw]: its n runs of hw values.
void normalizeChannel(const float* x, size_t n, size_t c, size_t hw, size_t j, double g, double b,
                      double mu, double is, float* y) {
  for (size_t i = 0; i < n; ++i) {
    const float* run = x + (i * c + j) * hw;
    float* out = y + (i * c + j) * hw;
    for (size_t s = 0; s < hw; ++s) out[s] = static_cast<float>(g * ((run[s] - mu) * is) + b);
  }
}

void updateRunning(double mu, double var, double m, double momentum, float* runningMean,
                   float* runningVar) {
  *runningMean = static_cast<float>((1.0 - momentum) * *runningMean + momentum * mu);
  *runningVar = static_cast<float>((1.0 - momentum) * *runningVar + momentum * (var * m / (m - 1.0)));
}


}  // namespace

void batchNormTrain(const float* x, size_t n, size_t c, size_t hw, const float* gamma,
                    const float* beta, float* runningMean, float* runningVar, double eps,
                    double momentum, float* y, float* mean, float* invStd) {
  const double m = static_cast<double>(n * hw);
  if (hw > 1) {
    forChannels(c, n * c * hw, [&](size_t j) {
      double mu = 0.0;
      for (size_t i = 0; i < n; ++i) mu += runSum(x + (i * c + j) * hw, hw, [](float v) { return static_cast<double>(v); });
      mu /= m;
      double var = 0.0;
      for (size_t i = 0; i < n; ++i) {
        var += runSum(x + (i * c + j) * hw, hw, [mu](float v) {
          const double d = v - mu;
          return d * d;
        });
      }
      var /= m;
      const double is = 1.0 / std::sqrt(var + eps);
      normalizeChannel(x, n, c, hw, j, gamma[j], beta[j], mu, is, y);
      mean[j] = static_cast<float>(mu);
      invStd[j] = static_cast<float>(is);
      updateRunning(mu, var, m, momentum, runningMean + j, runningVar + j);
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
    forChannels(c, n * c * hw, [&](size_t j) {
      normalizeChannel(x, n, c, hw, j, gamma[j], beta[j], runningMean[j], 1.0 / std::sqrt(runningVar[j] + eps), y);
    });
    return;
  }
  std::vector<double> centre(c), is(c);
  for (size_t j = 0; j < c; ++j) {
    centre[j] = runningMean[j];
    is[j] = 1.0 / std::sqrt(runningVar[j] + eps);
  }
  normalizeRows(x, n, c, gamma, beta, centre.data(), is.data(), y);
}

namespace {

// Channel j's Σ(x − mean), Σdy, Σdy·(x − mean) over [n, c, hw]: kLanes partial sums along each
// run, added lane by lane, image after image.
void channelBackwardSums(const float* x, const float* dy, size_t n, size_t c, size_t hw, size_t j,
                         double shift, double* sumCentred, double* sumDy, double* sumDyCentred) {
  for (size_t i = 0; i < n; ++i) {
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
      *sumCentred += a[k];
      *sumDy += b[k];
      *sumDyCentred += p[k];
    }
  }
}

// From channel j's sums: dgamma, dbeta, and the constants of dx = k·(dy − a − x̂·b) with
// x̂ = (x − mean − delta)·invStd recentred on the batch (delta undoes the rounding of mean).
struct ChannelGrad {
  double delta, scale, meanDy, meanDyXhat;
};

ChannelGrad channelGrad(double sumCentred, double sumDy, double sumDyCentred, double md,
                        double gamma, double is, float* dgamma, float* dbeta) {
  ChannelGrad g;
  g.delta = sumCentred / md;
  const double sumDyXhat = (sumDyCentred - g.delta * sumDy) * is;
  g.scale = gamma * is;
  g.meanDy = sumDy / md;
  g.meanDyXhat = sumDyXhat / md;
  *dgamma = static_cast<float>(sumDyXhat);
  *dbeta = static_cast<float>(sumDy);
  return g;
}

}  // namespace

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
    // Each channel's sums, then its dx (which may overwrite its dy: the sums are done).
    forChannels(c, n * c * hw, [&](size_t j) {
      double sc = 0.0, sd = 0.0, sdc = 0.0;
      const double shift = mean[j], is = invStd[j];
      channelBackwardSums(x, dy, n, c, hw, j, shift, &sc, &sd, &sdc);
      const ChannelGrad g = channelGrad(sc, sd, sdc, md, gamma[j], is, dgamma + j, dbeta + j);
      for (size_t i = 0; i < n; ++i) {
        const size_t base = (i * c + j) * hw;
        for (size_t s = 0; s < hw; ++s) {
          const double xhat = ((x[base + s] - shift) - g.delta) * is;
          dx[base + s] = static_cast<float>(g.scale * (dy[base + s] - g.meanDy - xhat * g.meanDyXhat));
        }
      }
    });
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
