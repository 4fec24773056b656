// Random-stream exports: argument checks, then the kernels.
#include <string>

#include "../args.h"
#include "../kernels/rng.h"
#include "export.h"

namespace tg {

namespace {

// seed and offset: the stream words offset .. offset + length - 1 must have safe indices.
void checkStream(const Args& args, uint64_t length, uint64_t offset) {
  if (offset > kMaxSafeInteger - length) {
    args.rangeError("Expected offset + out.length to be no larger than 2^53-1 but it is " +
                    std::to_string(offset + length));
  }
}

Napi::Value RandomBits(const Napi::CallbackInfo& info) {
  Args args(info, "randomBits", 3);
  const U32Arg out = args.u32(0, "out");
  const uint64_t seed = args.index(1, "seed"), offset = args.index(2, "offset");
  checkStream(args, out.length, offset);
  randomBits(out.data, out.length, seed, offset);
  return info.Env().Undefined();
}

Napi::Value FillUniform(const Napi::CallbackInfo& info) {
  Args args(info, "fillUniform", 5);
  const F32Arg out = args.f32(0, "out");
  const uint64_t seed = args.index(1, "seed"), offset = args.index(2, "offset");
  const double low = args.finiteDouble(3, "low"), high = args.finiteDouble(4, "high");
  checkStream(args, out.length, offset);
  if (!(low <= high)) args.rangeError("Expected low <= high but received low = " +
                                      describe(info[3]) + " and high = " + describe(info[4]));
  fillUniform(out.data, out.length, seed, offset, low, high);
  return info.Env().Undefined();
}

Napi::Value FillNormal(const Napi::CallbackInfo& info) {
  Args args(info, "fillNormal", 5);
  const F32Arg out = args.f32(0, "out");
  const uint64_t seed = args.index(1, "seed"), offset = args.index(2, "offset");
  const double mean = args.finiteDouble(3, "mean"), std = args.finiteDouble(4, "std");
  checkStream(args, out.length, offset);
  if (!(std >= 0)) args.rangeError("Expected a non-negative std but received " + describe(info[4]));
  fillNormal(out.data, out.length, seed, offset, mean, std);
  return info.Env().Undefined();
}

}  // namespace

void registerRandom(Napi::Env env, Napi::Object exports) {
  define<RandomBits>(env, exports, "randomBits");
  define<FillUniform>(env, exports, "fillUniform");
  define<FillNormal>(env, exports, "fillNormal");
}

}  // namespace tg
