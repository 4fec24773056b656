// The native batch-norm kernels (native/kernels/batchnorm.cc) against plain double loops, on
// every SIMD level this CPU has and 1, 2 and 3 threads, whose results must be the same bits:
// BatchNorm2d shapes [n, c, hw] small enough to run channel after channel and large enough to
// take the thread pool, runs of hw with and without a remainder of the 8 partial sums, and the
// BatchNorm1d rows (hw = 1). dx is also computed in place of dy. Built and run by
// test/native/batchnorm-kernels.test.ts; prints one line per failure and a summary, exits 1 on any.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

#include "../../native/cpu.h"
#include "../../native/kernels/batchnorm.h"
#include "../../native/threadpool.h"

using namespace tg;
using Vec = std::vector<float>;

namespace {

int failures = 0;
int checks = 0;

struct Shape {
  size_t n, c, hw;
};

// Training forward, evaluation forward and backward in double, by the textbook formulas.
struct Expected {
  std::vector<double> y, mean, invStd, runningMean, runningVar, yEval, dx, dgamma, dbeta;
  std::vector<double> dgammaScale, dbetaScale;  // Σ|terms|: the scale of a sum's rounding
  std::vector<double> dxScale;                   // |γ·s|·(|dy| + |Σdy/m| + |x̂·Σdy·x̂/m|)
};

Expected naive(const Shape& s, const Vec& x, const Vec& dy, const Vec& gamma, const Vec& beta,
               const Vec& runningMean, const Vec& runningVar, double eps, double momentum) {
  Expected e;
  const double m = static_cast<double>(s.n * s.hw);
  auto at = [&](size_t i, size_t j, size_t k) { return (i * s.c + j) * s.hw + k; };
  e.y.resize(x.size());
  e.yEval.resize(x.size());
  e.dx.resize(x.size());
  e.dxScale.resize(x.size());
  for (size_t j = 0; j < s.c; ++j) {
    double mu = 0, var = 0;
    for (size_t i = 0; i < s.n; ++i)
      for (size_t k = 0; k < s.hw; ++k) mu += x[at(i, j, k)];
    mu /= m;
    for (size_t i = 0; i < s.n; ++i)
      for (size_t k = 0; k < s.hw; ++k) var += (x[at(i, j, k)] - mu) * (x[at(i, j, k)] - mu);
    var /= m;
    const double is = 1 / std::sqrt(var + eps);
    // The backward takes invStd as the forward saved it, in float (the batch mean it recomputes).
    const double bis = static_cast<float>(is);
    const double evalIs = 1 / std::sqrt(static_cast<double>(runningVar[j]) + eps);
    double sumDy = 0, sumDyXhat = 0, absDy = 0, absDyXhat = 0;
    for (size_t i = 0; i < s.n; ++i)
      for (size_t k = 0; k < s.hw; ++k) {
        const size_t p = at(i, j, k);
        e.y[p] = gamma[j] * ((x[p] - mu) * is) + beta[j];
        e.yEval[p] = gamma[j] * ((x[p] - runningMean[j]) * evalIs) + beta[j];
        const double xhat = (x[p] - mu) * bis;
        sumDy += dy[p];
        sumDyXhat += dy[p] * xhat;
        absDy += std::fabs(dy[p]);
        absDyXhat += std::fabs(dy[p] * xhat);
      }
    for (size_t i = 0; i < s.n; ++i)
      for (size_t k = 0; k < s.hw; ++k) {
        const size_t p = at(i, j, k);
        const double xhat = (x[p] - mu) * bis;
        e.dx[p] = gamma[j] * bis * (dy[p] - sumDy / m - xhat * sumDyXhat / m);
        e.dxScale[p] = std::fabs(gamma[j] * bis) * (std::fabs(dy[p]) + std::fabs(sumDy / m) + std::fabs(xhat * sumDyXhat / m));
      }
    e.mean.push_back(mu);
    e.invStd.push_back(is);
    e.runningMean.push_back((1 - momentum) * runningMean[j] + momentum * mu);
    e.runningVar.push_back((1 - momentum) * runningVar[j] + momentum * var * m / (m - 1));
    e.dgamma.push_back(sumDyXhat);
    e.dbeta.push_back(sumDy);
    e.dgammaScale.push_back(absDyXhat);
    e.dbetaScale.push_back(absDy);
  }
  return e;
}

// |got − want| ≤ tolerance·scale for every element (scale: |want| or the sum's Σ|terms|).
void compare(const char* what, const Shape& s, const Vec& got, const std::vector<double>& want,
             const std::vector<double>* scale, double tolerance) {
  ++checks;
  double worst = 0;
  size_t where = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    const double bound = tolerance * ((scale ? (*scale)[i] : std::fabs(want[i])) + 1e-30);
    const double excess = std::isfinite(got[i]) ? std::fabs(got[i] - want[i]) / bound : INFINITY;
    if (excess > worst) worst = excess, where = i;
  }
  if (worst > 1) {
    char detail[200];
    std::snprintf(detail, sizeof detail, "[%zu, %zu, %zu] element %zu: %.9g vs %.9g (%.2f× the bound)", s.n, s.c, s.hw,
                  where, got[where], want[where], worst);
    ++failures;
    std::printf("FAIL %s: %s\n", what, detail);
  }
}

void sameBits(const char* what, const Shape& s, const Vec& a, const Vec& b, size_t threads) {
  ++checks;
  if (a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0) return;
  ++failures;
  std::printf("FAIL %s: [%zu, %zu, %zu] differs on %zu threads from 1 thread\n", what, s.n, s.c, s.hw, threads);
}

Vec randomVec(std::mt19937& rng, size_t count, float lo, float hi) {
  std::uniform_real_distribution<float> d(lo, hi);
  Vec v(count);
  for (auto& e : v) e = d(rng);
  return v;
}

// One float ulp at the result, plus the error of rounding the double inputs (mean, invStd kept
// in double throughout): 2^-22 relative covers both.
constexpr double kElementwise = 2.5e-7;

void testShape(std::mt19937& rng, Shape s) {
  const size_t count = s.n * s.c * s.hw;
  // An offset of 3 over a spread of 1: the two-pass statistics must keep the digits.
  Vec x = randomVec(rng, count, 2.5f, 3.5f), dy = randomVec(rng, count, -1, 1);
  Vec gamma = randomVec(rng, s.c, 0.5f, 1.5f), beta = randomVec(rng, s.c, -0.5f, 0.5f);
  Vec runningMean0 = randomVec(rng, s.c, -0.2f, 0.2f), runningVar0 = randomVec(rng, s.c, 0.5f, 2);
  const double eps = 1e-5, momentum = 0.1;
  const Expected e = naive(s, x, dy, gamma, beta, runningMean0, runningVar0, eps, momentum);

  const SimdLevel levels[] = {SimdLevel::Portable, SimdLevel::Avx2, SimdLevel::Avx512};
  for (SimdLevel level : levels) {
    if (!setActiveSimd(level)) continue;
    Vec first[9];
    for (size_t threads = 1; threads <= 3; ++threads) {
      setNumThreads(threads);
      Vec y(count, NAN), mean(s.c, NAN), invStd(s.c, NAN), runningMean = runningMean0, runningVar = runningVar0;
      batchNormTrain(x.data(), s.n, s.c, s.hw, gamma.data(), beta.data(), runningMean.data(), runningVar.data(), eps, momentum,
                     y.data(), mean.data(), invStd.data());
      Vec yEval(count, NAN);
      batchNormEval(x.data(), s.n, s.c, s.hw, gamma.data(), beta.data(), runningMean0.data(), runningVar0.data(), eps, yEval.data());
      Vec dx(count, NAN), dgamma(s.c, NAN), dbeta(s.c, NAN);
      batchNormBackward(x.data(), dy.data(), s.n, s.c, s.hw, gamma.data(), mean.data(), invStd.data(), dx.data(), dgamma.data(),
                        dbeta.data());
      // dx written over dy, as the op does.
      Vec inPlace = dy, dgamma2(s.c), dbeta2(s.c);
      batchNormBackward(x.data(), inPlace.data(), s.n, s.c, s.hw, gamma.data(), mean.data(), invStd.data(), inPlace.data(),
                        dgamma2.data(), dbeta2.data());
      sameBits("batchNormBackward in place", s, dx, inPlace, 1);
      // The in-place training forward (y = x).
      Vec xy = x, mean2(s.c), invStd2(s.c), rm = runningMean0, rv = runningVar0;
      batchNormTrain(xy.data(), s.n, s.c, s.hw, gamma.data(), beta.data(), rm.data(), rv.data(), eps, momentum, xy.data(),
                     mean2.data(), invStd2.data());
      sameBits("batchNormTrain in place", s, y, xy, 1);
      Vec results[9] = {y, mean, invStd, runningMean, runningVar, yEval, dx, dgamma, dbeta};
      if (threads == 1) {
        compare("batchNormTrain y", s, y, e.y, nullptr, kElementwise);
        compare("batchNormTrain mean", s, mean, e.mean, nullptr, 6e-8);
        compare("batchNormTrain invStd", s, invStd, e.invStd, nullptr, 6e-8);
        compare("batchNormTrain runningMean", s, runningMean, e.runningMean, nullptr, 1.2e-7);
        compare("batchNormTrain runningVar", s, runningVar, e.runningVar, nullptr, 1.2e-7);
        compare("batchNormEval y", s, yEval, e.yEval, nullptr, kElementwise);
        // dx: a difference of terms, so bounded relative to their size, not to dx.
        compare("batchNormBackward dx", s, dx, e.dx, &e.dxScale, 2.5e-7);
        compare("batchNormBackward dgamma", s, dgamma, e.dgamma, &e.dgammaScale, 1e-6);
        compare("batchNormBackward dbeta", s, dbeta, e.dbeta, &e.dbetaScale, 1e-6);
        for (int r = 0; r < 9; ++r) first[r] = results[r];
      } else {
        const char* names[9] = {"y", "mean", "invStd", "runningMean", "runningVar", "eval y", "dx", "dgamma", "dbeta"};
        for (int r = 0; r < 9; ++r) sameBits(names[r], s, first[r], results[r], threads);
      }
    }
  }
  setActiveSimd(detectedSimd());
}

}  // namespace

int main() {
  std::mt19937 rng(20261207);
  const Shape shapes[] = {
      {2, 3, 5},      // a few values per run: the remainder loop only
      {3, 4, 17},     // 2 runs of 8 and a remainder, channel after channel
      {1, 1, 100003},  // one channel, beyond the pool's threshold
      {16, 32, 196},  // 14×14 feature maps: 100 352 values, on the pool
      {8, 6, 784},    // 28×28, c not a multiple of the thread count
      {33, 7, 1},     // BatchNorm1d rows
      {2, 64, 9},     // many channels, short runs
  };
  for (const Shape& s : shapes) testShape(rng, s);
  std::printf("%d checks, %d failures\n", checks, failures);
  return failures == 0 ? 0 : 1;
}
