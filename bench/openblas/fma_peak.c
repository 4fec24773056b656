/* The FMA peak of one core, for the benches (bench/peak.js): 12 independent chains of float FMAs
 * (more than latency x ports, so the FMA units never wait), timed over a fixed count.
 * `fma_peak avx2` times 8-wide FMAs (ymm), `fma_peak avx512` 16-wide ones (zmm: on some cores one
 * 512-bit FMA unit, or a lower clock, makes this less than twice the AVX2 figure). Prints GFLOPS =
 * 2 flops per lane x lanes x FMAs per second. `fma_peak avx512bf16` times vdpbf16ps (AVX-512
 * BF16), which adds two bfloat16 products to each of 16 float lanes: 4 flops per lane, the peak
 * of a bf16 GEMM. Each loop is compiled for its instruction set by a target attribute, so the
 * program runs on any x86-64 and only the loop asked for needs the instructions. */
#include <immintrin.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

#define CHAINS 12

__attribute__((target("avx2,fma"))) static double runAvx2(long iterations) {
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

/* Uses the chains' sums, so the compiler keeps the loop that computes them. */
__attribute__((target("avx512f"))) static void keepAlive512(const __m512* acc) {
  float sum = 0.0f, lanes[16];
  for (int i = 0; i < CHAINS; ++i) {
    _mm512_storeu_ps(lanes, acc[i]);
    for (int j = 0; j < 16; ++j) sum += lanes[j];
  }
  if (sum == 12345.0f) printf("#");
}

__attribute__((target("avx512f"))) static double runAvx512(long iterations) {
  __m512 acc[CHAINS];
  const __m512 x = _mm512_set1_ps(0.999999f), y = _mm512_set1_ps(1e-7f);
  for (int i = 0; i < CHAINS; ++i) acc[i] = _mm512_set1_ps((float)i);
  const double start = now();
  for (long it = 0; it < iterations; ++it) {
#pragma GCC unroll 12
    for (int i = 0; i < CHAINS; ++i) acc[i] = _mm512_fmadd_ps(acc[i], x, y);
  }
  const double seconds = now() - start;
  keepAlive512(acc);
  return 32.0 * CHAINS * (double)iterations / seconds / 1e9;
}

__attribute__((target("avx512f,avx512bf16"))) static double runAvx512Bf16(long iterations) {
  __m512 acc[CHAINS];
  /* bf16 pairs of 0.5 and 1e-7-ish: the sums grow slowly, never to infinity. */
  const __m512bh x = (__m512bh)_mm512_set1_epi32(0x3f003f00), y = (__m512bh)_mm512_set1_epi32(0x33d633d6);
  for (int i = 0; i < CHAINS; ++i) acc[i] = _mm512_set1_ps((float)i);
  const double start = now();
  for (long it = 0; it < iterations; ++it) {
#pragma GCC unroll 12
    for (int i = 0; i < CHAINS; ++i) acc[i] = _mm512_dpbf16_ps(acc[i], x, y);
  }
  const double seconds = now() - start;
  keepAlive512(acc);
  return 64.0 * CHAINS * (double)iterations / seconds / 1e9;
}

int main(int argc, char** argv) {
  const char* set = argc > 1 ? argv[1] : "avx2";
  const int which = strcmp(set, "avx2") == 0 ? 0 : strcmp(set, "avx512") == 0 ? 1 : strcmp(set, "avx512bf16") == 0 ? 2 : -1;
  if (which < 0) {
    fprintf(stderr, "fma_peak: Expected avx2, avx512 or avx512bf16 but received %s\n", set);
    return 2;
  }
  double best = 0.0;
  for (int trial = 0; trial < 7; ++trial) {
    const double gflops = which == 0 ? runAvx2(50000000L) : which == 1 ? runAvx512(25000000L) : runAvx512Bf16(25000000L);
    if (gflops > best) best = gflops;
  }
  printf("%.2f\n", best);
  return 0;
}
