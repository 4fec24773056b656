// Blocked GEMM in the BLIS manner: five loops around a register-blocked micro-kernel.
//   jc: NC columns of C   pc: KC steps of k (B block packed into NR-column panels, L3)
//   ic: MC rows of C (A block packed into MR-row panels, L2)   jr: NR columns   ir: MR rows
// Transposes are handled while packing, so one micro-kernel serves the four cases; the panels
// are padded with zeros to whole tiles and only the valid part of a tile is written back. The
// write-back applies alpha and beta (first k block) and the bias and activation (last k block)
// while the tile is hot, so gemmBiasActivation makes no second pass over C. When C is one tile
// wide, each A panel would be read once: the AVX2 and AVX-512 kernels then read A in place.
// The SIMD level picks the micro-kernel (portable 4x8, AVX2 6x16, AVX-512 12x32) and the
// blocking that suits it.
//
// Threads split C into a fixed grid of whole tiles (never k), each part computed by the same
// loops as one thread would, so the bits of C do not depend on the thread count or timing.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <new>

#include "../cpu.h"
#include "../threadpool.h"
#include "gemm.h"

namespace tg {

namespace {

// Below this many multiply-adds (about 40 µs of work) the work stays on the calling thread: a
// worker woken for less can cost more than it saves (measured with npm run bench:gemm).
constexpr size_t kParallelMinimum = size_t{1} << 21;

// Products whose A and B hold at most this many floats together (256 KiB, in L2 with room to
// spare) read both in place when they can (computeBlockDirect): packing them would cost more
// than it saves (measured with npm run bench:gemm).
constexpr size_t kDirectMaximum = size_t{1} << 16;

// The portable micro-kernel: a 4x8 tile the compiler keeps in SSE registers.
constexpr size_t kPortableMr = 4;
constexpr size_t kPortableNr = 8;

void portableMicroKernel(size_t kc, const float* a, const float* b, float* c, size_t ldc,
                         size_t rows, size_t cols, const WriteBack& w) {
  float acc[kPortableMr][kPortableNr] = {};
  for (size_t p = 0; p < kc; ++p) {
    for (size_t r = 0; r < kPortableMr; ++r) {
      const float x = a[r];
      for (size_t j = 0; j < kPortableNr; ++j) acc[r][j] += x * b[j];
    }
    a += kPortableMr;
    b += kPortableNr;
  }
  writeBackTile(&acc[0][0], kPortableNr, c, ldc, rows, cols, w);
}

// The portable PackPanel (gemm.h) for a panel W lanes wide.
template <size_t W>
void packPanel(const float* src, size_t laneStride, size_t kStride, size_t lanes, size_t kc,
               float* dst) {
  if (lanes == W && laneStride == 1) {  // W contiguous floats per step of k
    for (size_t p = 0; p < kc; ++p) std::memcpy(dst + p * W, src + p * kStride, W * sizeof(float));
  } else if (lanes == W) {  // W lanes read side by side, the panel written in order
    const float* from[W];
    for (size_t l = 0; l < W; ++l) from[l] = src + l * laneStride;
    for (size_t p = 0; p < kc; ++p, dst += W) {
      for (size_t l = 0; l < W; ++l) dst[l] = from[l][p * kStride];
    }
  } else if (laneStride == 1) {  // an edge panel, its lanes contiguous
    for (size_t p = 0; p < kc; ++p) {
      const float* in = src + p * kStride;
      float* out = dst + p * W;
      for (size_t l = 0; l < lanes; ++l) out[l] = in[l];
      for (size_t l = lanes; l < W; ++l) out[l] = 0.0f;
    }
  } else {  // an edge panel: each lane read in order, written with stride W
    for (size_t l = 0; l < lanes; ++l) {
      const float* in = src + l * laneStride;
      for (size_t p = 0; p < kc; ++p) dst[p * W + l] = in[p * kStride];
    }
    for (size_t l = lanes; l < W; ++l) {
      for (size_t p = 0; p < kc; ++p) dst[p * W + l] = 0.0f;
    }
  }
}

// A micro-kernel, its tile, the panel packers for that tile and the cache blocking around it.
struct KernelShape {
  size_t mr, nr;
  MicroKernel kernel;
  MicroKernelInPlaceA inPlaceA;  // null: always pack A
  MicroKernel transposedC;  // the kernel writing its tile transposed, or null
  MicroKernelDirect direct, directTransposedC;  // A and B read in place, or null
  PackPanel packA, packB;
  // KC steps of k; MC rows of A packed (a multiple of MR); NC columns of B (a multiple of NR).
  size_t kc, mc, nc;
};

KernelShape activeKernel() {
#ifdef TG_X86
  if (useAvx512()) {
    // 48 KiB L1d, 2 MiB L2: the MC x KC block of A (720 KiB) sits in L2 and streams through L1
    // against the KC x NR panel of B (48 KiB), which L2 refills; the KC x NC block of B (4.5
    // MiB) sits in L3. KC 256 or 512 and MC 240 or 960 measured the same within noise.
    return {avx512::kMr, avx512::kNr, avx512::microKernel, avx512::microKernelInPlaceA,
            avx512::microKernelTransposedC, avx512::microKernelDirect,
            avx512::microKernelDirectTransposedC, avx512::packA, avx512::packB, 384, 480, 3072};
  }
  if (useAvx2Code()) {
    // A KC x NR panel of B (24 KiB) stays in L1 with the MR x KC panel of A (9 KiB); the MC x
    // KC block of A (360 KiB) in L2; the KC x NC block of B (4.5 MiB) in L3.
    return {avx2::kMr, avx2::kNr, avx2::microKernel, avx2::microKernelInPlaceA, nullptr, nullptr,
            nullptr, packPanel<avx2::kMr>, packPanel<avx2::kNr>, 384, 240, 3072};
  }
#endif
  return {kPortableMr, kPortableNr, portableMicroKernel, nullptr, nullptr, nullptr, nullptr,
          packPanel<kPortableMr>, packPanel<kPortableNr>, 384, 240, 3072};
}

// Per-thread packing buffers, 64-byte aligned, grown on demand and reused across calls.
class Scratch {
 public:
  Scratch() = default;
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  ~Scratch() { release(); }
  float* get(size_t floats) {
    if (floats > capacity_) {
      release();
      data_ = static_cast<float*>(::operator new(floats * sizeof(float), std::align_val_t{64}));
      capacity_ = floats;
    }
    return data_;
  }

 private:
  void release() {
    if (data_) ::operator delete(data_, std::align_val_t{64});
    data_ = nullptr;
    capacity_ = 0;
  }
  float* data_ = nullptr;
  size_t capacity_ = 0;
};

thread_local Scratch scratchA;
thread_local Scratch scratchB;

struct Problem {
  bool transA, transB;
  size_t m, n, k;
  const float* a;
  const float* b;
  float* c;
  // Computing C^T = op(B)^T op(A)^T (m, n, a, b and the transposes swapped) with the kernel
  // that writes its tiles transposed: C(i, j) of this problem is c[j * m + i].
  bool transposedC;
  bool direct;  // A and B read in place by shape.direct (computeBlockDirect)
  WriteBack first;  // the write-back of the first k block: alpha, beta, activation
  const float* bias;  // indexed by j, or by i when transposedC
  KernelShape shape;
  size_t kc;  // the k block, balanced so the last one is not a sliver
};

// Packs rows [i0, i0 + mc) x k-range [p0, p0 + kc) of op(A) into MR-row panels, p-major within
// a panel (ap[p * MR + r]), zero rows past mc.
void packA(const Problem& q, size_t i0, size_t mc, size_t p0, size_t kc, float* ap) {
  const size_t mr = q.shape.mr;
  // A(i, p) is a[i * k + p], or a[p * m + i] when A is stored transposed.
  const size_t rowStride = q.transA ? 1 : q.k, kStride = q.transA ? q.m : 1;
  for (size_t i = 0; i < mc; i += mr, ap += mr * kc) {
    q.shape.packA(q.a + (i0 + i) * rowStride + p0 * kStride, rowStride, kStride,
                  std::min(mr, mc - i), kc, ap);
  }
}

// Packs k-range [p0, p0 + kc) x columns [j0, j0 + nc) of op(B) into NR-column panels, p-major
// within a panel (bp[p * NR + j]), zero columns past nc.
void packB(const Problem& q, size_t p0, size_t kc, size_t j0, size_t nc, float* bp) {
  const size_t nr = q.shape.nr;
  // B(p, j) is b[p * n + j], or b[j * k + p] when B is stored transposed.
  const size_t colStride = q.transB ? q.k : 1, kStride = q.transB ? 1 : q.n;
  for (size_t j = 0; j < nc; j += nr, bp += nr * kc) {
    q.shape.packB(q.b + (j0 + j) * colStride + p0 * kStride, colStride, kStride,
                  std::min(nr, nc - j), kc, bp);
  }
}

size_t roundUp(size_t x, size_t to) { return (x + to - 1) / to * to; }

// Where the tile at row i, column j of the problem's C starts, and the bias of that tile.
float* tileOfC(const Problem& q, size_t i, size_t j) {
  return q.transposedC ? q.c + j * q.m + i : q.c + i * q.n + j;
}
const float* biasOfTile(const Problem& q, size_t i, size_t j) {
  if (!q.bias) return nullptr;
  return q.transposedC ? q.bias + i : q.bias + j;
}

// Rows [r0, r1) and columns [c0, c1) of a small product, B read in place: the operands already
// sit in L2. An A panel stays in L1 while the B panels go by; A is read in place too, but for
// the edge panel, packed with zero rows so the kernel reads whole tiles.
void computeBlockDirect(const Problem& q, size_t r0, size_t r1, size_t c0, size_t c1) {
  const size_t mr = q.shape.mr, nr = q.shape.nr;
  const MicroKernelDirect kernel = q.transposedC ? q.shape.directTransposedC : q.shape.direct;
  const size_t ldc = q.transposedC ? q.m : q.n;
  const size_t rowStride = q.transA ? 1 : q.k, colStride = q.transA ? q.m : 1;
  float* edge = scratchA.get(mr * std::min(q.kc, q.k));
  for (size_t pc = 0; pc < q.k; pc += q.kc) {
    const size_t kc = std::min(q.kc, q.k - pc);
    WriteBack w = q.first;
    if (pc != 0) w.beta = 1.0f;
    w.last = pc + kc == q.k && (q.bias || q.first.activation != Activation::None);
    for (size_t i = r0; i < r1; i += mr) {
      const size_t rows = std::min(mr, r1 - i);
      const float* a = q.a + i * rowStride + pc * colStride;
      size_t aRowStride = rowStride, aColStride = colStride;
      if (rows < mr) {
        q.shape.packA(a, rowStride, colStride, rows, kc, edge);
        a = edge;
        aRowStride = 1;
        aColStride = mr;
      }
      for (size_t j = c0; j < c1; j += nr) {
        w.bias = biasOfTile(q, i, j);
        kernel(kc, a, aRowStride, aColStride, q.b + pc * q.n + j, q.n, tileOfC(q, i, j), ldc,
               rows, std::min(nr, c1 - j), w);
      }
    }
  }
}

// The five loops over rows [r0, r1) and columns [c0, c1) of C, on the calling thread.
void computeBlock(const Problem& q, size_t r0, size_t r1, size_t c0, size_t c1) {
  if (q.direct) return computeBlockDirect(q, r0, r1, c0, c1);
  const size_t mr = q.shape.mr, nr = q.shape.nr;
  const size_t kcMax = std::min(q.kc, q.k);
  const size_t mcMax = q.shape.mc, ncMax = q.shape.nc;
  float* bp = scratchB.get(kcMax * roundUp(std::min(ncMax, c1 - c0), nr));
  float* ap = scratchA.get(kcMax * roundUp(std::min(mcMax, r1 - r0), mr));
  for (size_t jc = c0; jc < c1; jc += ncMax) {
    const size_t nc = std::min(ncMax, c1 - jc);
    for (size_t pc = 0; pc < q.k; pc += q.kc) {
      const size_t kc = std::min(q.kc, q.k - pc);
      WriteBack w = q.first;
      if (pc != 0) w.beta = 1.0f;  // later k blocks add to what the first wrote
      // Plain gemm has no epilogue: its last block takes the write-back's fast paths too.
      w.last = pc + kc == q.k && (q.bias || q.first.activation != Activation::None);
      packB(q, pc, kc, jc, nc, bp);
      // One tile wide: each A panel is read once, so packing it would only copy it.
      if (nc <= nr && q.shape.inPlaceA && !q.transposedC) {
        w.bias = biasOfTile(q, 0, jc);
        const size_t rowStride = q.transA ? 1 : q.k, colStride = q.transA ? q.m : 1;
        for (size_t i = r0; i < r1; i += mr) {
          q.shape.inPlaceA(kc, q.a + i * rowStride + pc * colStride, rowStride, colStride, bp,
                           tileOfC(q, i, jc), q.n, std::min(mr, r1 - i), nc, w);
        }
        continue;
      }
      const MicroKernel kernel = q.transposedC ? q.shape.transposedC : q.shape.kernel;
      const size_t ldc = q.transposedC ? q.m : q.n;
      for (size_t ic = r0; ic < r1; ic += mcMax) {
        const size_t mc = std::min(mcMax, r1 - ic);
        packA(q, ic, mc, pc, kc, ap);
        for (size_t jr = 0; jr < nc; jr += nr) {
          const size_t cols = std::min(nr, nc - jr);
          if (!q.transposedC) w.bias = biasOfTile(q, 0, jc + jr);
          for (size_t ir = 0; ir < mc; ir += mr) {
            const size_t rows = std::min(mr, mc - ir);
            if (q.transposedC) w.bias = biasOfTile(q, ic + ir, 0);
            kernel(kc, ap + ir * kc, bp + jr * kc, tileOfC(q, ic + ir, jc + jr), ldc, rows, cols,
                   w);
          }
        }
      }
    }
  }
}

// The fixed grid of parts: rowParts x colParts, each a contiguous run of whole tiles.
struct Grid {
  const Problem* problem;
  size_t rowParts, colParts;
  size_t rowTiles, colTiles;
};

// The first tile of part `part` of `tiles` tiles split into `parts` near-equal runs.
size_t partStart(size_t tiles, size_t parts, size_t part) { return tiles * part / parts; }

void computePart(void* context, size_t index) {
  const Grid& g = *static_cast<const Grid*>(context);
  const Problem& q = *g.problem;
  const size_t row = index / g.colParts, col = index % g.colParts;
  const size_t r0 = partStart(g.rowTiles, g.rowParts, row) * q.shape.mr;
  const size_t r1 = std::min(q.m, partStart(g.rowTiles, g.rowParts, row + 1) * q.shape.mr);
  const size_t c0 = partStart(g.colTiles, g.colParts, col) * q.shape.nr;
  const size_t c1 = std::min(q.n, partStart(g.colTiles, g.colParts, col + 1) * q.shape.nr);
  if (r0 < r1 && c0 < c1) computeBlock(q, r0, r1, c0, c1);
}

// The share of a tiled product's multiply-adds that land inside C: the tiles at the edges are
// computed whole.
double tileEfficiency(size_t m, size_t n, size_t mr, size_t nr) {
  return static_cast<double>(m) / static_cast<double>(roundUp(m, mr)) * static_cast<double>(n) /
         static_cast<double>(roundUp(n, nr));
}

void run(Problem& q) {
  q.shape = activeKernel();
  // A narrow C fills a fraction of each B vector (NR = 32, or 16 for the one-vector kernel);
  // C^T = op(B)^T op(A)^T puts n along the MR rows instead, when its tiles waste clearly less.
  // Only when transA: then its B, A stored k x m, needs no transposing. Same products in the
  // same order: the same bits.
  const size_t mr = q.shape.mr, nr = q.shape.nr;
  if (q.shape.transposedC && q.transA) {
    const size_t narrow = q.n <= 16 ? 16 : nr;
    if (tileEfficiency(q.n, q.m, mr, nr) > 1.25 * tileEfficiency(q.m, q.n, mr, narrow)) {
      std::swap(q.m, q.n);
      std::swap(q.a, q.b);
      const bool transB = q.transB;
      q.transB = !q.transA;
      q.transA = !transB;
      q.transposedC = true;
    }
  }
  // Small enough to sit in L2 whole, and B's rows contiguous: read both in place. Not for a
  // narrow B, whose packing costs next to nothing and saves the kernel unaligned loads.
  q.direct = q.shape.direct && !q.transB && q.n > 16 && (q.m + q.n) * q.k <= kDirectMaximum;
  // Balanced k blocks: ceil(k / KC) blocks of near-equal size, a function of k alone.
  const size_t blocks = (q.k + q.shape.kc - 1) / q.shape.kc;
  q.kc = (q.k + blocks - 1) / blocks;
  Grid g{&q, 1, 1, (q.m + q.shape.mr - 1) / q.shape.mr, (q.n + q.shape.nr - 1) / q.shape.nr};
  const size_t threads = numThreads();
  const bool small = q.m * q.n < kParallelMinimum / q.k;  // m·n fits: C is in memory
  if (threads > 1 && !small) {
    // Every part packs its own A rows and B columns: choose the split that packs least,
    // rowParts·k·n + colParts·k·m, with at least one tile per part.
    size_t bestCost = SIZE_MAX;
    for (size_t rowParts = 1; rowParts <= threads; ++rowParts) {
      if (threads % rowParts != 0) continue;
      const size_t colParts = threads / rowParts;
      if (rowParts > g.rowTiles || colParts > g.colTiles) continue;
      const size_t cost = rowParts * q.n + colParts * q.m;
      if (cost < bestCost) {
        bestCost = cost;
        g.rowParts = rowParts;
        g.colParts = colParts;
      }
    }
  }
  parallelFor(g.rowParts * g.colParts, computePart, &g);
}

float activate(float v, Activation activation, float slope) {
  const bool keep = v > 0.0f || v != v;  // NaN passes through
  switch (activation) {
    case Activation::Relu:
      return keep ? v : 0.0f;
    case Activation::LeakyRelu:
      return keep ? v : slope * v;
    case Activation::None:
      break;
  }
  return v;
}

}  // namespace

void writeBackTile(const float* acc, size_t ldacc, float* c, size_t ldc, size_t rows,
                   size_t cols, const WriteBack& w) {
  for (size_t i = 0; i < rows; ++i) {
    float* row = c + i * ldc;
    for (size_t j = 0; j < cols; ++j) {
      float v = w.alpha == 1.0f ? acc[i * ldacc + j] : w.alpha * acc[i * ldacc + j];
      if (w.beta == 1.0f) {
        v = v + row[j];
      } else if (w.beta != 0.0f) {
        v = v + w.beta * row[j];
      }
      if (w.last) {
        if (w.bias) v = v + w.bias[j];
        v = activate(v, w.activation, w.slope);
      }
      row[j] = v;
    }
  }
}

void gemm(bool transA, bool transB, size_t m, size_t n, size_t k, float alpha, const float* a,
          const float* b, float beta, float* c) {
  const size_t size = m * n;
  if (size == 0) return;
  if (alpha == 0.0f || k == 0) {
    if (beta == 0.0f) {
      std::memset(c, 0, size * sizeof(float));  // never read C: it may hold NaN
    } else if (beta != 1.0f) {
      for (size_t i = 0; i < size; ++i) c[i] *= beta;
    }
    return;
  }
  Problem q{};
  q.transA = transA;
  q.transB = transB;
  q.m = m;
  q.n = n;
  q.k = k;
  q.a = a;
  q.b = b;
  q.c = c;
  q.first = WriteBack{alpha, beta, nullptr, Activation::None, 0.0f, false};
  q.bias = nullptr;
  run(q);
}

void gemmBiasActivation(bool transA, bool transB, size_t m, size_t n, size_t k, const float* a,
                        const float* b, const float* bias, Activation activation, float slope,
                        float* c) {
  if (m * n == 0) return;
  WriteBack w{1.0f, 0.0f, nullptr, activation, slope, true};
  if (k == 0) {  // op(A)·op(B) is zero: every row is act(0 + bias)
    static const float kZeros[64] = {};
    for (size_t j = 0; j < n; j += 64) {
      w.bias = bias + j;
      writeBackTile(kZeros, 0, c + j, n, m, std::min<size_t>(64, n - j), w);
    }
    return;
  }
  Problem q{};
  q.transA = transA;
  q.transB = transB;
  q.m = m;
  q.n = n;
  q.k = k;
  q.a = a;
  q.b = b;
  q.c = c;
  q.first = w;
  q.bias = bias;
  run(q);
}

}  // namespace tg
