// The recurrent cells' gate math: per row, the vector sigmoid and tanh of elementwise_math
// (which take the AVX2 path when the CPU has it) over each contiguous gate block, then one
// plain loop the compiler vectorizes. Rows are independent, so large batches split over the
// pool by row ranges (the result does not depend on the split).
#include "rnn.h"

#include <algorithm>

#include "../threadpool.h"
#include "elementwise.h"

namespace tg {

namespace {

// Below this many elements a step is a few microseconds: not worth waking the pool.
constexpr size_t kParallelElements = size_t{1} << 16;

template <typename RowFn>
void forRows(size_t n, size_t hidden, RowFn rowFn) {
  const size_t threads = availableThreads();
  if (threads <= 1 || n < 2 || n * hidden < kParallelElements) {
    for (size_t r = 0; r < n; ++r) rowFn(r);
    return;
  }
  struct Context {
    RowFn* fn;
    size_t n, chunk;
  };
  const size_t chunks = std::min(n, threads);
  Context context{&rowFn, n, (n + chunks - 1) / chunks};
  parallelFor(
      chunks,
      [](void* p, size_t i) {
        auto* ctx = static_cast<Context*>(p);
        const size_t end = std::min(ctx->n, (i + 1) * ctx->chunk);
        for (size_t r = i * ctx->chunk; r < end; ++r) (*ctx->fn)(r);
      },
      &context);
}

}  // namespace

void lstmCellForward(const float* pre, const float* cPrev, size_t n, size_t hidden, float* gates,
                     float* c, float* h) {
  forRows(n, hidden, [=](size_t r) {
    const float* p = pre + r * 4 * hidden;
    float* g = gates + r * 4 * hidden;
    sigmoid(p, g, 2 * hidden);  // i, f
    tanh(p + 2 * hidden, g + 2 * hidden, hidden);
    sigmoid(p + 3 * hidden, g + 3 * hidden, hidden);
    const float* cp = cPrev + r * hidden;
    float* cr = c + r * hidden;
    float* hr = h + r * hidden;
    const float *gi = g, *gf = g + hidden, *gg = g + 2 * hidden, *go = g + 3 * hidden;
    for (size_t j = 0; j < hidden; ++j) cr[j] = gf[j] * cp[j] + gi[j] * gg[j];
    tanh(cr, hr, hidden);
    for (size_t j = 0; j < hidden; ++j) hr[j] = go[j] * hr[j];
  });
}

void lstmCellBackward(const float* gates, const float* cPrev, const float* c, const float* dh,
                      const float* dc, size_t n, size_t hidden, float* dPre, float* dcPrev) {
  forRows(n, hidden, [=](size_t r) {
    const float* g = gates + r * 4 * hidden;
    const float *gi = g, *gf = g + hidden, *gg = g + 2 * hidden, *go = g + 3 * hidden;
    const float* cp = cPrev + r * hidden;
    const float* dhr = dh + r * hidden;
    const float* dcr = dc + r * hidden;
    float* d = dPre + r * 4 * hidden;
    float* dcp = dcPrev + r * hidden;
    tanh(c + r * hidden, dcp, hidden);  // tanh(c) parks in dcPrev until its slot is written
    for (size_t j = 0; j < hidden; ++j) {
      const float t = dcp[j];
      const float i = gi[j], f = gf[j], gv = gg[j], o = go[j];
      const float dct = dcr[j] + dhr[j] * o * (1.0f - t * t);
      d[j] = dct * gv * (i * (1.0f - i));
      d[hidden + j] = dct * cp[j] * (f * (1.0f - f));
      d[2 * hidden + j] = dct * i * (1.0f - gv * gv);
      d[3 * hidden + j] = dhr[j] * t * (o * (1.0f - o));
      dcp[j] = dct * f;
    }
  });
}

void gruCellForward(const float* gi, const float* gh, const float* hPrev, size_t n, size_t hidden,
                    float* work, float* h) {
  forRows(n, hidden, [=](size_t row) {
    const float* a = gi + row * 3 * hidden;
    const float* b = gh + row * 3 * hidden;
    float* w = work + row * 4 * hidden;
    // r and z pre-activations side by side, then one sigmoid over both.
    for (size_t j = 0; j < 2 * hidden; ++j) w[j] = a[j] + b[j];
    sigmoid(w, w, 2 * hidden);
    float* m = w + 2 * hidden;
    float* ghn = w + 3 * hidden;
    for (size_t j = 0; j < hidden; ++j) {
      ghn[j] = b[2 * hidden + j];
      m[j] = a[2 * hidden + j] + w[j] * ghn[j];
    }
    tanh(m, m, hidden);
    const float* z = w + hidden;
    const float* hp = hPrev + row * hidden;
    float* hr = h + row * hidden;
    for (size_t j = 0; j < hidden; ++j) hr[j] = m[j] + z[j] * (hp[j] - m[j]);
  });
}

void gruCellBackward(const float* work, const float* hPrev, const float* dh, size_t n,
                     size_t hidden, float* dgi, float* dgh, float* dhPrev) {
  forRows(n, hidden, [=](size_t row) {
    const float* w = work + row * 4 * hidden;
    const float *r = w, *z = w + hidden, *m = w + 2 * hidden, *ghn = w + 3 * hidden;
    const float* hp = hPrev + row * hidden;
    const float* d = dh + row * hidden;
    float* a = dgi + row * 3 * hidden;
    float* b = dgh + row * 3 * hidden;
    float* dhp = dhPrev + row * hidden;
    for (size_t j = 0; j < hidden; ++j) {
      const float dm = d[j] * (1.0f - z[j]) * (1.0f - m[j] * m[j]);
      const float dr = dm * ghn[j] * (r[j] * (1.0f - r[j]));
      const float dz = d[j] * (hp[j] - m[j]) * (z[j] * (1.0f - z[j]));
      a[j] = dr;
      a[hidden + j] = dz;
      a[2 * hidden + j] = dm;
      b[j] = dr;
      b[hidden + j] = dz;
      b[2 * hidden + j] = dm * r[j];
      dhp[j] = d[j] * z[j];
    }
  });
}

}  // namespace tg
