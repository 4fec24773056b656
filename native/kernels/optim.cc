// Fused optimizer updates: the per-call scalars in double, the run-time dispatch, and the
// portable loops (also the tails of the AVX2 loops).
#include <algorithm>
#include <cmath>

#include "../cpu.h"
#include "../threadpool.h"
#include "optim.h"

namespace tg {

namespace {

// Inf or NaN, written as arithmetic and a select so the loops still vectorize.
inline bool nonFinite(float a) { return !(a - a == 0.0f); }

// β·a + (1 − β)·x as a + (1 − β)·(x − a): one rounding at a's scale, so the float32 average
// tracks the double one (β itself, 0.999 say, would round with a relative error that a hundred
// steps multiply). At an infinite a the lerp would give Inf − Inf; there the product form gives
// what β·a + (1 − β)·x gives in double (at a NaN a, both are NaN).
inline float average(float a, float x, float oneMinusBeta) {
  const float lerp = a + oneMinusBeta * (x - a);
  const float product = (1.0f - oneMinusBeta) * a + oneMinusBeta * x;
  return nonFinite(a) ? product : lerp;
}

// max that propagates NaN from either side, as torch.maximum.
inline float maxNaN(float a, float b) { return a != a || b != b ? a + b : (a > b ? a : b); }

// (hi + lo)·x + y with the split coefficient; at an infinite x, hi·x + y (lo·x could be NaN;
// at a NaN x both are NaN).
inline float scaleAdd(Split k, float x, float y) {
  const float plain = k.hi * x + y;
  const float precise = k.hi * x + (k.lo * x + y);
  return nonFinite(x) ? plain : precise;
}

float* at(float* p, size_t i) { return p ? p + i : nullptr; }

// The updates are elementwise, so a big parameter is split into fixed chunks run over the thread
// pool: 32 Ki floats (128 KiB per array, some 40 µs of Adam), a multiple of the vector width, so
// every element takes the same vector or scalar path, and gets the same bits, whatever the
// thread count. Smaller parameters stay on the calling thread.
constexpr size_t kChunk = size_t{1} << 15;

template <class Body>
void inChunks(size_t n, const Body& body) {
  const size_t chunks = (n + kChunk - 1) / kChunk;
  if (chunks <= 1) return body(0, n);
  struct Context {
    const Body* body;
    size_t n;
  } context{&body, n};
  parallelFor(chunks, [](void* p, size_t chunk) {
    const Context& c = *static_cast<const Context*>(p);
    const size_t begin = chunk * kChunk;
    (*c.body)(begin, std::min(kChunk, c.n - begin));
  }, &context);
}

Split split(double v) {
  const float hi = static_cast<float>(v);
  return {hi, static_cast<float>(v - static_cast<double>(hi))};
}

}  // namespace

namespace portable {

void sgd(float* p, const float* g, float* buf, size_t n, const SgdCoefficients& c) {
  for (size_t i = 0; i < n; ++i) {
    float d = g[i] + c.weightDecay * p[i];
    if (c.useMomentum) {
      const float b = c.first ? d : scaleAdd(c.momentum, buf[i], c.gradScale * d);
      buf[i] = b;
      d = c.nesterov ? scaleAdd(c.momentum, b, d) : b;
    }
    p[i] = p[i] - scaleAdd(c.lr, d, 0.0f);
  }
}

void adagrad(float* p, const float* g, float* sum, size_t n, const AdagradCoefficients& c) {
  for (size_t i = 0; i < n; ++i) {
    const float d = g[i] + c.weightDecay * p[i];
    const float s = sum[i] + d * d;
    sum[i] = s;
    p[i] = p[i] - scaleAdd(c.clr, d / (std::sqrt(s) + c.eps), 0.0f);
  }
}

void rmsprop(float* p, const float* g, float* v, float* gAvg, float* buf, size_t n,
             const RmspropCoefficients& c) {
  for (size_t i = 0; i < n; ++i) {
    const float d = g[i] + c.weightDecay * p[i];
    const float sq = average(v[i], d * d, c.oneMinusAlpha);
    v[i] = sq;
    float denom;
    if (c.centered) {
      const float a = average(gAvg[i], d, c.oneMinusAlpha);
      gAvg[i] = a;
      denom = std::sqrt(sq - a * a) + c.eps;
    } else {
      denom = std::sqrt(sq) + c.eps;
    }
    float step = d / denom;
    if (c.useMomentum) {
      step = scaleAdd(c.momentum, buf[i], step);
      buf[i] = step;
    }
    p[i] = p[i] - scaleAdd(c.lr, step, 0.0f);
  }
}

void adadelta(float* p, const float* g, float* v, float* u, size_t n, const AdadeltaCoefficients& c) {
  for (size_t i = 0; i < n; ++i) {
    const float d = g[i] + c.weightDecay * p[i];
    const float sq = average(v[i], d * d, c.oneMinusRho);
    v[i] = sq;
    const float delta = std::sqrt(u[i] + c.eps) / std::sqrt(sq + c.eps) * d;
    u[i] = average(u[i], delta * delta, c.oneMinusRho);
    p[i] = p[i] - scaleAdd(c.lr, delta, 0.0f);
  }
}

void adam(float* p, const float* g, float* m, float* v, float* vMax, size_t n, const AdamCoefficients& c) {
  for (size_t i = 0; i < n; ++i) {
    const float decay = c.lrWeightDecay * p[i];  // decoupled (AdamW); 0 for Adam
    const float d = g[i] + c.weightDecay * p[i];  // L2 (Adam); 0 for AdamW
    const float mi = average(m[i], d, c.oneMinusBeta1);
    float vi = average(v[i], d * d, c.oneMinusBeta2);
    m[i] = mi;
    v[i] = vi;
    if (c.amsgrad) {
      vi = maxNaN(vMax[i], vi);
      vMax[i] = vi;
    }
    // One rounding at param's scale: the decay joins the step before it is subtracted.
    p[i] = p[i] - scaleAdd(c.stepSize, mi / (std::sqrt(vi) * c.invSqrtBc2 + c.eps), decay);
  }
}

void adamax(float* p, const float* g, float* m, float* u, size_t n, const AdamaxCoefficients& c) {
  for (size_t i = 0; i < n; ++i) {
    const float d = g[i] + c.weightDecay * p[i];
    const float mi = average(m[i], d, c.oneMinusBeta1);
    const float ui = maxNaN(scaleAdd(c.beta2, u[i], 0.0f), std::fabs(d) + c.eps);
    m[i] = mi;
    u[i] = ui;
    p[i] = p[i] - scaleAdd(c.clr, mi / ui, 0.0f);
  }
}

void nadam(float* p, const float* g, float* m, float* v, size_t n, const NadamCoefficients& c) {
  for (size_t i = 0; i < n; ++i) {
    const float d = g[i] + c.weightDecay * p[i];
    const float mi = average(m[i], d, c.oneMinusBeta1);
    const float vi = average(v[i], d * d, c.oneMinusBeta2);
    m[i] = mi;
    v[i] = vi;
    const float denom = std::sqrt(vi) * c.invSqrtBc2 + c.eps;
    p[i] = p[i] - scaleAdd(c.avgScale, mi / denom, scaleAdd(c.gradScale, d / denom, 0.0f));
  }
}

}  // namespace portable

// Each entry point: the float coefficients from the double options, then the loop of the
// active SIMD path (the AVX2 loop on the avx512 level too).
#ifdef TG_X86
#define TG_DISPATCH(loop, ...) \
  (useAvx2Code() ? avx2::loop(__VA_ARGS__) : portable::loop(__VA_ARGS__))
#else
#define TG_DISPATCH(loop, ...) portable::loop(__VA_ARGS__)
#endif

void sgdStep(float* param, const float* grad, float* momentumBuffer, size_t n, const SgdOptions& o) {
  const SgdCoefficients c{split(o.lr), split(o.momentum), static_cast<float>(1.0 - o.dampening),
                          static_cast<float>(o.weightDecay), o.momentum > 0, o.nesterov, o.step == 1};
  inChunks(n, [&](size_t i, size_t len) { TG_DISPATCH(sgd, param + i, grad + i, at(momentumBuffer, i), len, c); });
}

void adagradStep(float* param, const float* grad, float* stateSum, size_t n, const AdagradOptions& o) {
  const AdagradCoefficients c{split(o.lr / (1.0 + static_cast<double>(o.step - 1) * o.lrDecay)),
                              static_cast<float>(o.weightDecay), static_cast<float>(o.eps)};
  inChunks(n, [&](size_t i, size_t len) { TG_DISPATCH(adagrad, param + i, grad + i, stateSum + i, len, c); });
}

void rmspropStep(float* param, const float* grad, float* squareAvg, float* gradAvg,
                 float* momentumBuffer, size_t n, const RmspropOptions& o) {
  const RmspropCoefficients c{split(o.lr), split(o.momentum), static_cast<float>(1.0 - o.alpha),
                              static_cast<float>(o.eps), static_cast<float>(o.weightDecay),
                              o.momentum > 0, o.centered};
  inChunks(n, [&](size_t i, size_t len) {
    TG_DISPATCH(rmsprop, param + i, grad + i, squareAvg + i, at(gradAvg, i), at(momentumBuffer, i), len, c);
  });
}

void adadeltaStep(float* param, const float* grad, float* squareAvg, float* accDelta, size_t n,
                  const AdadeltaOptions& o) {
  const AdadeltaCoefficients c{split(o.lr), static_cast<float>(1.0 - o.rho), static_cast<float>(o.eps),
                               static_cast<float>(o.weightDecay)};
  inChunks(n, [&](size_t i, size_t len) { TG_DISPATCH(adadelta, param + i, grad + i, squareAvg + i, accDelta + i, len, c); });
}

void adamStep(float* param, const float* grad, float* expAvg, float* expAvgSq, float* maxExpAvgSq,
              size_t n, const AdamOptions& o) {
  const double t = static_cast<double>(o.step);
  const double bc1 = o.biasCorrection ? 1.0 - std::pow(o.beta1, t) : 1.0;
  const double bc2 = o.biasCorrection ? 1.0 - std::pow(o.beta2, t) : 1.0;
  const AdamCoefficients c{split(o.lr / bc1),
                           static_cast<float>(1.0 - o.beta1),
                           static_cast<float>(1.0 - o.beta2),
                           static_cast<float>(1.0 / std::sqrt(bc2)),
                           static_cast<float>(o.eps),
                           static_cast<float>(o.decoupled ? 0.0 : o.weightDecay),
                           static_cast<float>(o.decoupled ? o.lr * o.weightDecay : 0.0),
                           o.amsgrad};
  inChunks(n, [&](size_t i, size_t len) {
    TG_DISPATCH(adam, param + i, grad + i, expAvg + i, expAvgSq + i, at(maxExpAvgSq, i), len, c);
  });
}

void adamaxStep(float* param, const float* grad, float* expAvg, float* expInf, size_t n,
                const AdamaxOptions& o) {
  const double bc1 = 1.0 - std::pow(o.beta1, static_cast<double>(o.step));
  const AdamaxCoefficients c{split(o.lr / bc1), split(o.beta2), static_cast<float>(1.0 - o.beta1),
                             static_cast<float>(o.eps), static_cast<float>(o.weightDecay)};
  inChunks(n, [&](size_t i, size_t len) { TG_DISPATCH(adamax, param + i, grad + i, expAvg + i, expInf + i, len, c); });
}

void nadamStep(float* param, const float* grad, float* expAvg, float* expAvgSq, size_t n,
               const NadamOptions& o) {
  const double t = static_cast<double>(o.step);
  const auto mu = [&](double s) { return o.beta1 * (1.0 - 0.5 * std::pow(0.96, s * o.momentumDecay)); };
  const double muNext = mu(t + 1);
  const NadamCoefficients c{split(o.lr * (1.0 - mu(t)) / (1.0 - o.muProduct)),
                            split(o.lr * muNext / (1.0 - o.muProduct * muNext)),
                            static_cast<float>(1.0 - o.beta1),
                            static_cast<float>(1.0 - o.beta2),
                            static_cast<float>(1.0 / std::sqrt(1.0 - std::pow(o.beta2, t))),
                            static_cast<float>(o.eps),
                            static_cast<float>(o.weightDecay)};
  inChunks(n, [&](size_t i, size_t len) { TG_DISPATCH(nadam, param + i, grad + i, expAvg + i, expAvgSq + i, len, c); });
}

#undef TG_DISPATCH

}  // namespace tg
