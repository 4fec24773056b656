// One convolution of bench/conv.js on the native kernels (native/kernels/conv.cc), called
// directly until they are registered with the addon: forward (bias, no activation), then the
// backward (input gradient and weight + bias gradients), each the fastest of the calls made in
// `seconds` after a warm-up. argv: n c h w outC k stride pad groups threads seconds. Prints one JSON line.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "../../native/denormals.h"
#include "../../native/kernels/conv.h"
#include "../../native/threadpool.h"

using namespace tg;
using Clock = std::chrono::steady_clock;

// The fastest call of those made in `seconds` (after a warm-up): on a shared machine the other
// processes only ever slow a call down, so the minimum is the kernel's own time.
template <typename F>
double msPerCall(F&& body, double seconds) {
  for (int i = 0; i < 2; ++i) body();
  double best = 1e30, elapsed = 0;
  const auto start = Clock::now();
  do {
    const auto t = Clock::now();
    body();
    const auto end = Clock::now();
    best = std::min(best, std::chrono::duration<double>(end - t).count());
    elapsed = std::chrono::duration<double>(end - start).count();
  } while (elapsed < seconds);
  return 1000.0 * best;
}

int main(int argc, char** argv) {
  if (argc != 12) {
    std::fprintf(stderr, "usage: conv_bench n c h w outC k stride pad groups threads seconds\n");
    return 2;
  }
  size_t v[10];
  for (int i = 0; i < 10; ++i) v[i] = std::strtoul(argv[i + 1], nullptr, 10);
  const double seconds = std::atof(argv[11]);
  ConvShape s{v[0], v[1], v[2], v[3], v[4], v[5], v[5], v[6], v[6], v[7], v[7], 1, 1, v[8], 0, 0};
  s.oh = (s.h + 2 * s.padH - s.kh) / s.strideH + 1;
  s.ow = (s.w + 2 * s.padW - s.kw) / s.strideW + 1;
  setNumThreads(v[9]);
  setFlushDenormals(true);
  std::mt19937 rng(1);
  std::normal_distribution<float> normal;
  auto random = [&](size_t count) {
    std::vector<float> a(count);
    for (auto& e : a) e = normal(rng);
    return a;
  };
  const auto x = random(s.n * s.c * s.h * s.w), w = random(s.outC * (s.c / s.groups) * s.kh * s.kw), bias = random(s.outC);
  const auto dy = random(s.n * s.outC * s.oh * s.ow);
  std::vector<float> y(dy.size()), dx(x.size()), dw(w.size()), db(s.outC);
  const double forward = msPerCall([&] { conv2dForward(s, x.data(), w.data(), bias.data(), Activation::None, y.data()); }, seconds);
  const double backward = msPerCall([&] {
    conv2dBackwardData(s, dy.data(), w.data(), dx.data());
    conv2dBackwardWeight(s, x.data(), dy.data(), dw.data(), db.data());
  }, seconds);
  // Each half of the backward alone too, for the profile of where the time goes.
  const double data = msPerCall([&] { conv2dBackwardData(s, dy.data(), w.data(), dx.data()); }, seconds / 2);
  const double weight = msPerCall([&] { conv2dBackwardWeight(s, x.data(), dy.data(), dw.data(), db.data()); }, seconds / 2);
  std::printf("{\"peer\": \"tensorgrad\", \"forwardMs\": %.6f, \"backwardMs\": %.6f, \"backwardDataMs\": %.6f, \"backwardWeightMs\": %.6f, \"algorithm\": \"%s\"}\n",
              forward, backward, data, weight, conv2dAlgorithm(s) == 0 ? "im2col + SGEMM" : "direct");
  return 0;
}
