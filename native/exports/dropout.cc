// Dropout exports: argument checks, then the kernel (forward and backward share it).
#include <string>

#include "../args.h"
#include "../kernels/dropout.h"
#include "export.h"

namespace tg {

namespace {

// (in, dropProb, seed, offset, out): out may be in itself, never partly overlap it.
Napi::Value Dropout(const Napi::CallbackInfo& info, const char* fn, const char* input,
                    const char* output) {
  Args args(info, fn, 5);
  const F32Arg in = args.f32(0, input);
  const double dropProb = args.finiteDouble(1, "dropProb");
  const uint64_t seed = args.index(2, "seed"), offset = args.index(3, "offset");
  const F32Arg out = args.f32(4, output);
  const std::string length = std::string(input) + ".length";
  args.requireLength(out, in.length, length.c_str());
  if (!(dropProb >= 0.0 && dropProb <= 1.0)) {
    args.rangeError("Expected a number in [0, 1] for dropProb but received " + describe(info[1]));
  }
  if (offset > kMaxSafeInteger - in.length) {
    args.rangeError("Expected offset + out.length to be no larger than 2^53-1 but it is " +
                    std::to_string(offset + in.length));
  }
  if (out.data != in.data) args.requireDisjoint(out, in);
  dropout(in.data, in.length, dropProb, seed, offset, out.data);
  return info.Env().Undefined();
}

Napi::Value DropoutForward(const Napi::CallbackInfo& info) {
  return Dropout(info, "dropoutForward", "x", "y");
}
Napi::Value DropoutBackward(const Napi::CallbackInfo& info) {
  return Dropout(info, "dropoutBackward", "dy", "dx");
}

}  // namespace

void registerDropout(Napi::Env env, Napi::Object exports) {
  define<DropoutForward>(env, exports, "dropoutForward");
  define<DropoutBackward>(env, exports, "dropoutBackward");
}

}  // namespace tg
