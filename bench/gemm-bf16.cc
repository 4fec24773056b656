// The C++ side of bench/gemm-bf16.js: times the bfloat16 GEMM (native/kernels/gemm_bf16.h, not
// yet registered with the addon) against SGEMM on the same shapes, in one process, samples of the
// columns alternating so a burst of load from elsewhere hits them alike. Arguments: threads,
// samples, seconds per sample, then shapes "transA transB m n k" (0/1 for the transposes). Prints
// one line per shape: the median seconds per call of sgemm, bf16 (AVX-512 BF16 where the CPU has
// it) and bf16 emulated (the same numbers without the BF16 instructions), and whether bf16 ran on
// vdpbf16ps.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "../native/cpu.h"
#include "../native/kernels/gemm.h"
#include "../native/kernels/gemm_bf16.h"
#include "../native/threadpool.h"

namespace {

double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Seconds per call of one sample: the call repeated until the sample lasts `seconds`.
template <class F>
double sample(F call, double seconds) {
  const double start = now();
  long reps = 0;
  double elapsed;
  do {
    call();
    ++reps;
    elapsed = now() - start;
  } while (elapsed < seconds);
  return elapsed / static_cast<double>(reps);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4 || (argc - 4) % 5 != 0) {
    std::fprintf(stderr, "gemm-bf16: Expected threads samples seconds, then shapes of 5 numbers\n");
    return 2;
  }
  const size_t threads = std::strtoul(argv[1], nullptr, 10);
  const int samples = std::atoi(argv[2]);
  const double seconds = std::atof(argv[3]);
  tg::setNumThreads(threads);
  const bool hardware = tg::detectedAvx512Bf16();
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  for (int s = 4; s < argc; s += 5) {
    const bool transA = std::atoi(argv[s]) != 0, transB = std::atoi(argv[s + 1]) != 0;
    const size_t m = std::strtoul(argv[s + 2], nullptr, 10), n = std::strtoul(argv[s + 3], nullptr, 10),
                 k = std::strtoul(argv[s + 4], nullptr, 10);
    std::vector<float> a(m * k), b(k * n), c(m * n);
    for (float& x : a) x = dist(rng);
    for (float& x : b) x = dist(rng);
    auto sgemm = [&] { tg::gemm(transA, transB, m, n, k, 1.0f, a.data(), b.data(), 0.0f, c.data()); };
    auto bf16 = [&] {
      tg::setBf16Instructions(hardware);
      tg::gemmBf16(transA, transB, m, n, k, 1.0f, a.data(), b.data(), 0.0f, c.data());
    };
    auto emulated = [&] {
      tg::setBf16Instructions(false);
      tg::gemmBf16(transA, transB, m, n, k, 1.0f, a.data(), b.data(), 0.0f, c.data());
    };
    sgemm();
    bf16();
    emulated();
    std::vector<double> times[3];
    for (int i = 0; i < samples; ++i) {
      // Rotate which goes first, so none always runs on a cache another warmed.
      for (int j = 0; j < 3; ++j) {
        const int which = (i + j) % 3;
        times[which].push_back(which == 0   ? sample(sgemm, seconds)
                               : which == 1 ? sample(bf16, seconds)
                                            : sample(emulated, seconds));
      }
    }
    std::printf("%d %d %zu %zu %zu %.9g %.9g %.9g %d\n", transA, transB, m, n, k, median(times[0]),
                median(times[1]), median(times[2]), hardware ? 1 : 0);
    std::fflush(stdout);
  }
  return 0;
}
