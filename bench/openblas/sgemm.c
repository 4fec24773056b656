/* OpenBLAS side of bench/gemm.js: a small server that times cblas_sgemm (row-major). It prints
 * the kernel family OpenBLAS chose for this CPU (openblas_get_corename) and its configuration
 * line, then answers each request line "transA transB m n k seconds"
 * (transA/transB 0 or 1) with the seconds per call of one sample: the call repeated until the
 * sample lasts `seconds`, after one untimed warm-up call when the shape changes. The bench
 * alternates these samples with its own, so both see the same machine. Threads:
 * OPENBLAS_NUM_THREADS (and OPENBLAS_CORETYPE for a kernel family), set by the caller, which also
 * unsets OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE for OpenBLAS's own choice. */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Values in [-1, 1) from a linear congruential generator: no zeros or denormals to skip. */
static float* randomMatrix(float* old, size_t count, unsigned* state) {
  free(old);
  float* x = malloc(count * sizeof(float) + sizeof(float));
  if (!x) exit(2);
  for (size_t i = 0; i < count; ++i) {
    *state = *state * 1664525u + 1013904223u;
    x[i] = (float)(*state >> 8) / 8388608.0f - 1.0f;
  }
  return x;
}

int main(void) {
  printf("%s\n%s\n", openblas_get_corename(), openblas_get_config());
  fflush(stdout);
  float *a = NULL, *b = NULL, *c = NULL;
  int last[5] = {-1, -1, -1, -1, -1};
  unsigned state = 12345u;
  int ta, tb, m, n, k;
  double seconds;
  while (scanf("%d %d %d %d %d %lf", &ta, &tb, &m, &n, &k, &seconds) == 6) {
    if (m < 0 || n < 0 || k < 0 || seconds <= 0) return 2;
    const int lda = ta ? m : k, ldb = tb ? k : n; /* leading dimensions as stored */
    const enum CBLAS_TRANSPOSE opA = ta ? CblasTrans : CblasNoTrans;
    const enum CBLAS_TRANSPOSE opB = tb ? CblasTrans : CblasNoTrans;
    const int shape[5] = {ta, tb, m, n, k};
    const int fresh = memcmp(shape, last, sizeof shape) != 0;
    if (fresh) {
      a = randomMatrix(a, (size_t)m * k, &state);
      b = randomMatrix(b, (size_t)k * n, &state);
      c = randomMatrix(c, (size_t)m * n, &state);
      memcpy(last, shape, sizeof shape);
    }
#define CALL() cblas_sgemm(CblasRowMajor, opA, opB, m, n, k, 1.0f, a, lda, b, ldb, 0.0f, c, n)
    if (fresh) CALL(); /* warm-up: threads started, pages touched */
    long reps = 0;
    const double start = now();
    double elapsed;
    do {
      CALL();
      ++reps;
      elapsed = now() - start;
    } while (elapsed < seconds);
    printf("%.9g\n", elapsed / (double)reps);
    fflush(stdout);
  }
  free(a);
  free(b);
  free(c);
  return 0;
}
