// Reduction exports: argument checks, then the kernels.
#include "../args.h"
#include "../kernels/reduce.h"
#include "export.h"

namespace tg {

namespace {

template <void (*Kernel)(const float*, size_t, size_t, float*), bool kPerRow>
Napi::Value Sum(const Napi::CallbackInfo& info, const char* fn) {
  Args args(info, fn, 4);
  const F32Arg x = args.f32(0, "x");
  const uint64_t rows = args.index(1, "rows"), cols = args.index(2, "cols");
  const F32Arg out = args.f32(3, "out");
  args.requireLength(x, args.product(rows, cols, "rows*cols"), "rows*cols");
  args.requireLength(out, kPerRow ? rows : cols, kPerRow ? "rows" : "cols");
  args.requireDisjoint(out, x);
  Kernel(x.data, rows, cols, out.data);
  return info.Env().Undefined();
}

Napi::Value RowSum(const Napi::CallbackInfo& info) { return Sum<rowSum, true>(info, "rowSum"); }
Napi::Value ColSum(const Napi::CallbackInfo& info) { return Sum<colSum, false>(info, "colSum"); }

}  // namespace

void registerReduce(Napi::Env env, Napi::Object exports) {
  define<RowSum>(env, exports, "rowSum");
  define<ColSum>(env, exports, "colSum");
}

}  // namespace tg
