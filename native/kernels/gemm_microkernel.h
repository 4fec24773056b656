// The register-blocked micro-kernel of gemm.cc's blocked GEMM, written once over a vector width
// and an operand element type, and instantiated by each per-ISA unit with its own traits
// (gemm_avx2.cc: 6x16 in ymm registers, gemm_avx512.cc: 12x32 in zmm registers). An MR x NR tile
// of C (NR = kVectors vectors per row) stays in registers while the k loop streams the A and B
// panels past it; then the write-back (alpha, beta, bias, activation) while it is still there.
//
// What an instantiation supplies, one struct K with:
//   K::V, the vector traits: Vec, Mask, kWidth; zero, set1, broadcast, load, loadAligned,
//     loadMasked (lanes outside the mask read as 0 and touch no memory), store, storeMasked, add,
//     mul, lanes(cols, first) (the mask of the lanes of `first`.. below `cols`), relu and
//     leakyRelu (NaN passes, as writeBackTile), and transpose (kWidth rows in place) for the
//     transposed write-back.
//   K::E, the element traits: the operand type, kDepth (steps of k one multiply-add covers),
//     broadcast (one row of A's operand, to every lane), loadB / loadBMasked (one vector of a B
//     row) and madd (acc + a·b). Fp32<V> below is the float one: kDepth 1, one FMA. A bfloat16
//     one (AVX-512 BF16) is kDepth 2: its panels hold pairs along k, broadcast reads a pair of A
//     as 32 bits, madd is vdpbf16ps; the accumulators and so the write-back stay float.
//   K::kMr, K::kVectors: the tile; K::Rows: RowCounts<...> of the row counts below MR that get a
//     kernel of their own (edge tiles with few rows skip the FMAs of the others);
//     K::kPrefetchSteps: how many steps before the end of the k loop the tile of C is fetched
//     into L1 (0: at the start); K::kFlushSubnormals: the k loop runs with MXCSR's FTZ and DAZ
//     set and rounding to nearest even, which makes each FMA the one step of vdpbf16ps (for the
//     emulated bfloat16 GEMM, gemm_bf16.cc); the write-back runs under the caller's MXCSR.
//
// Everything here is in an unnamed namespace: each unit compiles its own copy with its own -m
// flags, and no function of it can become the copy the linker keeps for another unit (which
// would then run AVX-512 code on an AVX2 CPU). Include it only from one ISA's unit, after
// <immintrin.h>; it includes no standard header with code for the same reason.
#pragma once

#include <cstddef>

#include "gemm.h"

namespace tg {
namespace microkernel {
namespace {

// The vector traits' operations that AVX2 and AVX-512 spell alike but for the intrinsics' prefix
// (_mm256, _mm512): expanded inside a traits struct that has declared Vec. broadcast reads the
// float and sets it: _mm256_broadcast_ss, a builtin taking the pointer, would make the compiler
// assume it may read the accumulators, which it would then keep in memory.
#define TG_GEMM_VECTOR_OPS(prefix)                                          \
  static Vec zero() { return prefix##_setzero_ps(); }                       \
  static Vec set1(float x) { return prefix##_set1_ps(x); }                  \
  static Vec broadcast(const float* p) { return prefix##_set1_ps(*p); }     \
  static Vec load(const float* p) { return prefix##_loadu_ps(p); }          \
  static Vec loadAligned(const float* p) { return prefix##_load_ps(p); }    \
  static void store(float* p, Vec v) { prefix##_storeu_ps(p, v); }          \
  static Vec add(Vec a, Vec b) { return prefix##_add_ps(a, b); }            \
  static Vec mul(Vec a, Vec b) { return prefix##_mul_ps(a, b); }            \
  static Vec fmadd(Vec a, Vec b, Vec c) { return prefix##_fmadd_ps(a, b, c); }

// The row counts below MR with a kernel of their own, ascending.
template <size_t... kRows>
struct RowCounts {};

// Holds the accumulators in registers at this point: the FMAs computing them cannot move across
// it, nor so across the MXCSR writes (volatile too) around it.
template <class Vec, size_t kRows, size_t kCols>
void pin(Vec (&acc)[kRows][kCols]) {
#pragma GCC unroll 16
  for (size_t r = 0; r < kRows; ++r) {
#pragma GCC unroll 4
    for (size_t h = 0; h < kCols; ++h) __asm__ volatile("" : "+v"(acc[r][h]));
  }
}

inline unsigned readMxcsr() {
  unsigned csr;
  __asm__ volatile("stmxcsr %0" : "=m"(csr));
  return csr;
}

inline void writeMxcsr(unsigned csr) { __asm__ volatile("ldmxcsr %0" : : "m"(csr)); }

// MXCSR: flush-to-zero (bit 15) and denormals-are-zero (bit 6); the rounding control (13, 14).
constexpr unsigned kFlushBits = 0x8040, kRoundingBits = 0x6000;

// Float operands: one step of k is one broadcast of A and one FMA per vector of B.
template <class V>
struct Fp32 {
  using Element = float;
  using Vec = typename V::Vec;
  static constexpr size_t kDepth = 1;
  static Vec broadcast(const float* a) { return V::broadcast(a); }
  static Vec loadB(const float* b) { return V::loadAligned(b); }
  static Vec loadBMasked(typename V::Mask mask, const float* b) { return V::loadMasked(mask, b); }
  static Vec madd(Vec acc, Vec a, Vec b) { return V::fmadd(a, b, acc); }
};

// The same operations, in the same order, as writeBackTile in gemm.cc, on one vector of a row
// of C: only the lanes of `mask` are read.
template <class V>
typename V::Vec finish(typename V::Vec acc, const float* c, const float* bias, const WriteBack& w,
                       typename V::Mask mask) {
  typename V::Vec v = w.alpha == 1.0f ? acc : V::mul(V::set1(w.alpha), acc);
  if (w.beta == 1.0f) {
    v = V::add(v, V::loadMasked(mask, c));
  } else if (w.beta != 0.0f) {
    v = V::add(v, V::mul(V::set1(w.beta), V::loadMasked(mask, c)));
  }
  if (!w.last) return v;
  if (bias) v = V::add(v, V::loadMasked(mask, bias));
  switch (w.activation) {
    case Activation::Relu:
      return V::relu(v);
    case Activation::LeakyRelu:
      return V::leakyRelu(v, V::set1(w.slope));
    case Activation::None:
      break;
  }
  return v;
}

// Writes the tile (acc[r][h]: row r, columns h·W .. h·W + W - 1) into the rows x cols valid part
// of C: plain loads and stores for a full tile, masked ones at an edge.
template <class K>
void writeTile(const typename K::V::Vec (*acc)[K::kVectors], float* c, size_t ldc, size_t rows,
               size_t cols, const WriteBack& parameters) {
  using V = typename K::V;
  using Vec = typename V::Vec;
  constexpr size_t W = V::kWidth, kMr = K::kMr, kVectors = K::kVectors;
  // A copy the stores into C cannot alias, so its tests stay in registers.
  const WriteBack w = parameters;
  const bool full = rows == kMr && cols == kVectors * W;
  if (full && w.alpha == 1.0f && !w.last && (w.beta == 0.0f || w.beta == 1.0f)) {
    // The write-backs of plain gemm's k blocks: the first stores the sum (beta = 0), the later
    // ones add to it (beta = 1); nothing tested per vector.
    const bool add = w.beta == 1.0f;
    for (size_t r = 0; r < kMr; ++r) {
      float* row = c + r * ldc;
      Vec v[kVectors];
      for (size_t h = 0; h < kVectors; ++h) {
        v[h] = add ? V::add(acc[r][h], V::load(row + h * W)) : acc[r][h];
      }
      for (size_t h = 0; h < kVectors; ++h) V::store(row + h * W, v[h]);
    }
    return;
  }
  if (full) {
    // Any other full tile: what finish() does, its tests and constants taken out of the loop.
    const bool scale = w.alpha != 1.0f, addC = w.beta != 0.0f, scaleC = addC && w.beta != 1.0f;
    const bool addBias = w.last && w.bias;
    const Activation activation = w.last ? w.activation : Activation::None;
    const Vec alpha = V::set1(w.alpha), beta = V::set1(w.beta), slope = V::set1(w.slope);
    Vec bias[kVectors];
    for (size_t h = 0; h < kVectors; ++h) bias[h] = addBias ? V::load(w.bias + h * W) : V::zero();
    for (size_t r = 0; r < kMr; ++r) {
      for (size_t h = 0; h < kVectors; ++h) {
        float* at = c + r * ldc + h * W;
        Vec v = scale ? V::mul(alpha, acc[r][h]) : acc[r][h];
        if (addC) {
          const Vec old = V::load(at);
          v = V::add(v, scaleC ? V::mul(beta, old) : old);
        }
        if (addBias) v = V::add(v, bias[h]);
        if (activation == Activation::Relu) v = V::relu(v);
        if (activation == Activation::LeakyRelu) v = V::leakyRelu(v, slope);
        V::store(at, v);
      }
    }
    return;
  }
  typename V::Mask mask[kVectors];
  for (size_t h = 0; h < kVectors; ++h) mask[h] = V::lanes(cols, h * W);
  for (size_t r = 0; r < rows; ++r) {
    for (size_t h = 0; h < kVectors && h * W < cols; ++h) {
      float* at = c + r * ldc + h * W;
      const float* bias = w.bias ? w.bias + h * W : nullptr;
      V::storeMasked(at, mask[h], finish<V>(acc[r][h], at, bias, w, mask[h]));
    }
  }
}

// Writes the tile transposed: tile row r, column x into c[x * ldc + r], for r < rows and
// x < cols, with the bias indexed by r. W x W transposes (the tile's rows padded with zeros)
// turn the columns of the tile into rows of C, then each is finished as writeTile does.
template <class K>
void writeTileTransposed(const typename K::V::Vec (*acc)[K::kVectors], float* c, size_t ldc,
                         size_t rows, size_t cols, const WriteBack& parameters) {
  using V = typename K::V;
  constexpr size_t W = V::kWidth;
  static_assert(K::kMr <= W, "a tile's rows must fit one vector to be written transposed");
  const WriteBack w = parameters;
  typename V::Vec half[K::kVectors][W];
  for (size_t h = 0; h < K::kVectors && W * h < cols; ++h) {
    for (size_t r = 0; r < W; ++r) half[h][r] = r < K::kMr ? acc[r][h] : V::zero();
    V::transpose(half[h]);
  }
  const typename V::Mask mask = V::lanes(rows, 0);
  for (size_t x = 0; x < cols; ++x) {
    float* at = c + x * ldc;
    V::storeMasked(at, mask, finish<V>(half[x / W][x % W], at, w.bias, w, mask));
  }
}

// Prefetches `lines` rows of `length` floats of C (row stride ldc) into L1, or L2: the first and
// last cache line of each, and the middle one when a row may span three (kWide: rows of more
// than 16 floats).
template <bool kL1, bool kWide>
void prefetchTile(const float* c, size_t ldc, size_t lines, size_t length) {
  for (size_t r = 0; r < lines; ++r) {
    const char* row = reinterpret_cast<const char*>(c + r * ldc);
    _mm_prefetch(row, kL1 ? _MM_HINT_T0 : _MM_HINT_T1);
    if (kWide) _mm_prefetch(row + (length - 1) * 2, kL1 ? _MM_HINT_T0 : _MM_HINT_T1);
    _mm_prefetch(row + (length - 1) * 4, kL1 ? _MM_HINT_T0 : _MM_HINT_T1);
  }
}

// Keeps a pointer in a general register: left alone, the vectorizer packs the base pointers
// of a Strided A into one vector register and spills it in the k loop.
template <class P>
void keepInRegister(P& pointer) {
#if defined(__GNUC__)
  __asm__("" : "+r"(pointer));
#else
  (void)pointer;
#endif
}

// How the micro-kernel reads A(r, p), r < MR:
//   Packed: a[p * MR + r], a packed panel (zero rows past the valid ones): the step a constant.
//   Contiguous: a[p * step + r], all MR rows readable (A stored transposed, a whole tile of rows).
//   Strided: a[r * rowStride + p * step], all MR rows readable. The rows are addressed from a
//     base pointer per three rows and one scaled stride, so the loop needs MR / 3 + 1 general
//     registers, not MR.
//   Clamped: as Strided, but rows past `rows` read row 0 (their results are never written),
//     through one pointer per row: for the edge tile of A read in place.
enum class AMode { Packed, Contiguous, Strided, Clamped };

// The micro-kernel and its variants, all doing the same multiply-adds in the same order, so an
// element's bits do not depend on which variant computed it:
//   kA: how A is read (AMode).
//   kPackedB: B(p, j) = b[p * NR + j], a packed panel (aligned, zero-padded); otherwise read in
//     place, B(p, j) = b[p * ldb + j], columns past `cols` masked off.
//   kVectors: vectors per row of the tile, K::kVectors or 1 (a tile at most W columns wide).
//   kTransposedC: the tile goes to C transposed (writeTileTransposed).
//   kRows: the rows computed, the others left zero: for tiles known to have at most kRows.
// With kDepth > 1 (paired elements), `step`, the offsets and kc count elements, kDepth per step.
template <class K, AMode kA, bool kPackedB, size_t kVectors, bool kTransposedC, size_t kRows>
void kernel(size_t kc, const typename K::E::Element* a, size_t rowStride, size_t step,
            const typename K::E::Element* b, size_t ldb, float* c, size_t ldc, size_t rows,
            size_t cols, const WriteBack& w) {
  using V = typename K::V;
  using E = typename K::E;
  using T = typename E::Element;
  using Vec = typename V::Vec;
  constexpr size_t W = V::kWidth, kMr = K::kMr, kDepth = E::kDepth;
  constexpr size_t kBases = (kMr + 2) / 3;
  const T* ar[kMr];
  if (kA == AMode::Clamped) {
#pragma GCC unroll 16
    for (size_t r = 0; r < kMr; ++r) ar[r] = a + (r < rows ? r : 0) * rowStride;
  }
  // Strided: row r at base[r / 3] + (r % 3) * stride, in bytes; the base pointers advance.
  const size_t stepA = kA == AMode::Packed ? kMr * kDepth : step;
  const size_t stride = rowStride * sizeof(T), stepBytes = stepA * sizeof(T);
  const char* base[kBases];
#pragma GCC unroll 8
  for (size_t g = 0; g < kBases; ++g) base[g] = reinterpret_cast<const char*>(a) + 3 * g * stride;
  const size_t stepB = kPackedB ? K::kVectors * W * kDepth : ldb;
  typename V::Mask mask[kVectors];
  for (size_t h = 0; h < kVectors; ++h) mask[h] = V::lanes(cols, h * W);
  Vec acc[kMr][K::kVectors];
#pragma GCC unroll 16
  for (size_t r = 0; r < kMr; ++r) {
#pragma GCC unroll 4
    for (size_t h = 0; h < K::kVectors; ++h) acc[r][h] = V::zero();
  }
  size_t off = 0;
  // The tile of C: fetched into L2 now, and into L1 K::kPrefetchSteps steps before the end, so
  // the write-back does not wait for it (fetched into L1 now, the streaming panels could evict
  // it); with kPrefetchSteps 0, or a k loop no longer than that, into L1 now.
  constexpr size_t kPrefetchSteps = K::kPrefetchSteps * kDepth;
  const size_t head = kPrefetchSteps > 0 && kc > kPrefetchSteps ? kc - kPrefetchSteps : 0;
  const size_t lines = kTransposedC ? cols : rows, length = kTransposedC ? rows : cols;
  constexpr bool kWide = K::kVectors * W > 16;
  // One step of k (kDepth steps for paired elements): the loads of B, a broadcast of A per row.
  const auto oneStep = [&]() __attribute__((always_inline)) {
    Vec bv[kVectors];
#pragma GCC unroll 4
    for (size_t h = 0; h < kVectors; ++h) {
      bv[h] = kPackedB ? E::loadB(b + h * W * kDepth) : E::loadBMasked(mask[h], b + h * W);
    }
#pragma GCC unroll 16
    for (size_t r = 0; r < kRows; ++r) {
      const T* at = kA == AMode::Packed || kA == AMode::Contiguous ? a + off + r * kDepth
                    : kA == AMode::Clamped
                        ? ar[r] + off
                        : reinterpret_cast<const T*>(base[r / 3] + (r % 3) * stride);
      const Vec x = E::broadcast(at);
#pragma GCC unroll 4
      for (size_t h = 0; h < kVectors; ++h) acc[r][h] = E::madd(acc[r][h], x, bv[h]);
    }
    b += stepB;
    off += stepA;
    if (kA == AMode::Strided) {
#pragma GCC unroll 8
      for (size_t g = 0; g < kBases; ++g) {
        base[g] += stepBytes;
        keepInRegister(base[g]);
      }
    }
  };
  [[maybe_unused]] unsigned csr = 0;
  if constexpr (K::kFlushSubnormals) {
    csr = readMxcsr();
    writeMxcsr((csr | kFlushBits) & ~kRoundingBits);
    pin(acc);
  }
  size_t p = 0;
  if (kPrefetchSteps == 0 || head == 0) {  // a loop of its own: the short one pays for nothing
    prefetchTile<true, kWide>(c, ldc, lines, length);
#pragma GCC unroll 4
    for (; p < kc; p += kDepth) oneStep();
  } else {
    prefetchTile<false, kWide>(c, ldc, lines, length);
#pragma GCC unroll 4
    for (; p < head; p += kDepth) oneStep();
    prefetchTile<true, kWide>(c, ldc, lines, length);
#pragma GCC unroll 4
    for (; p < kc; p += kDepth) oneStep();
  }
  if constexpr (K::kFlushSubnormals) {  // the FMAs before the restore, the write-back after
    pin(acc);
    writeMxcsr(csr);
    pin(acc);
  }
  // The write-back takes the tile from memory: a copy, so that the accumulators' own address
  // never escapes (a masked load, a call to the compiler, could then read them) and they stay in
  // registers through the loop.
  Vec tile[kMr][K::kVectors];
#pragma GCC unroll 16
  for (size_t r = 0; r < kMr; ++r) {
#pragma GCC unroll 4
    for (size_t h = 0; h < K::kVectors; ++h) tile[r][h] = acc[r][h];
  }
  if constexpr (kTransposedC) {
    writeTileTransposed<K>(tile, c, ldc, rows, cols, w);
  } else {
    writeTile<K>(tile, c, ldc, rows, cols, w);
  }
}

// The kernel for `rows`: the first of the row counts that covers it, or all MR rows.
template <class K, AMode kA, bool kPackedB, bool kTransposedC, size_t... kRows>
struct ByRows;

template <class K, AMode kA, bool kPackedB, bool kTransposedC>
struct ByRows<K, kA, kPackedB, kTransposedC> {
  template <class T>
  static void run(size_t kc, const T* a, size_t rowStride, size_t step, const T* b, size_t ldb,
                  float* c, size_t ldc, size_t rows, size_t cols, const WriteBack& w) {
    kernel<K, kA, kPackedB, K::kVectors, kTransposedC, K::kMr>(kc, a, rowStride, step, b, ldb, c,
                                                               ldc, rows, cols, w);
  }
};

template <class K, AMode kA, bool kPackedB, bool kTransposedC, size_t kFirst, size_t... kRest>
struct ByRows<K, kA, kPackedB, kTransposedC, kFirst, kRest...> {
  template <class T>
  static void run(size_t kc, const T* a, size_t rowStride, size_t step, const T* b, size_t ldb,
                  float* c, size_t ldc, size_t rows, size_t cols, const WriteBack& w) {
    if (rows <= kFirst) {
      return kernel<K, kA, kPackedB, K::kVectors, kTransposedC, kFirst>(
          kc, a, rowStride, step, b, ldb, c, ldc, rows, cols, w);
    }
    ByRows<K, kA, kPackedB, kTransposedC, kRest...>::run(kc, a, rowStride, step, b, ldb, c, ldc,
                                                         rows, cols, w);
  }
};

template <class K, AMode kA, bool kPackedB, bool kTransposedC, class Rows>
struct ByRowsOf;
template <class K, AMode kA, bool kPackedB, bool kTransposedC, size_t... kRows>
struct ByRowsOf<K, kA, kPackedB, kTransposedC, RowCounts<kRows...>>
    : ByRows<K, kA, kPackedB, kTransposedC, kRows...> {};

// A tile at most W columns wide takes the kernel with one vector per row: a fraction of the
// FMAs. A tile of few rows (the edge of a batch of 128, a tile of C^T whose narrow C has 10
// columns) takes a kernel computing only those rows (K::Rows): the FMAs of the others are saved.
template <class K, AMode kA, bool kPackedB, bool kTransposedC>
void byWidth(size_t kc, const typename K::E::Element* a, size_t rowStride, size_t step,
             const typename K::E::Element* b, size_t ldb, float* c, size_t ldc, size_t rows,
             size_t cols, const WriteBack& w) {
  constexpr size_t W = K::V::kWidth;
  if ((kA == AMode::Packed || kA == AMode::Contiguous) && cols > W) {
    return ByRowsOf<K, kA, kPackedB, kTransposedC, typename K::Rows>::run(
        kc, a, rowStride, step, b, ldb, c, ldc, rows, cols, w);
  }
  if (K::kVectors > 1 && cols <= W) {
    return kernel<K, kA, kPackedB, 1, kTransposedC, K::kMr>(kc, a, rowStride, step, b, ldb, c,
                                                            ldc, rows, cols, w);
  }
  kernel<K, kA, kPackedB, K::kVectors, kTransposedC, K::kMr>(kc, a, rowStride, step, b, ldb, c,
                                                             ldc, rows, cols, w);
}

// A read in place, A(r, p) = a[r * rowStride + p * colStride]: the cheapest way that reads only
// rows below `rows`, or all MR rows of a packed panel (rowStride 1, colStride MR).
template <class K, bool kPackedB, bool kTransposedC>
void inPlaceA(size_t kc, const float* a, size_t rowStride, size_t colStride, const float* b,
              size_t ldb, float* c, size_t ldc, size_t rows, size_t cols, const WriteBack& w) {
  if (rowStride == 1 && colStride == K::kMr) {
    byWidth<K, AMode::Packed, kPackedB, kTransposedC>(kc, a, 1, colStride, b, ldb, c, ldc, rows,
                                                      cols, w);
  } else if (rowStride == 1 && rows == K::kMr) {
    byWidth<K, AMode::Contiguous, kPackedB, kTransposedC>(kc, a, 1, colStride, b, ldb, c, ldc,
                                                          rows, cols, w);
  } else if (rows == K::kMr && K::kMr > 8) {  // Clamped takes a register per row: fine for 6
    byWidth<K, AMode::Strided, kPackedB, kTransposedC>(kc, a, rowStride, colStride, b, ldb, c,
                                                       ldc, rows, cols, w);
  } else {
    byWidth<K, AMode::Clamped, kPackedB, kTransposedC>(kc, a, rowStride, colStride, b, ldb, c,
                                                       ldc, rows, cols, w);
  }
}

}  // namespace
}  // namespace microkernel
}  // namespace tg
