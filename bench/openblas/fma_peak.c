/* The FMA peak of one core, for bench/gemm.js: 12 independent chains of 8-wide float FMAs (more
 * than latency x ports, so the FMA units never wait), timed over a fixed count. Prints GFLOPS
 * = 16 flops per FMA x FMAs per second. Compiled with -O2 -mavx2 -mfma. */
#include <immintrin.h>
#include <stdio.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

#define CHAINS 12

static double run(long iterations) {
  __m256 acc[CHAINS];
  const __m256 x = _mm256_set1_ps(0.999999f), y = _mm256_set1_ps(1e-7f);
  for (int i = 0; i < CHAINS; ++i) acc[i] = _mm256_set1_ps((float)i);
  const double start = now();
  /* Fully unrolled so the 12 accumulators live in registers, not in memory. */
  for (long it = 0; it < iterations; ++it) {
#pragma GCC unroll 12
    for (int i = 0; i < CHAINS; ++i) acc[i] = _mm256_fmadd_ps(acc[i], x, y);
  }
  const double seconds = now() - start;
  float sum = 0.0f, lanes[8];
  for (int i = 0; i < CHAINS; ++i) {
    _mm256_storeu_ps(lanes, acc[i]);
    for (int j = 0; j < 8; ++j) sum += lanes[j];
  }
  if (sum == 12345.0f) printf("#"); /* keeps the chains alive */
  return 16.0 * CHAINS * (double)iterations / seconds / 1e9;
}

int main(void) {
  double best = 0.0;
  for (int trial = 0; trial < 7; ++trial) {
    const double gflops = run(50000000L);
    if (gflops > best) best = gflops;
  }
  printf("%.2f\n", best);
  return 0;
}
