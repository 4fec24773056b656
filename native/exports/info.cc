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

}  // namespace

void registerInfo(Napi::Env env, Napi::Object exports) {
  define<SimdLevelExport>(env, exports, "simdLevel");
  exports.Set("detectedSimd", Napi::String::New(env, simdName(detectedSimd())));
  exports.Set("napiVersion", Napi::Number::New(env, NAPI_VERSION));
}

}  // namespace tg
