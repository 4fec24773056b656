// Counter-based random numbers: Philox-4x32-10 (Salmon et al., "Parallel random numbers: as
// easy as 1, 2, 3", SC'11). lib/backend/random.ts computes the same bits with the same double
// arithmetic; this file must use only correctly rounded IEEE operations (+ - * / sqrt floor)
// and no libm transcendental, whose last bit may differ from V8's. -ffp-contract=off keeps
// the compiler from fusing a*b+c.
#include <cmath>

#include "rng.h"

namespace tg {

namespace {

constexpr uint32_t kMul0 = 0xD2511F53u, kMul1 = 0xCD9E8D57u;
constexpr uint32_t kWeyl0 = 0x9E3779B9u, kWeyl1 = 0xBB67AE85u;

using Block = PhiloxBlock;

}  // namespace

PhiloxBlock philox(uint64_t counter, uint64_t seed) {
  uint32_t c0 = static_cast<uint32_t>(counter), c1 = static_cast<uint32_t>(counter >> 32);
  uint32_t c2 = 0, c3 = 0;
  uint32_t k0 = static_cast<uint32_t>(seed), k1 = static_cast<uint32_t>(seed >> 32);
  for (int round = 0; round < 10; ++round) {
    const uint64_t p0 = static_cast<uint64_t>(kMul0) * c0;
    const uint64_t p1 = static_cast<uint64_t>(kMul1) * c2;
    const uint32_t hi0 = static_cast<uint32_t>(p0 >> 32), lo0 = static_cast<uint32_t>(p0);
    const uint32_t hi1 = static_cast<uint32_t>(p1 >> 32), lo1 = static_cast<uint32_t>(p1);
    c0 = hi1 ^ c1 ^ k0;
    c1 = lo1;
    c2 = hi0 ^ c3 ^ k1;
    c3 = lo0;
    k0 += kWeyl0;
    k1 += kWeyl1;
  }
  return {{c0, c1, c2, c3}};
}

namespace {

constexpr double kTwoPow32 = 4294967296.0;
constexpr double kLn2 = 0.6931471805599453;
constexpr double kSqrtHalf = 0.7071067811865476;
constexpr double kHalfPi = 1.5707963267948966;

// ln(u) for u in (0, 1]: u = m * 2^e with m in [sqrt(1/2), sqrt(2)) by exact doublings, then
// ln(m) = 2 atanh(s), s = (m - 1) / (m + 1), |s| < 0.172, as a series in s^2 to 1e-19.
double logUnit(double u) {
  double m = u;
  double e = 0.0;
  while (m < kSqrtHalf) {
    m *= 2.0;
    e -= 1.0;
  }
  const double s = (m - 1.0) / (m + 1.0);
  const double s2 = s * s;
  double series = 0.0;
  for (int k = 12; k >= 0; --k) series = series * s2 + 1.0 / (2.0 * k + 1.0);
  return e * kLn2 + 2.0 * s * series;
}

// Signed Taylor coefficients (-1)^k / (2k+1)! and (-1)^k / (2k)!, k = 0..9, built by the same
// divisions in random.ts so both hold the same doubles.
struct TaylorTables {
  double sinCoef[10];
  double cosCoef[10];
  TaylorTables() {
    for (int k = 0; k < 10; ++k) {
      double sinTerm = 1.0, cosTerm = 1.0;
      for (int j = 1; j <= 2 * k + 1; ++j) sinTerm /= j;
      for (int j = 1; j <= 2 * k; ++j) cosTerm /= j;
      const double sign = (k % 2 == 0) ? 1.0 : -1.0;
      sinCoef[k] = sign * sinTerm;
      cosCoef[k] = sign * cosTerm;
    }
  }
};
const TaylorTables kTaylor;

// sin(a) and cos(a) for a in [0, pi/4], to 1e-19 (the first omitted term).
void sinCosSmall(double a, double* s, double* c) {
  const double a2 = a * a;
  double sinSeries = 0.0, cosSeries = 0.0;
  for (int k = 9; k >= 0; --k) {
    sinSeries = sinSeries * a2 + kTaylor.sinCoef[k];
    cosSeries = cosSeries * a2 + kTaylor.cosCoef[k];
  }
  *s = a * sinSeries;
  *c = cosSeries;
}

// cos(2 pi u) and sin(2 pi u) for u in [0, 1): exact reduction to a quadrant and an angle
// in [0, pi/4], since u * 4 and its fraction are exact.
void sinCosTwoPi(double u, double* s, double* c) {
  const double t = u * 4.0;
  const double q = std::floor(t);
  const double f = t - q;
  double sf, cf;
  if (f <= 0.5) {
    sinCosSmall(f * kHalfPi, &sf, &cf);
  } else {
    sinCosSmall((1.0 - f) * kHalfPi, &cf, &sf);
  }
  switch (static_cast<int>(q)) {
    case 0: *c = cf; *s = sf; break;
    case 1: *c = -sf; *s = cf; break;
    case 2: *c = -cf; *s = -sf; break;
    default: *c = sf; *s = -cf; break;
  }
}

// The standard normal at lane `lane` of `block`: Box-Muller over lanes (0, 1) or (2, 3).
double normalAt(const Block& block, unsigned lane) {
  const unsigned pair = lane & 2u;
  const double u1 = (static_cast<double>(block.w[pair]) + 1.0) / kTwoPow32;  // (0, 1]
  const double u2 = static_cast<double>(block.w[pair + 1]) / kTwoPow32;      // [0, 1)
  const double radius = std::sqrt(-2.0 * logUnit(u1));
  double s, c;
  sinCosTwoPi(u2, &s, &c);
  return radius * ((lane & 1u) ? s : c);
}

// Calls fn(i, block, lane) for stream words offset .. offset + n - 1, one Philox call a block.
template <typename Fn>
void forEachWord(size_t n, uint64_t seed, uint64_t offset, Fn fn) {
  size_t i = 0;
  while (i < n) {
    const uint64_t position = offset + i;
    const Block block = philox(position >> 2, seed);
    for (unsigned lane = static_cast<unsigned>(position & 3u); lane < 4 && i < n; ++lane, ++i) {
      fn(i, block, lane);
    }
  }
}

}  // namespace

void randomBits(uint32_t* out, size_t n, uint64_t seed, uint64_t offset) {
  forEachWord(n, seed, offset, [&](size_t i, const Block& b, unsigned lane) { out[i] = b.w[lane]; });
}

void fillUniform(float* out, size_t n, uint64_t seed, uint64_t offset, double low, double high) {
  const double span = high - low;
  forEachWord(n, seed, offset, [&](size_t i, const Block& b, unsigned lane) {
    const double u = static_cast<double>(b.w[lane] >> 8) / 16777216.0;  // [0, 1), 24 bits
    out[i] = static_cast<float>(low + span * u);
  });
}

void fillNormal(float* out, size_t n, uint64_t seed, uint64_t offset, double mean, double std) {
  forEachWord(n, seed, offset, [&](size_t i, const Block& b, unsigned lane) {
    out[i] = static_cast<float>(mean + std * normalAt(b, lane));
  });
}

}  // namespace tg
