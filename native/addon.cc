// The addon's one table of exports. Each export checks every argument (args.h), then calls a
// kernel on JavaScript-owned memory; nothing keeps a pointer after it returns.
#include <napi.h>

#include <new>
#include <string>

#include "args.h"
#include "cpu.h"
#include "kernels/kernels.h"

namespace tg {

namespace {


Napi::Value Gemm(const Napi::CallbackInfo& info) {
  Args args(info, "gemm", 10);
  const bool transA = args.flag(0, "transA");
  const bool transB = args.flag(1, "transB");
  const uint64_t m = args.index(2, "m"), n = args.index(3, "n"), k = args.index(4, "k");
  const float alpha = args.finiteFloat(5, "alpha");
  const F32Arg a = args.f32(6, "a");
  const F32Arg b = args.f32(7, "b");
  const float beta = args.finiteFloat(8, "beta");
  const F32Arg c = args.f32(9, "c");
  args.requireLength(a, args.product(m, k, "m*k"), "m*k");
  args.requireLength(b, args.product(k, n, "k*n"), "k*n");
  args.requireLength(c, args.product(m, n, "m*n"), "m*n");
  args.requireDisjoint(c, a);
  args.requireDisjoint(c, b);
  gemm(transA, transB, m, n, k, alpha, a.data, b.data, beta, c.data);
  return info.Env().Undefined();
}

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

// simdLevel() -> "avx2" | "portable"; simdLevel(name) switches the kernels' path.
Napi::Value SimdLevelExport(const Napi::CallbackInfo& info) {
  if (info.Length() > 1) {
    throw Napi::TypeError::New(info.Env(), "simdLevel: Expected 0 or 1 arguments but received " +
                                               std::to_string(info.Length()));
  }
  if (info.Length() == 1) {
    const std::string want = info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : "";
    SimdLevel level;
    if (want == "avx2") {
      level = SimdLevel::Avx2;
    } else if (want == "portable") {
      level = SimdLevel::Portable;
    } else {
      throw Napi::TypeError::New(info.Env(), "simdLevel: Expected \"avx2\" or \"portable\" for "
                                             "level but received " + describe(info[0]));
    }
    if (!setActiveSimd(level)) {
      throw Napi::RangeError::New(info.Env(), std::string("simdLevel: this CPU supports ") +
                                                  simdName(detectedSimd()) + ", not " + want);
    }
  }
  return Napi::String::New(info.Env(), simdName(activeSimd()));
}

// Every export passes through here: C++ exceptions other than Napi::Error (bad_alloc from a
// scratch buffer, say) become JavaScript errors instead of terminating the process.
template <Napi::Value (*Fn)(const Napi::CallbackInfo&)>
Napi::Value Guarded(const Napi::CallbackInfo& info) {
  try {
    return Fn(info);
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::bad_alloc&) {
    throw Napi::RangeError::New(info.Env(), "tensorgrad: out of memory in a native kernel");
  } catch (const std::exception& e) {
    throw Napi::Error::New(info.Env(), std::string("tensorgrad: native error: ") + e.what());
  }
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  struct Entry {
    const char* name;
    Napi::Value (*fn)(const Napi::CallbackInfo&);
  };
  const Entry entries[] = {
      {"gemm", Guarded<Gemm>},
      {"add", Guarded<Add>},
      {"mul", Guarded<Mul>},
      {"relu", Guarded<Relu>},
      {"reluBackward", Guarded<ReluBackward>},
      {"rowSum", Guarded<RowSum>},
      {"colSum", Guarded<ColSum>},
      {"randomBits", Guarded<RandomBits>},
      {"fillUniform", Guarded<FillUniform>},
      {"fillNormal", Guarded<FillNormal>},
      {"simdLevel", Guarded<SimdLevelExport>},
  };
  for (const Entry& e : entries) exports.Set(e.name, Napi::Function::New(env, e.fn, e.name));
  exports.Set("detectedSimd", Napi::String::New(env, simdName(detectedSimd())));
  exports.Set("napiVersion", Napi::Number::New(env, NAPI_VERSION));
  return exports;
}

}  // namespace

}  // namespace tg

static Napi::Object InitTensorgrad(Napi::Env env, Napi::Object exports) {
  return tg::Init(env, exports);
}

NODE_API_MODULE(tensorgrad, InitTensorgrad)
