// The bfloat16 GEMM (native/kernels/gemm_bf16.h) on every path this CPU has (AVX-512 BF16, the
// emulation on AVX-512, AVX2 and portable) and 1, 2 and 3 threads:
//   - bit for bit against a scalar model of the numbers gemm_bf16.h states (pairs odd step
//     first, fused multiply-adds flushed, SGEMM's k blocks and write-back), so every path and
//     thread count gives the same bits;
//   - the model and the GEMM against a double-precision product of the bf16-rounded operands,
//     within the float accumulation's bound;
//   - the rounding to bfloat16 on chosen values, float and bfloat16 sources alike, subnormal
//     products (flushed), NaN operands.
// Built and run by test/native/gemm-bf16.test.ts; prints one line per failure and a summary,
// exits 1 on any.
#include <array>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "../../native/cpu.h"
#include "../../native/kernels/gemm_bf16.h"
#include "../../native/threadpool.h"

using namespace tg;

namespace {

int failures = 0;
long checks = 0;

void fail(const std::string& what) {
  if (++failures <= 40) std::printf("FAIL %s\n", what.c_str());
}

uint32_t bitsOf(float x) {
  uint32_t u;
  std::memcpy(&u, &x, 4);
  return u;
}
float fromBits(uint32_t u) {
  float x;
  std::memcpy(&x, &u, 4);
  return x;
}

struct Case {
  size_t m, n, k;
  bool transA, transB;
  float alpha, beta;
  int epilogue;  // -1: plain gemm; else the Activation of gemmBf16BiasActivation
  float slope;
};

std::string name(const Case& c) {
  char text[160];
  std::snprintf(text, sizeof text, "%zux%zux%zu %c%c alpha %g beta %g epilogue %d", c.m, c.n,
                c.k, c.transA ? 'T' : 'N', c.transB ? 'T' : 'N', c.alpha, c.beta, c.epilogue);
  return text;
}

float flushModel(float x) { return std::fabs(x) < FLT_MIN ? std::copysign(0.0f, x) : x; }

float activateModel(float v, int activation, float slope) {
  const bool keep = v > 0.0f || v != v;
  if (activation == 1) return keep ? v : 0.0f;
  if (activation == 2) return keep ? v : slope * v;
  return v;
}

// op(A)(i, p) and op(B)(p, j) as the GEMM reads them: rounded bfloat16 values as floats.
struct Operands {
  std::vector<float> a, b;  // row-major op(A) m x k, op(B) k x n, rounded
};

Operands rounded(const Case& c, const std::vector<float>& a, const std::vector<float>& b) {
  Operands o{std::vector<float>(c.m * c.k), std::vector<float>(c.k * c.n)};
  for (size_t i = 0; i < c.m; ++i)
    for (size_t p = 0; p < c.k; ++p)
      o.a[i * c.k + p] = bf16ToFloat(roundToBf16(c.transA ? a[p * c.m + i] : a[i * c.k + p]));
  for (size_t p = 0; p < c.k; ++p)
    for (size_t j = 0; j < c.n; ++j)
      o.b[p * c.n + j] = bf16ToFloat(roundToBf16(c.transB ? b[j * c.k + p] : b[p * c.n + j]));
  return o;
}

// The numbers of gemm_bf16.h, one element at a time.
std::vector<float> model(const Case& c, const Operands& o, const std::vector<float>& c0,
                         const std::vector<float>& bias) {
  std::vector<float> out = c0;
  if (c.epilogue >= 0) out.assign(c.m * c.n, 0.0f);
  const size_t blocks = (c.k + 383) / 384;
  size_t kc = (c.k + blocks - 1) / blocks;
  kc += kc & 1;
  for (size_t i = 0; i < c.m; ++i) {
    for (size_t j = 0; j < c.n; ++j) {
      float value = out[i * c.n + j];
      for (size_t pc = 0; pc < c.k; pc += kc) {
        const size_t end = std::min(c.k, pc + kc);
        float acc = 0.0f;
        for (size_t q = pc; q < end; q += 2) {
          const float a1 = q + 1 < end ? o.a[i * c.k + q + 1] : 0.0f;
          const float b1 = q + 1 < end ? o.b[(q + 1) * c.n + j] : 0.0f;
          acc = flushModel(std::fma(a1, b1, acc));
          acc = flushModel(std::fma(o.a[i * c.k + q], o.b[q * c.n + j], acc));
        }
        const float alpha = c.epilogue >= 0 ? 1.0f : c.alpha;
        const float beta = pc != 0 ? 1.0f : c.epilogue >= 0 ? 0.0f : c.beta;
        float v = alpha == 1.0f ? acc : alpha * acc;
        if (beta == 1.0f) {
          v = v + value;
        } else if (beta != 0.0f) {
          v = v + beta * value;
        }
        if (end == c.k && c.epilogue >= 0) {
          if (c.epilogue > 0 || !bias.empty()) {
            v = v + bias[j];
            v = activateModel(v, c.epilogue, c.slope);
          }
        }
        value = v;
      }
      out[i * c.n + j] = value;
    }
  }
  return out;
}

template <class S>
std::vector<float> run(const Case& c, const std::vector<S>& a, const std::vector<S>& b,
                       const std::vector<float>& c0, const std::vector<float>& bias) {
  std::vector<float> out = c0;
  if (c.epilogue < 0) {
    gemmBf16(c.transA, c.transB, c.m, c.n, c.k, c.alpha, a.data(), b.data(), c.beta, out.data());
  } else {
    gemmBf16BiasActivation(c.transA, c.transB, c.m, c.n, c.k, a.data(), b.data(), bias.data(),
                           static_cast<Activation>(c.epilogue), c.slope, out.data());
  }
  return out;
}

struct Path {
  SimdLevel level;
  bool bf16;
  std::string label() const {
    return std::string(simdName(level)) + (bf16 ? "+bf16" : level == SimdLevel::Portable ? "" : " emulated");
  }
};

std::vector<Path> paths() {
  std::vector<Path> list;
  for (int l = static_cast<int>(detectedSimd()); l >= 0; --l) {
    const SimdLevel level = static_cast<SimdLevel>(l);
    if (level == SimdLevel::Avx512 && detectedAvx512Bf16()) list.push_back({level, true});
    list.push_back({level, false});
  }
  return list;
}

void use(const Path& p) {
  setActiveSimd(p.level);
  setBf16Instructions(p.bf16);
}

// Same bits as the model; NaN where the model has NaN.
void compareBits(const std::string& what, const std::vector<float>& got,
                 const std::vector<float>& want) {
  ++checks;
  size_t bad = 0, first = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const bool same = bitsOf(got[i]) == bitsOf(want[i]) || (std::isnan(got[i]) && std::isnan(want[i]));
    if (!same && bad++ == 0) first = i;
  }
  if (bad) {
    char text[200];
    std::snprintf(text, sizeof text, ": %zu of %zu elements differ, first [%zu] %a (model %a)", bad,
                  got.size(), first, got[first], want[first]);
    fail(what + text);
  }
}

// The model against double sums of the rounded operands: each of the k fused steps rounds once
// (relative 2^-24 of the running sum), each k block's addition into C once more.
void compareDouble(const std::string& what, const Case& c, const Operands& o,
                   const std::vector<float>& c0, const std::vector<float>& bias,
                   const std::vector<float>& got) {
  ++checks;
  const double u = std::ldexp(1.0, -24);
  for (size_t i = 0; i < c.m; ++i) {
    for (size_t j = 0; j < c.n; ++j) {
      double sum = 0.0, scale = 0.0;
      for (size_t p = 0; p < c.k; ++p) {
        const double product = static_cast<double>(o.a[i * c.k + p]) * o.b[p * c.n + j];
        sum += product;
        scale += std::fabs(product);
      }
      double want;
      double bound;
      if (c.epilogue < 0) {
        const double old = c.beta == 0.0f ? 0.0 : c0[i * c.n + j];
        want = c.alpha * sum + c.beta * old;
        bound = (c.k + 4) * u * std::fabs(c.alpha) * scale + 2 * u * std::fabs(c.beta * old);
      } else {
        want = sum + (bias.empty() ? 0.0 : bias[j]);
        bound = (c.k + 4) * u * (scale + std::fabs(want));
        if (c.epilogue == 1) want = want > 0 ? want : 0.0;
        if (c.epilogue == 2) want = want > 0 ? want : c.slope * want, bound *= 1.0 + c.slope;
      }
      bound += 2.0 * (c.k + 1) * FLT_MIN;  // the flushed subnormal results, one per step
      const double error = std::fabs(got[i * c.n + j] - want);
      if (!(error <= bound)) {
        char text[200];
        std::snprintf(text, sizeof text, ": [%zu, %zu] %.9g, double %.9g, error %.3g > bound %.3g", i,
                      j, got[i * c.n + j], want, error, bound);
        fail(what + text);
        return;
      }
    }
  }
}

std::vector<float> randomArray(size_t count, std::mt19937& rng, float scale) {
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(count);
  for (float& x : v) x = scale * dist(rng);
  return v;
}

void testRounding() {
  struct Sample {
    uint32_t in;
    uint16_t out;
  };
  const Sample samples[] = {
      {0x3f800000, 0x3f80},  // 1
      {0x3f808000, 0x3f80},  // halfway, to the even 1
      {0x3f818000, 0x3f82},  // halfway, to the even above
      {0x3f808001, 0x3f81},  // just past halfway
      {0x3f807fff, 0x3f80},  // just below halfway
      {0xbf818000, 0xbf82},  // negative halfway
      {0x7f7fffff, 0x7f80},  // FLT_MAX rounds to infinity
      {0x7f800000, 0x7f80},  // infinity
      {0xff800000, 0xff80},  // -infinity
      {0x7fc00001, 0x7fc0},  // NaN
      {0xffa00000, 0x7fc0},  // signaling NaN of either sign
      {0x00000001, 0x0000},  // subnormal: zero
      {0x80400000, 0x8000},  // negative subnormal: -0
      {0x007fffff, 0x0080},  // the largest subnormal rounds up to FLT_MIN, a normal bfloat16
      {0x00800000, 0x0080},  // FLT_MIN
      {0x80000000, 0x8000},  // -0
  };
  for (const Sample& s : samples) {
    ++checks;
    const uint16_t got = roundToBf16(fromBits(s.in));
    if (got != s.out) {
      char text[120];
      std::snprintf(text, sizeof text, "roundToBf16(0x%08x) = 0x%04x, expected 0x%04x", s.in, got, s.out);
      fail(text);
    }
  }
}

void testCase(const Case& c, std::mt19937& rng, float scale) {
  const size_t aCount = c.m * c.k, bCount = c.k * c.n;
  const std::vector<float> a = randomArray(aCount, rng, scale), b = randomArray(bCount, rng, scale);
  const std::vector<float> c0 = randomArray(c.m * c.n, rng, 1.0f);
  std::vector<float> bias = randomArray(c.n, rng, 1.0f);
  const Operands o = rounded(c, a, b);
  const std::vector<float> want = model(c, o, c0, bias);
  compareDouble("model " + name(c), c, o, c0, bias, want);
  std::vector<uint16_t> a16(aCount), b16(bCount);
  for (size_t i = 0; i < aCount; ++i) a16[i] = roundToBf16(a[i]);
  for (size_t i = 0; i < bCount; ++i) b16[i] = roundToBf16(b[i]);
  for (const Path& p : paths()) {
    use(p);
    for (size_t threads = 1; threads <= 3; ++threads) {
      setNumThreads(threads);
      const std::string where = name(c) + " on " + p.label() + ", " + std::to_string(threads) + " threads";
      compareBits(where, run(c, a, b, c0, bias), want);
      if (threads == 1) compareBits(where + " (bfloat16 sources)", run(c, a16, b16, c0, bias), want);
    }
  }
}

// A NaN in row 0 of A: row 0 of C is NaN on every path, the other rows are the model's bits.
void testNaN(std::mt19937& rng) {
  const Case c{13, 37, 45, false, false, 1.0f, 0.0f, -1, 0.0f};
  std::vector<float> a = randomArray(c.m * c.k, rng, 1.0f), b = randomArray(c.k * c.n, rng, 1.0f);
  a[7] = NAN;
  const std::vector<float> c0(c.m * c.n, 0.0f), bias;
  const std::vector<float> want = model(c, rounded(c, a, b), c0, bias);
  for (const Path& p : paths()) {
    use(p);
    setNumThreads(1);
    const std::vector<float> got = run(c, a, b, c0, bias);
    ++checks;
    for (size_t j = 0; j < c.n; ++j) {
      if (!std::isnan(got[j])) {
        fail("NaN in A on " + p.label() + ": C[0, " + std::to_string(j) + "] is not NaN");
        break;
      }
    }
    compareBits("NaN in A on " + p.label(), got, want);
  }
}

}  // namespace

int main() {
  std::mt19937 rng(20261207);
  testRounding();
  const SimdLevel detected = detectedSimd();
  std::vector<Case> cases;
  const size_t shapes[][3] = {
      {1, 1, 1},    {2, 3, 5},    {7, 17, 3},   {13, 31, 64},  {12, 32, 2},   {25, 47, 385},
      {37, 33, 150}, {5, 3, 801},  {128, 10, 129}, {10, 128, 128}, {131, 97, 33}, {64, 64, 64},
      {250, 70, 390}, {49, 129, 1},
  };
  for (const auto& s : shapes) {
    for (int t = 0; t < 4; ++t) {
      cases.push_back({s[0], s[1], s[2], (t & 1) != 0, (t & 2) != 0, 1.0f, 0.0f, -1, 0.0f});
    }
  }
  // alpha, beta and the epilogues on a few shapes with several k blocks and odd edges.
  for (const auto& s : {std::array<size_t, 3>{25, 47, 385}, std::array<size_t, 3>{130, 20, 801}}) {
    cases.push_back({s[0], s[1], s[2], false, true, -0.75f, 0.5f, -1, 0.0f});
    cases.push_back({s[0], s[1], s[2], true, false, 1.0f, 1.0f, -1, 0.0f});
    cases.push_back({s[0], s[1], s[2], false, false, 2.0f, -1.0f, -1, 0.0f});
    cases.push_back({s[0], s[1], s[2], true, true, 1.0f, 0.0f, 0, 0.0f});
    cases.push_back({s[0], s[1], s[2], false, false, 1.0f, 0.0f, 1, 0.0f});
    cases.push_back({s[0], s[1], s[2], true, false, 1.0f, 0.0f, 2, 0.1f});
  }
  for (const Case& c : cases) testCase(c, rng, 1.0f);
  // Operands near 2^-64: products and sums fall below FLT_MIN, where the flush decides the bits.
  for (const Case& c : {Case{23, 41, 77, false, false, 1.0f, 0.0f, -1, 0.0f},
                        Case{40, 19, 390, true, true, 1.0f, 0.0f, -1, 0.0f}}) {
    testCase(c, rng, std::ldexp(1.0f, -63));
  }
  testNaN(rng);
  setActiveSimd(detected);
  setBf16Instructions(detectedAvx512Bf16());
  std::string labels;
  for (const Path& p : paths()) labels += (labels.empty() ? "" : ", ") + p.label();
  std::printf("paths: %s; %ld checks, %d failures\n", labels.c_str(), checks, failures);
  return failures == 0 ? 0 : 1;
}
