// Reduction exports: argument checks, then the kernels.
#include <string>

#include "../args.h"
#include "../kernels/reduce.h"
#include "export.h"

namespace tg {

namespace {

struct Matrix {
  F32Arg x;
  uint64_t rows, cols;
};

Matrix matrixArgs(const Args& args) {
  const F32Arg x = args.f32(0, "x");
  const uint64_t rows = args.index(1, "rows"), cols = args.index(2, "cols");
  args.requireLength(x, args.product(rows, cols, "rows*cols"), "rows*cols");
  return {x, rows, cols};
}

// A maximum needs an element in every row; argmax indices must fit an Int32Array.
void requireNonEmptyRows(const Args& args, const Matrix& m) {
  if (m.rows > 0 && m.cols == 0) {
    args.rangeError("Expected cols > 0 for the maximum of each of " + std::to_string(m.rows) +
                    " rows but received 0");
  }
  if (m.cols > 2147483647u) {
    args.rangeError("Expected cols no larger than 2^31-1 but received " + std::to_string(m.cols));
  }
}

template <void (*Kernel)(const float*, size_t, size_t, float*), bool kPerRow, bool kMax = false>
Napi::Value RowOrColumn(const Napi::CallbackInfo& info, const char* fn) {
  Args args(info, fn, 4);
  const Matrix m = matrixArgs(args);
  const F32Arg out = args.f32(3, "out");
  args.requireLength(out, kPerRow ? m.rows : m.cols, kPerRow ? "rows" : "cols");
  args.requireDisjoint(out, m.x);
  if (kMax) requireNonEmptyRows(args, m);
  Kernel(m.x.data, m.rows, m.cols, out.data);
  return info.Env().Undefined();
}

Napi::Value RowSum(const Napi::CallbackInfo& info) { return RowOrColumn<rowSum, true>(info, "rowSum"); }
Napi::Value ColSum(const Napi::CallbackInfo& info) { return RowOrColumn<colSum, false>(info, "colSum"); }
Napi::Value RowMean(const Napi::CallbackInfo& info) { return RowOrColumn<rowMean, true>(info, "rowMean"); }
Napi::Value ColMean(const Napi::CallbackInfo& info) { return RowOrColumn<colMean, false>(info, "colMean"); }
Napi::Value RowMax(const Napi::CallbackInfo& info) { return RowOrColumn<rowMax, true, true>(info, "rowMax"); }

Napi::Value RowArgmax(const Napi::CallbackInfo& info) {
  Args args(info, "rowArgmax", 4);
  const Matrix m = matrixArgs(args);
  const I32Arg out = args.i32(3, "out");
  args.requireLength(out, m.rows, "rows");
  args.requireDisjoint(out, m.x);
  requireNonEmptyRows(args, m);
  rowArgmax(m.x.data, m.rows, m.cols, out.data);
  return info.Env().Undefined();
}

Napi::Value ColMeanVar(const Napi::CallbackInfo& info) {
  Args args(info, "colMeanVar", 5);
  const Matrix m = matrixArgs(args);
  const F32Arg mean = args.f32(3, "mean");
  const F32Arg variance = args.f32(4, "variance");
  args.requireLength(mean, m.cols, "cols");
  args.requireLength(variance, m.cols, "cols");
  args.requireDisjoint(mean, m.x);
  args.requireDisjoint(variance, m.x);
  args.requireDisjoint(variance, mean);
  colMeanVar(m.x.data, m.rows, m.cols, mean.data, variance.data);
  return info.Env().Undefined();
}

}  // namespace

void registerReduce(Napi::Env env, Napi::Object exports) {
  define<RowSum>(env, exports, "rowSum");
  define<ColSum>(env, exports, "colSum");
  define<RowMean>(env, exports, "rowMean");
  define<ColMean>(env, exports, "colMean");
  define<RowMax>(env, exports, "rowMax");
  define<RowArgmax>(env, exports, "rowArgmax");
  define<ColMeanVar>(env, exports, "colMeanVar");
}

}  // namespace tg
