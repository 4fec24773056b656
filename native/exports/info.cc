// Facts about the build and the switch between SIMD paths.
#include <string>

#include "../args.h"
#include "../cpu.h"
#include "export.h"

namespace tg {

namespace {

// simdLevel() -> "avx512" | "avx2" | "portable"; simdLevel(name) switches the kernels' path.
Napi::Value SimdLevelExport(const Napi::CallbackInfo& info) {
  if (info.Length() > 1) {
    throw Napi::TypeError::New(info.Env(), "simdLevel: Expected 0 or 1 arguments but received " +
                                               std::to_string(info.Length()));
  }
  if (info.Length() == 1) {
    const std::string want = info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : "";
    SimdLevel level;
    if (want == "avx512") {
      level = SimdLevel::Avx512;
    } else if (want == "avx2") {
      level = SimdLevel::Avx2;
    } else if (want == "portable") {
      level = SimdLevel::Portable;
    } else {
      throw Napi::TypeError::New(info.Env(),
                                 "simdLevel: Expected \"avx512\", \"avx2\" or \"portable\" for "
                                 "level but received " + describe(info[0]));
    }
    if (!setActiveSimd(level)) {
      throw Napi::RangeError::New(info.Env(), std::string("simdLevel: this CPU supports ") +
                                                  simdName(detectedSimd()) + ", not " + want);
    }
  }
  return Napi::String::New(info.Env(), simdName(activeSimd()));
}

// bf16Instructions() -> whether the bfloat16 GEMM uses vdpbf16ps now; bf16Instructions(on) turns
// them on or off (off: the emulation, which gives the same bits). The path also needs the avx512
// level: useAvx512Bf16() in cpu.h.
Napi::Value Bf16InstructionsExport(const Napi::CallbackInfo& info) {
  if (info.Length() > 1) {
    throw Napi::TypeError::New(info.Env(), "bf16Instructions: Expected 0 or 1 arguments but received " +
                                               std::to_string(info.Length()));
  }
  if (info.Length() == 1) {
    if (!info[0].IsBoolean()) {
      throw Napi::TypeError::New(info.Env(), "bf16Instructions: Expected true or false for on but received " +
                                                 describe(info[0]));
    }
    if (!setBf16Instructions(info[0].As<Napi::Boolean>().Value())) {
      throw Napi::RangeError::New(info.Env(), "bf16Instructions: this CPU has no AVX-512 BF16 instructions");
    }
  }
  return Napi::Boolean::New(info.Env(), bf16Instructions());
}

}  // namespace

void registerInfo(Napi::Env env, Napi::Object exports) {
  define<SimdLevelExport>(env, exports, "simdLevel");
  exports.Set("detectedSimd", Napi::String::New(env, simdName(detectedSimd())));
  define<Bf16InstructionsExport>(env, exports, "bf16Instructions");
  exports.Set("detectedBf16", Napi::Boolean::New(env, detectedAvx512Bf16()));
  exports.Set("napiVersion", Napi::Number::New(env, NAPI_VERSION));
}

}  // namespace tg
