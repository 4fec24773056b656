// The AVX-512 micro-kernel of gemm.cc's blocked GEMM: a 12x32 tile of C held in 24 zmm
// registers (two per row of row-major C), per step of k two loads of B and twelve broadcasts of
// A feeding 24 FMAs, then the write-back (alpha, beta, bias, activation) while the tile is still
// in registers; edge tiles through k-masks. Its variants read A or B in place (small products,
// one-tile-wide C), use one vector per row (C at most 16 wide) or write the tile transposed
// (C^T for a narrow C). Also the panel packers, which transpose in registers where gemm.cc's
// portable ones would read one float at a time. Like the AVX2 units, this one includes nothing
// but intrinsics and declaration-only headers, so that no inline function compiled with
// -mavx512f can become the copy the rest of the addon calls.
#include "gemm.h"

#if defined(TG_X86) && defined(__AVX512F__) && defined(__AVX512DQ__) && \
    defined(__AVX512BW__) && defined(__AVX512VL__) && defined(__FMA__)
#include <immintrin.h>

namespace tg {
namespace avx512 {

namespace {

// The lanes of 16 columns starting at `first` that lie below `cols`.
__mmask16 columnMask(size_t cols, size_t first) {
  if (cols <= first) return 0;
  return cols - first >= 16 ? __mmask16(0xffff) : __mmask16((1u << (cols - first)) - 1u);
}

// The same operations, in the same order, as writeBackTile in gemm.cc, on 16 columns of a row of
// C; lanes outside `mask` read as 0 and touch no memory.
__m512 finish(__m512 acc, const float* c, const float* bias, const WriteBack& w, __mmask16 mask) {
  __m512 v = w.alpha == 1.0f ? acc : _mm512_mul_ps(_mm512_set1_ps(w.alpha), acc);
  if (w.beta == 1.0f) {
    v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(mask, c));
  } else if (w.beta != 0.0f) {
    v = _mm512_add_ps(v, _mm512_mul_ps(_mm512_set1_ps(w.beta), _mm512_maskz_loadu_ps(mask, c)));
  }
  if (!w.last) return v;
  if (bias) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(mask, bias));
  // "not less-or-equal, unordered": true for v > 0 and for NaN, which passes through.
  const __mmask16 keep = _mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_NLE_UQ);
  switch (w.activation) {
    case Activation::Relu:
      return _mm512_maskz_mov_ps(keep, v);  // +0 where not kept, as writeBackTile's 0.0f
    case Activation::LeakyRelu:
      return _mm512_mask_blend_ps(keep, _mm512_mul_ps(_mm512_set1_ps(w.slope), v), v);
    case Activation::None:
      break;
  }
  return v;
}

// GCC 12's unmasked shuffle intrinsics start from _mm512_undefined_ps(), which -Wuninitialized
// reports once inlined (GCC bug 105593): a false positive.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
// Transposes 16 rows of 16 floats in place: afterwards r[j] holds column j of the input.
void transpose16(__m512 r[16]) {
  __m512 t[16];
  for (int i = 0; i < 16; i += 2) {  // 2x2 blocks of floats
    t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
    t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
  }
  for (int g = 0; g < 16; g += 4) {  // 4x4 blocks: r[g + j] holds columns j, j+4, j+8, j+12
    const __m512d t0 = _mm512_castps_pd(t[g]), t1 = _mm512_castps_pd(t[g + 1]);
    const __m512d t2 = _mm512_castps_pd(t[g + 2]), t3 = _mm512_castps_pd(t[g + 3]);
    r[g] = _mm512_castpd_ps(_mm512_unpacklo_pd(t0, t2));
    r[g + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(t0, t2));
    r[g + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(t1, t3));
    r[g + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(t1, t3));
  }
  for (int j = 0; j < 4; ++j) {  // gather the 128-bit lanes of the four row groups
    const __m512 v0 = _mm512_shuffle_f32x4(r[j], r[4 + j], 0x44);
    const __m512 v1 = _mm512_shuffle_f32x4(r[j], r[4 + j], 0xee);
    const __m512 w0 = _mm512_shuffle_f32x4(r[8 + j], r[12 + j], 0x44);
    const __m512 w1 = _mm512_shuffle_f32x4(r[8 + j], r[12 + j], 0xee);
    t[j] = _mm512_shuffle_f32x4(v0, w0, 0x88);
    t[j + 4] = _mm512_shuffle_f32x4(v0, w0, 0xdd);
    t[j + 8] = _mm512_shuffle_f32x4(v1, w1, 0x88);
    t[j + 12] = _mm512_shuffle_f32x4(v1, w1, 0xdd);
  }
  for (int j = 0; j < 16; ++j) r[j] = t[j];
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

// Writes the 12x32 tile (acc[2 * r + h]: row r, columns 16h..16h+15) into the rows x cols valid
// part of C.
void writeTile(const __m512* acc, float* c, size_t ldc, size_t rows, size_t cols,
               const WriteBack& parameters) {
  // A copy the stores into C cannot alias, so its tests stay in registers.
  const WriteBack w = parameters;
  if (rows == kMr && cols == kNr && w.alpha == 1.0f && !w.last &&
      (w.beta == 0.0f || w.beta == 1.0f)) {
    // The write-backs of plain gemm's k blocks: the first stores the sum (beta = 0), the later
    // ones add to it (beta = 1); nothing tested per vector.
    const bool add = w.beta == 1.0f;
    for (size_t r = 0; r < kMr; ++r) {
      float* row = c + r * ldc;
      __m512 v0 = acc[2 * r], v1 = acc[2 * r + 1];
      if (add) {
        v0 = _mm512_add_ps(v0, _mm512_loadu_ps(row));
        v1 = _mm512_add_ps(v1, _mm512_loadu_ps(row + 16));
      }
      _mm512_storeu_ps(row, v0);
      _mm512_storeu_ps(row + 16, v1);
    }
    return;
  }
  // Everything else, full tiles included: masked loads and stores cost what plain ones do.
  const __mmask16 mask[2] = {columnMask(cols, 0), columnMask(cols, 16)};
  for (size_t r = 0; r < rows; ++r) {
    for (size_t h = 0; h < 2 && mask[h] != 0; ++h) {
      float* at = c + r * ldc + h * 16;
      const float* bias = w.bias ? w.bias + h * 16 : nullptr;
      _mm512_mask_storeu_ps(at, mask[h], finish(acc[2 * r + h], at, bias, w, mask[h]));
    }
  }
}

// Writes the 12x32 tile transposed: tile row r, column x into c[x * ldc + r], for r < rows and
// x < cols, with the bias indexed by r. Two 16x16 transposes turn the columns of the tile into
// rows of C, then each row is finished as writeTile does.
void writeTileTransposed(const __m512* acc, float* c, size_t ldc, size_t rows, size_t cols,
                         const WriteBack& parameters) {
  const WriteBack w = parameters;
  __m512 half[2][16];
  for (size_t h = 0; h < 2 && 16 * h < cols; ++h) {
    for (size_t r = 0; r < 16; ++r) half[h][r] = r < kMr ? acc[2 * r + h] : _mm512_setzero_ps();
    transpose16(half[h]);
  }
  const __mmask16 mask = columnMask(rows, 0);
  for (size_t x = 0; x < cols; ++x) {
    float* at = c + x * ldc;
    _mm512_mask_storeu_ps(at, mask, finish(half[x / 16][x % 16], at, w.bias, w, mask));
  }
}

// Prefetches `lines` rows of `length` floats of C (row stride ldc) into L1, or L2: the first,
// middle and last cache line of each, so an unaligned row of 32 floats is covered.
template <bool kL1>
void prefetchTile(const float* c, size_t ldc, size_t lines, size_t length) {
  for (size_t r = 0; r < lines; ++r) {
    const char* row = reinterpret_cast<const char*>(c + r * ldc);
    _mm_prefetch(row, kL1 ? _MM_HINT_T0 : _MM_HINT_T1);
    _mm_prefetch(row + (length - 1) * 2, kL1 ? _MM_HINT_T0 : _MM_HINT_T1);
    _mm_prefetch(row + (length - 1) * 4, kL1 ? _MM_HINT_T0 : _MM_HINT_T1);
  }
}

// How the micro-kernel reads A(r, p), r < MR:
//   Contiguous: a[p * step + r], all MR rows readable (a packed panel, or A stored transposed
//     with a whole tile of rows).
//   Strided: a[r * rowStride + p * step], all MR rows readable. The rows are addressed from four
//     base pointers and one scaled stride, so the loop needs 5 general registers, not 12.
//   Clamped: as Strided, but rows past `rows` read row 0 (their results are never written),
//     through one pointer per row: for the edge tile of A read in place.
enum class AMode { Contiguous, Strided, Clamped };

// The 12x32 micro-kernel and its variants, all doing the same FMAs in the same order, so an
// element's bits do not depend on which variant computed it:
//   kA: how A is read (AMode).
//   kPackedB: B(p, j) = b[p * NR + j], a packed panel (64-byte aligned, zero-padded); otherwise
//     read in place, B(p, j) = b[p * ldb + j], columns past `cols` masked off.
//   kVectors: zmm per row of the tile, 2 (32 columns) or 1 (a tile at most 16 columns wide).
//   kTransposedC: the tile goes to C transposed (writeTileTransposed).
//   kRows: the rows computed, the others left zero: for tiles known to have at most kRows.
template <AMode kA, bool kPackedB, int kVectors, bool kTransposedC, size_t kRows = kMr>
void kernel(size_t kc, const float* a, size_t rowStride, size_t step, const float* b,
            size_t ldb, float* c, size_t ldc, size_t rows, size_t cols, const WriteBack& w) {
  const float* ar[kMr];
  if (kA == AMode::Clamped) {
    for (size_t r = 0; r < kMr; ++r) ar[r] = a + (r < rows ? r : 0) * rowStride;
  }
  // Strided: row r at base[r / 3 * 3] + (r % 3) * stride, in bytes; the base pointers advance.
  const size_t stride = rowStride * sizeof(float), stepBytes = step * sizeof(float);
  const char* a0 = reinterpret_cast<const char*>(a);
  const char* a3 = a0 + 3 * stride;
  const char* a6 = a0 + 6 * stride;
  const char* a9 = a0 + 9 * stride;
  const size_t stepB = kPackedB ? kNr : ldb;
  const __mmask16 mask0 = columnMask(cols, 0), mask1 = columnMask(cols, 16);
  __m512 c00 = _mm512_setzero_ps(), c01 = _mm512_setzero_ps();
  __m512 c10 = _mm512_setzero_ps(), c11 = _mm512_setzero_ps();
  __m512 c20 = _mm512_setzero_ps(), c21 = _mm512_setzero_ps();
  __m512 c30 = _mm512_setzero_ps(), c31 = _mm512_setzero_ps();
  __m512 c40 = _mm512_setzero_ps(), c41 = _mm512_setzero_ps();
  __m512 c50 = _mm512_setzero_ps(), c51 = _mm512_setzero_ps();
  __m512 c60 = _mm512_setzero_ps(), c61 = _mm512_setzero_ps();
  __m512 c70 = _mm512_setzero_ps(), c71 = _mm512_setzero_ps();
  __m512 c80 = _mm512_setzero_ps(), c81 = _mm512_setzero_ps();
  __m512 c90 = _mm512_setzero_ps(), c91 = _mm512_setzero_ps();
  __m512 ca0 = _mm512_setzero_ps(), ca1 = _mm512_setzero_ps();
  __m512 cb0 = _mm512_setzero_ps(), cb1 = _mm512_setzero_ps();
  size_t off = 0;
#define TG_A(r, base, scale)                                                        \
  (kA == AMode::Contiguous ? a[off + (r)]                                           \
   : kA == AMode::Clamped  ? ar[(r)][off]                                           \
                           : *reinterpret_cast<const float*>(base + (scale) * stride))
#define TG_ROW(r, base, scale, acc0, acc1)                      \
  if ((r) < kRows) {                                            \
    const __m512 x = _mm512_set1_ps(TG_A(r, base, scale));      \
    acc0 = _mm512_fmadd_ps(x, b0, acc0);                        \
    if (kVectors == 2) acc1 = _mm512_fmadd_ps(x, b1, acc1);     \
  }
#define TG_STEP                                                                       \
  {                                                                                   \
    const __m512 b0 = kPackedB ? _mm512_load_ps(b) : _mm512_maskz_loadu_ps(mask0, b); \
    const __m512 b1 = kVectors == 1 ? _mm512_setzero_ps()                             \
                      : kPackedB    ? _mm512_load_ps(b + 16)                          \
                                    : _mm512_maskz_loadu_ps(mask1, b + 16);           \
    TG_ROW(0, a0, 0, c00, c01)                                                        \
    TG_ROW(1, a0, 1, c10, c11)                                                        \
    TG_ROW(2, a0, 2, c20, c21)                                                        \
    TG_ROW(3, a3, 0, c30, c31)                                                        \
    TG_ROW(4, a3, 1, c40, c41)                                                        \
    TG_ROW(5, a3, 2, c50, c51)                                                        \
    TG_ROW(6, a6, 0, c60, c61)                                                        \
    TG_ROW(7, a6, 1, c70, c71)                                                        \
    TG_ROW(8, a6, 2, c80, c81)                                                        \
    TG_ROW(9, a9, 0, c90, c91)                                                        \
    TG_ROW(10, a9, 1, ca0, ca1)                                                       \
    TG_ROW(11, a9, 2, cb0, cb1)                                                       \
    b += stepB;                                                                       \
    off += step;                                                                      \
    if (kA == AMode::Strided) {                                                       \
      a0 += stepBytes;                                                                \
      a3 += stepBytes;                                                                \
      a6 += stepBytes;                                                                \
      a9 += stepBytes;                                                                \
    }                                                                                 \
  }
  // The tile of C: fetched into L2 now, and into L1 this many steps before the end, so the
  // write-back does not wait for it (fetched into L1 now, the streaming panels would evict it).
  constexpr size_t kPrefetchSteps = 48;
  const size_t head = kc > kPrefetchSteps ? kc - kPrefetchSteps : 0;
  prefetchTile<false>(c, ldc, kTransposedC ? cols : rows, kTransposedC ? rows : cols);
#pragma GCC unroll 4
  for (size_t p = 0; p < head; ++p) TG_STEP
  prefetchTile<true>(c, ldc, kTransposedC ? cols : rows, kTransposedC ? rows : cols);
#pragma GCC unroll 4
  for (size_t p = head; p < kc; ++p) TG_STEP
#undef TG_STEP
#undef TG_ROW
#undef TG_A
  const __m512 acc[2 * kMr] = {c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51,
                               c60, c61, c70, c71, c80, c81, c90, c91, ca0, ca1, cb0, cb1};
  if (kTransposedC) {
    writeTileTransposed(acc, c, ldc, rows, cols, w);
  } else {
    writeTile(acc, c, ldc, rows, cols, w);
  }
}

// A tile at most 16 columns wide takes the kernel with one vector per row: half the FMAs. A tile
// of at most 4, 8 or 10 rows (the edge of a batch of 128, a tile of C^T whose narrow C has 10
// columns) takes a kernel computing only those rows: the FMAs of the others are saved.
template <AMode kA, bool kPackedB, bool kTransposedC>
void byWidth(size_t kc, const float* a, size_t rowStride, size_t step, const float* b, size_t ldb,
             float* c, size_t ldc, size_t rows, size_t cols, const WriteBack& w) {
#define TG_KERNEL(vectors, kRows)                                                        \
  kernel<kA, kPackedB, vectors, kTransposedC, kRows>(kc, a, rowStride, step, b, ldb, c, ldc, \
                                                     rows, cols, w)
  if (kA == AMode::Contiguous && cols > 16 && rows <= 10) {
    if (rows <= 4) return TG_KERNEL(2, 4);
    if (rows <= 8) return TG_KERNEL(2, 8);
    return TG_KERNEL(2, 10);
  }
  if (cols <= 16) return TG_KERNEL(1, kMr);
  return TG_KERNEL(2, kMr);
#undef TG_KERNEL
}

// A read in place, A(r, p) = a[r * rowStride + p * colStride]: the cheapest way that reads only
// rows below `rows`, or all MR rows of a packed panel (rowStride 1, colStride MR).
template <bool kPackedB, bool kTransposedC>
void inPlaceA(size_t kc, const float* a, size_t rowStride, size_t colStride, const float* b,
              size_t ldb, float* c, size_t ldc, size_t rows, size_t cols, const WriteBack& w) {
  if (rowStride == 1 && (rows == kMr || colStride == kMr)) {
    byWidth<AMode::Contiguous, kPackedB, kTransposedC>(kc, a, 1, colStride, b, ldb, c, ldc, rows,
                                                       cols, w);
  } else if (rows == kMr) {
    byWidth<AMode::Strided, kPackedB, kTransposedC>(kc, a, rowStride, colStride, b, ldb, c, ldc,
                                                    rows, cols, w);
  } else {
    byWidth<AMode::Clamped, kPackedB, kTransposedC>(kc, a, rowStride, colStride, b, ldb, c, ldc,
                                                    rows, cols, w);
  }
}

// packPanel of gemm.cc for a panel W lanes wide (12 or 32). Lanes contiguous in memory: one
// or two masked loads per step of k. Steps of k contiguous (a transposed operand): blocks of 16
// lanes x 16 steps transposed in registers, where the scalar loop would read one float at a time
// from W rows. Lanes past `lanes` and the rows past a panel's end read as zeros.
template <size_t W>
void pack(const float* src, size_t laneStride, size_t kStride, size_t lanes, size_t kc,
          float* dst) {
  constexpr size_t kGroups = (W + 15) / 16;
  __mmask16 laneMask[kGroups];
  for (size_t g = 0; g < kGroups; ++g) laneMask[g] = columnMask(lanes, 16 * g);
  const __mmask16 storeMask = columnMask(W, 0);  // 12 lanes of a row of an A panel
  if (laneStride == 1) {
    for (size_t p = 0; p < kc; ++p, dst += W) {
      const float* in = src + p * kStride;
      for (size_t g = 0; g < kGroups; ++g) {
        const __m512 v = _mm512_maskz_loadu_ps(laneMask[g], in + 16 * g);
        if (W % 16 == 0) {
          _mm512_store_ps(dst + 16 * g, v);  // the panels are 64-byte aligned
        } else {
          _mm512_mask_storeu_ps(dst + 16 * g, storeMask, v);
        }
      }
    }
    return;
  }
  for (size_t p0 = 0; p0 < kc; p0 += 16) {
    const size_t steps = kc - p0 < 16 ? kc - p0 : 16;
    const __mmask16 stepMask = columnMask(steps, 0);
    for (size_t g = 0; g < kGroups; ++g) {
      __m512 r[16];
      for (size_t l = 0; l < 16; ++l) {
        const size_t lane = 16 * g + l;
        r[l] = lane < lanes ? _mm512_maskz_loadu_ps(stepMask, src + lane * laneStride + p0)
                            : _mm512_setzero_ps();
      }
      transpose16(r);
      for (size_t p = 0; p < steps; ++p) {
        float* out = dst + (p0 + p) * W + 16 * g;
        if (W % 16 == 0) {
          _mm512_store_ps(out, r[p]);
        } else {
          _mm512_mask_storeu_ps(out, storeMask, r[p]);
        }
      }
    }
  }
}

}  // namespace

void microKernel(size_t kc, const float* a, const float* b, float* c, size_t ldc, size_t rows,
                 size_t cols, const WriteBack& w) {
  byWidth<AMode::Contiguous, true, false>(kc, a, 1, kMr, b, kNr, c, ldc, rows, cols, w);
}

void microKernelInPlaceA(size_t kc, const float* a, size_t rowStride, size_t colStride,
                         const float* b, float* c, size_t ldc, size_t rows, size_t cols,
                         const WriteBack& w) {
  inPlaceA<true, false>(kc, a, rowStride, colStride, b, kNr, c, ldc, rows, cols, w);
}

void microKernelTransposedC(size_t kc, const float* a, const float* b, float* c, size_t ldc,
                            size_t rows, size_t cols, const WriteBack& w) {
  byWidth<AMode::Contiguous, true, true>(kc, a, 1, kMr, b, kNr, c, ldc, rows, cols, w);
}

void microKernelDirect(size_t kc, const float* a, size_t rowStride, size_t colStride,
                       const float* b, size_t ldb, float* c, size_t ldc, size_t rows,
                       size_t cols, const WriteBack& w) {
  inPlaceA<false, false>(kc, a, rowStride, colStride, b, ldb, c, ldc, rows, cols, w);
}

void microKernelDirectTransposedC(size_t kc, const float* a, size_t rowStride, size_t colStride,
                                  const float* b, size_t ldb, float* c, size_t ldc, size_t rows,
                                  size_t cols, const WriteBack& w) {
  inPlaceA<false, true>(kc, a, rowStride, colStride, b, ldb, c, ldc, rows, cols, w);
}

void packA(const float* src, size_t laneStride, size_t kStride, size_t lanes, size_t kc,
           float* dst) {
  pack<kMr>(src, laneStride, kStride, lanes, kc, dst);
}

void packB(const float* src, size_t laneStride, size_t kStride, size_t lanes, size_t kc,
           float* dst) {
  pack<kNr>(src, laneStride, kStride, lanes, kc, dst);
}

}  // namespace avx512
}  // namespace tg

#elif defined(TG_X86)
#error "the AVX-512 units must be compiled with native/sources.json avx512_cflags (-mavx512f ...)"
#endif
