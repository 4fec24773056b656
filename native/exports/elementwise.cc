// Elementwise exports: argument checks, then the kernels.
#include <string>

#include "../args.h"
#include "../kernels/elementwise.h"
#include "export.h"

namespace tg {

namespace {

// out = f(first, second) elementwise; out may be either input, but not partly overlap one.
template <void (*Kernel)(const float*, const float*, float*, size_t)>
Napi::Value Binary(const Napi::CallbackInfo& info, const char* fn, const char* first,
                   const char* second, const char* output) {
  Args args(info, fn, 3);
  const F32Arg a = args.f32(0, first);
  const F32Arg b = args.f32(1, second);
  const F32Arg out = args.f32(2, output);
  const std::string length = std::string(first) + ".length";
  args.requireLength(b, a.length, length.c_str());
  args.requireLength(out, a.length, length.c_str());
  if (out.data != a.data) args.requireDisjoint(out, a);
  if (out.data != b.data) args.requireDisjoint(out, b);
  Kernel(a.data, b.data, out.data, a.length);
  return info.Env().Undefined();
}

Napi::Value Add(const Napi::CallbackInfo& info) {
  return Binary<add>(info, "add", "a", "b", "out");
}
Napi::Value Mul(const Napi::CallbackInfo& info) {
  return Binary<mul>(info, "mul", "a", "b", "out");
}
Napi::Value ReluBackward(const Napi::CallbackInfo& info) {
  return Binary<reluBackward>(info, "reluBackward", "x", "dy", "dx");
}

Napi::Value Relu(const Napi::CallbackInfo& info) {
  Args args(info, "relu", 2);
  const F32Arg x = args.f32(0, "x");
  const F32Arg out = args.f32(1, "out");
  args.requireLength(out, x.length, "x.length");
  if (out.data != x.data) args.requireDisjoint(out, x);
  relu(x.data, out.data, x.length);
  return info.Env().Undefined();
}

}  // namespace

void registerElementwise(Napi::Env env, Napi::Object exports) {
  define<Add>(env, exports, "add");
  define<Mul>(env, exports, "mul");
  define<Relu>(env, exports, "relu");
  define<ReluBackward>(env, exports, "reluBackward");
}

}  // namespace tg
