// The blocked GEMM of gemm.cc in the BLIS manner, written once over the operands' source type S
// (what the caller's A and B hold) and the packed type P (what the micro-kernel reads): float
// and float for SGEMM (gemm.cc), float or bfloat16 bits and bfloat16 pairs or floats for the
// bfloat16 GEMM (gemm_bf16.cc). Five loops around a register-blocked micro-kernel:
//   jc: NC columns of C   pc: KC steps of k (B block packed into NR-column panels, L3)
//   ic: MC rows of C (A block packed into MR-row panels, L2)   jr: NR columns   ir: MR rows
// Transposes are handled while packing, so one micro-kernel serves the four cases; the panels
// are padded with zeros to whole tiles and only the valid part of a tile is written back. The
// write-back applies alpha and beta (first k block) and the bias and activation (last k block)
// while the tile is hot, so gemmBiasActivation makes no second pass over C. When C is one tile
// wide, each A panel would be read once: float kernels with an in-place variant then read A
// where it is. Float products of one row tile with B not transposed read B in place too (each
// B panel would be packed to be read once), and those of at most kGemvMaxRows rows with B
// stored transposed and k long enough take the shape's GEMV kernel (runGemv: dot products along
// k, nothing packed, summed in another order than the blocked loops, within gemm's bound).
//
// Threads split C into a fixed grid of whole tiles (never k), each part computed by the same
// loops as one thread would, so the bits of C do not depend on the thread count or timing. The k
// blocks are a function of k alone (and of the shape's KC, the same on every SIMD path of one
// element type), so neither do they depend on which SIMD path ran.
//
// Compiled by the portable units only (the per-ISA units supply the kernels and packers through
// the function pointers of a KernelShape).
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "../threadpool.h"
#include "gemm.h"

namespace tg {
namespace blocked {

// Below this many multiply-adds (about 40 µs of work) the work stays on the calling thread: a
// worker woken for less can cost more than it saves (measured with npm run bench:gemm).
constexpr size_t kParallelMinimum = size_t{1} << 21;

// Products whose A and B hold at most this many floats together (256 KiB, in L2 with room to
// spare) read both in place when they can (computeBlockDirect): packing them would cost more
// than it saves (measured with npm run bench:gemm).
constexpr size_t kDirectMaximum = size_t{1} << 16;

// Products of at most kGemvMaxRows rows with B stored transposed take the GEMV kernel (runGemv)
// when the shape has one: their B, read once per group of four rows of A straight from where it
// is, would otherwise be packed whole to be read as often. But the GEMV adds the lanes of each
// element of C where packing costs per element of B: it needs k ≥ shape.gemvStepsPerRow · m to
// win (measured with node bench/gemv.js and n = 1000, k = 8..128, m = 1..8: 8 on avx512, whose
// sums take 4 or 8 vectors at once, 16 on avx2, 0 on the portable level, whose packed GEMM is
// the slowest).
constexpr size_t kGemvMaxRows = 8;

// The portable micro-kernel: a 4x8 tile the compiler keeps in SSE registers over panels packed
// p-major; kMadd(acc, a, b) is one step of an element (SGEMM: acc + a·b, rounded twice).
constexpr size_t kPortableMr = 4;
constexpr size_t kPortableNr = 8;

template <float (*kMadd)(float, float, float)>
void portableMicroKernel(size_t kc, const float* a, const float* b, float* c, size_t ldc,
                         size_t rows, size_t cols, const WriteBack& w) {
  float acc[kPortableMr][kPortableNr] = {};
  for (size_t p = 0; p < kc; ++p) {
    for (size_t r = 0; r < kPortableMr; ++r) {
      const float x = a[r];
      for (size_t j = 0; j < kPortableNr; ++j) acc[r][j] = kMadd(acc[r][j], x, b[j]);
    }
    a += kPortableMr;
    b += kPortableNr;
  }
  writeBackTile(&acc[0][0], kPortableNr, c, ldc, rows, cols, w);
}

template <class P>
using MicroKernelOf = void (*)(size_t kc, const P* a, const P* b, float* c, size_t ldc,
                               size_t rows, size_t cols, const WriteBack& w);
// PackPanel (gemm.h) from source elements S into packed elements P; kc is the real number of
// steps, the panel holds it rounded up to the shape's depth (the padding zeros).
template <class S, class P>
using PackPanelOf = void (*)(const S* src, size_t laneStride, size_t kStride, size_t lanes,
                             size_t kc, P* dst);

// A micro-kernel, its tile, the panel packers for that tile and the cache blocking around it.
template <class S, class P>
struct KernelShape {
  size_t mr, nr;
  MicroKernelOf<P> kernel;
  MicroKernelInPlaceA inPlaceA;  // null: always pack A (float only)
  MicroKernelOf<P> transposedC;  // the kernel writing its tile transposed, or null
  MicroKernelDirect direct, directTransposedC;  // A and B read in place, or null (float only)
  GemvTransB gemvTransB;  // small m with B stored transposed (runGemv), or null (float only)
  size_t gemvStepsPerRow;  // the GEMV serves k ≥ gemvStepsPerRow · m only
  PackPanelOf<S, P> packA, packB;
  // KC steps of k; MC rows of A packed (a multiple of MR); NC columns of B (a multiple of NR).
  size_t kc, mc, nc;
  // Steps of k a packed group holds (2 for bfloat16 pairs): k blocks start at multiples of it
  // and panels hold whole groups.
  size_t depth;
};

// Per-thread packing buffers, 64-byte aligned, grown on demand and reused across calls (gemm.cc):
// which = 0 for A, 1 for B.
void* scratch(int which, size_t bytes);

template <class S, class P>
struct Problem {
  bool transA, transB;
  size_t m, n, k;
  const S* a;
  const S* b;
  float* c;
  // Computing C^T = op(B)^T op(A)^T (m, n, a, b and the transposes swapped) with the kernel
  // that writes its tiles transposed: C(i, j) of this problem is c[j * m + i].
  bool transposedC;
  bool direct;  // A and B read in place by shape.direct (computeBlockDirect)
  WriteBack first;  // the write-back of the first k block: alpha, beta, activation
  const float* bias;  // indexed by j, or by i when transposedC
  KernelShape<S, P> shape;
  size_t kc;  // the k block, balanced so the last one is not a sliver (a multiple of depth)
};

// Whether a problem's kernels may read its operands in place: float in, float packed.
template <class S, class P>
constexpr bool kInPlace = std::is_same<S, float>::value && std::is_same<P, float>::value;

inline size_t roundUp(size_t x, size_t to) { return (x + to - 1) / to * to; }

// Packs rows [i0, i0 + mc) x k-range [p0, p0 + kc) of op(A) into MR-row panels, p-major within
// a panel (ap[p * MR + r]), zero rows past mc; each panel holds kc rounded up to the depth.
template <class S, class P>
void packA(const Problem<S, P>& q, size_t i0, size_t mc, size_t p0, size_t kc, P* ap) {
  const size_t mr = q.shape.mr, panel = mr * roundUp(kc, q.shape.depth);
  // A(i, p) is a[i * k + p], or a[p * m + i] when A is stored transposed.
  const size_t rowStride = q.transA ? 1 : q.k, kStride = q.transA ? q.m : 1;
  for (size_t i = 0; i < mc; i += mr, ap += panel) {
    q.shape.packA(q.a + (i0 + i) * rowStride + p0 * kStride, rowStride, kStride,
                  std::min(mr, mc - i), kc, ap);
  }
}

// Packs k-range [p0, p0 + kc) x columns [j0, j0 + nc) of op(B) into NR-column panels, p-major
// within a panel (bp[p * NR + j]), zero columns past nc.
template <class S, class P>
void packB(const Problem<S, P>& q, size_t p0, size_t kc, size_t j0, size_t nc, P* bp) {
  const size_t nr = q.shape.nr, panel = nr * roundUp(kc, q.shape.depth);
  // B(p, j) is b[p * n + j], or b[j * k + p] when B is stored transposed.
  const size_t colStride = q.transB ? q.k : 1, kStride = q.transB ? 1 : q.n;
  for (size_t j = 0; j < nc; j += nr, bp += panel) {
    q.shape.packB(q.b + (j0 + j) * colStride + p0 * kStride, colStride, kStride,
                  std::min(nr, nc - j), kc, bp);
  }
}

// Where the tile at row i, column j of the problem's C starts, and the bias of that tile.
template <class S, class P>
float* tileOfC(const Problem<S, P>& q, size_t i, size_t j) {
  return q.transposedC ? q.c + j * q.m + i : q.c + i * q.n + j;
}
template <class S, class P>
const float* biasOfTile(const Problem<S, P>& q, size_t i, size_t j) {
  if (!q.bias) return nullptr;
  return q.transposedC ? q.bias + i : q.bias + j;
}

// The write-back of the k block [pc, pc + kc): later blocks add to what the first wrote; only
// the last applies an epilogue (plain gemm has none, so its last block takes the write-back's
// fast paths too).
template <class S, class P>
WriteBack blockWriteBack(const Problem<S, P>& q, size_t pc, size_t kc) {
  WriteBack w = q.first;
  if (pc != 0) w.beta = 1.0f;
  w.last = pc + kc == q.k && (q.bias || q.first.activation != Activation::None);
  return w;
}

// Rows [r0, r1) and columns [c0, c1) of a small product, B read in place: the operands already
// sit in L2. An A panel stays in L1 while the B panels go by; A is read in place too, but for
// the edge panel, packed with zero rows so the kernel reads whole tiles.
inline void computeBlockDirect(const Problem<float, float>& q, size_t r0, size_t r1, size_t c0,
                               size_t c1) {
  const size_t mr = q.shape.mr, nr = q.shape.nr;
  const MicroKernelDirect kernel = q.transposedC ? q.shape.directTransposedC : q.shape.direct;
  const size_t ldc = q.transposedC ? q.m : q.n;
  const size_t rowStride = q.transA ? 1 : q.k, colStride = q.transA ? q.m : 1;
  float* edge = static_cast<float*>(scratch(0, mr * std::min(q.kc, q.k) * sizeof(float)));
  for (size_t pc = 0; pc < q.k; pc += q.kc) {
    const size_t kc = std::min(q.kc, q.k - pc);
    WriteBack w = blockWriteBack(q, pc, kc);
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

// The first tile of part `part` of `tiles` tiles split into `parts` near-equal runs.
inline size_t partStart(size_t tiles, size_t parts, size_t part) { return tiles * part / parts; }

// A product run by shape.gemvTransB: A's rows contiguous along k (op(A) stored transposed is
// first copied into rows), C split by columns, whole blocks of gemv::kBlock columns per part.
struct Gemv {
  const Problem<float, float>* problem;
  const float* a;  // op(A), m rows of k
  WriteBack w;
  size_t blocks, parts;
};
constexpr size_t kGemvColumns = 8;  // gemm_gemv.h's kBlock: the parts' columns are multiples

inline void gemvPart(void* context, size_t part) {
  const Gemv& g = *static_cast<const Gemv*>(context);
  const Problem<float, float>& q = *g.problem;
  const size_t j0 = partStart(g.blocks, g.parts, part) * kGemvColumns;
  const size_t j1 = std::min(q.n, partStart(g.blocks, g.parts, part + 1) * kGemvColumns);
  if (j0 >= j1) return;
  WriteBack w = g.w;
  if (w.bias) w.bias += j0;
  q.shape.gemvTransB(q.m, j1 - j0, q.k, g.a, q.k, q.b + j0 * q.k, q.k, q.c + j0, q.n, w);
}

// Small m, B stored transposed (n x k): C(i, j) = dot(op(A) row i, B row j), all of k at once,
// then the write-back of gemm.h's WriteBack with the epilogue. Each element's operations do not
// depend on the split, so neither do the bits on the thread count.
inline void runGemv(const Problem<float, float>& q) {
  Gemv g{&q, q.a, q.first, (q.n + kGemvColumns - 1) / kGemvColumns, 1};
  if (q.transA) {  // A stored k x m: its m rows gathered, m·k floats against B's n·k
    float* rows = static_cast<float*>(scratch(0, q.m * q.k * sizeof(float)));
    for (size_t p = 0; p < q.k; ++p) {
      for (size_t i = 0; i < q.m; ++i) rows[i * q.k + p] = q.a[p * q.m + i];
    }
    g.a = rows;
  }
  g.w.bias = q.bias;
  g.w.last = q.bias || q.first.activation != Activation::None;
  const size_t threads = availableThreads();
  if (threads > 1 && q.m * q.n * q.k >= kParallelMinimum) g.parts = std::min(threads, g.blocks);
  parallelFor(g.parts, gemvPart, &g);
}

// The five loops over rows [r0, r1) and columns [c0, c1) of C, on the calling thread.
template <class S, class P>
void computeBlock(const Problem<S, P>& q, size_t r0, size_t r1, size_t c0, size_t c1) {
  if constexpr (kInPlace<S, P>) {
    if (q.direct) return computeBlockDirect(q, r0, r1, c0, c1);
  }
  const size_t mr = q.shape.mr, nr = q.shape.nr;
  const size_t kcMax = roundUp(std::min(q.kc, q.k), q.shape.depth);
  const size_t mcMax = q.shape.mc, ncMax = q.shape.nc;
  P* bp = static_cast<P*>(scratch(1, kcMax * roundUp(std::min(ncMax, c1 - c0), nr) * sizeof(P)));
  P* ap = static_cast<P*>(scratch(0, kcMax * roundUp(std::min(mcMax, r1 - r0), mr) * sizeof(P)));
  for (size_t jc = c0; jc < c1; jc += ncMax) {
    const size_t nc = std::min(ncMax, c1 - jc);
    for (size_t pc = 0; pc < q.k; pc += q.kc) {
      const size_t kc = std::min(q.kc, q.k - pc);
      const size_t steps = roundUp(kc, q.shape.depth);  // what the panels hold
      WriteBack w = blockWriteBack(q, pc, kc);
      packB(q, pc, kc, jc, nc, bp);
      if constexpr (kInPlace<S, P>) {
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
      }
      const MicroKernelOf<P> kernel = q.transposedC ? q.shape.transposedC : q.shape.kernel;
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
            kernel(steps, ap + ir * steps, bp + jr * steps, tileOfC(q, ic + ir, jc + jr), ldc,
                   rows, cols, w);
          }
        }
      }
    }
  }
}

// The fixed grid of parts: rowParts x colParts, each a contiguous run of whole tiles.
template <class S, class P>
struct Grid {
  const Problem<S, P>* problem;
  size_t rowParts, colParts;
  size_t rowTiles, colTiles;
};


template <class S, class P>
void computePart(void* context, size_t index) {
  const Grid<S, P>& g = *static_cast<const Grid<S, P>*>(context);
  const Problem<S, P>& q = *g.problem;
  const size_t row = index / g.colParts, col = index % g.colParts;
  const size_t r0 = partStart(g.rowTiles, g.rowParts, row) * q.shape.mr;
  const size_t r1 = std::min(q.m, partStart(g.rowTiles, g.rowParts, row + 1) * q.shape.mr);
  const size_t c0 = partStart(g.colTiles, g.colParts, col) * q.shape.nr;
  const size_t c1 = std::min(q.n, partStart(g.colTiles, g.colParts, col + 1) * q.shape.nr);
  if (r0 < r1 && c0 < c1) computeBlock(q, r0, r1, c0, c1);
}

// The share of a tiled product's multiply-adds that land inside C: the tiles at the edges are
// computed whole.
inline double tileEfficiency(size_t m, size_t n, size_t mr, size_t nr) {
  return static_cast<double>(m) / static_cast<double>(roundUp(m, mr)) * static_cast<double>(n) /
         static_cast<double>(roundUp(n, nr));
}

// Runs a problem whose shape is set: m, n, k > 0.
template <class S, class P>
void run(Problem<S, P>& q) {
  // A narrow C fills a fraction of each B vector (NR = 32, or 16 for the one-vector kernel);
  // C^T = op(B)^T op(A)^T puts n along the MR rows instead, when its tiles waste clearly less.
  // Only when transA: then its B, A stored k x m, needs no transposing. Same products in the
  // same order: the same bits.
  if constexpr (kInPlace<S, P>) {
    if (q.shape.gemvTransB && q.transB && q.m <= kGemvMaxRows &&
        q.k >= q.shape.gemvStepsPerRow * q.m) {
      return runGemv(q);
    }
  }
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
  // Small enough to sit in L2 whole, or one row tile (each B panel would be packed to be read
  // once), and B's rows contiguous: read both in place. Not for a narrow B, whose packing costs
  // next to nothing and saves the kernel unaligned loads.
  q.direct = q.shape.direct && !q.transB && q.n > 16 &&
             ((q.m + q.n) * q.k <= kDirectMaximum || q.m <= mr);
  // Balanced k blocks: ceil(k / KC) blocks of near-equal size, a function of k alone, each
  // starting at a multiple of the depth.
  const size_t blocks = (q.k + q.shape.kc - 1) / q.shape.kc;
  q.kc = roundUp((q.k + blocks - 1) / blocks, q.shape.depth);
  Grid<S, P> g{&q, 1, 1, (q.m + q.shape.mr - 1) / q.shape.mr, (q.n + q.shape.nr - 1) / q.shape.nr};
  const size_t threads = availableThreads();
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
  parallelFor(g.rowParts * g.colParts, computePart<S, P>, &g);
}

// A problem on `shape` with its first write-back and bias.
template <class S, class P>
void run(const KernelShape<S, P>& shape, bool transA, bool transB, size_t m, size_t n, size_t k,
         const S* a, const S* b, float* c, const WriteBack& first, const float* bias) {
  Problem<S, P> q{};
  q.transA = transA;
  q.transB = transB;
  q.m = m;
  q.n = n;
  q.k = k;
  q.a = a;
  q.b = b;
  q.c = c;
  q.first = first;
  q.bias = bias;
  q.shape = shape;
  run(q);
}

// C = alpha · op(A) · op(B) + beta · C on `shape`, with gemm's semantics for empty products
// (gemm.h): alpha == 0 or k == 0 leaves beta · C without reading A or B; beta == 0 never reads C.
template <class S, class P>
void gemm(const KernelShape<S, P>& shape, bool transA, bool transB, size_t m, size_t n, size_t k,
          float alpha, const S* a, const S* b, float beta, float* c) {
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
  run(shape, transA, transB, m, n, k, a, b, c,
      WriteBack{alpha, beta, nullptr, Activation::None, 0.0f, false}, nullptr);
}

// C = act(op(A) · op(B) + bias) on `shape` (gemmBiasActivation of gemm.h).
template <class S, class P>
void gemmBiasActivation(const KernelShape<S, P>& shape, bool transA, bool transB, size_t m,
                        size_t n, size_t k, const S* a, const S* b, const float* bias,
                        Activation activation, float slope, float* c) {
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
  run(shape, transA, transB, m, n, k, a, b, c, w, bias);
}

}  // namespace blocked
}  // namespace tg
