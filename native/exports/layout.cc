// Layout exports: argument checks (sizes, index ranges, overlaps), then the kernels.
#include <string>

#include "../args.h"
#include "../kernels/layout.h"
#include "export.h"

namespace tg {

namespace {

// Every index in [0, rows), or a RangeError naming the first one outside.
void checkIndices(const Args& args, const I32Arg& indices, uint64_t rows) {
  for (size_t r = 0; r < indices.length; ++r) {
    const int32_t v = indices.data[r];
    if (v < 0 || static_cast<uint64_t>(v) >= rows) {
      args.rangeError("Expected every index in [0, " + std::to_string(rows) + ") but indices[" +
                      std::to_string(r) + "] is " + std::to_string(v));
    }
  }
}

Napi::Value Transpose(const Napi::CallbackInfo& info) {
  Args args(info, "transpose", 4);
  const F32Arg x = args.f32(0, "x");
  const uint64_t rows = args.index(1, "rows"), cols = args.index(2, "cols");
  const F32Arg out = args.f32(3, "out");
  const uint64_t size = args.product(rows, cols, "rows*cols");
  args.requireLength(x, size, "rows*cols");
  args.requireLength(out, size, "rows*cols");
  args.requireDisjoint(out, x);
  transpose(x.data, rows, cols, out.data);
  return info.Env().Undefined();
}

Napi::Value GatherRows(const Napi::CallbackInfo& info) {
  Args args(info, "gatherRows", 5);
  const F32Arg x = args.f32(0, "x");
  const uint64_t rows = args.index(1, "rows"), cols = args.index(2, "cols");
  const I32Arg indices = args.i32(3, "indices");
  const F32Arg out = args.f32(4, "out");
  args.requireLength(x, args.product(rows, cols, "rows*cols"), "rows*cols");
  args.requireLength(out, args.product(indices.length, cols, "indices.length*cols"), "indices.length*cols");
  args.requireDisjoint(out, x);
  checkIndices(args, indices, rows);
  // Rows of no columns: nothing to copy (and x, out may be null, which memcpy must not get).
  if (cols == 0) return info.Env().Undefined();
  gatherRows(x.data, cols, indices.data, indices.length, out.data);
  return info.Env().Undefined();
}

Napi::Value ScatterAddRows(const Napi::CallbackInfo& info) {
  Args args(info, "scatterAddRows", 5);
  const F32Arg src = args.f32(0, "src");
  const I32Arg indices = args.i32(1, "indices");
  const uint64_t rows = args.index(2, "rows"), cols = args.index(3, "cols");
  const F32Arg out = args.f32(4, "out");
  args.requireLength(src, args.product(indices.length, cols, "indices.length*cols"), "indices.length*cols");
  args.requireLength(out, args.product(rows, cols, "rows*cols"), "rows*cols");
  args.requireDisjoint(out, src);
  checkIndices(args, indices, rows);
  scatterAddRows(src.data, indices.data, indices.length, cols, out.data);
  return info.Env().Undefined();
}

}  // namespace

void registerLayout(Napi::Env env, Napi::Object exports) {
  define<Transpose>(env, exports, "transpose");
  define<GatherRows>(env, exports, "gatherRows");
  define<ScatterAddRows>(env, exports, "scatterAddRows");
}

}  // namespace tg
