// setNumThreads(n) and getNumThreads(): the size of the kernels' thread pool (the caller
// included); setFlushDenormal(on) and getFlushDenormal(): whether kernels flush subnormals.
#include <cmath>
#include <string>

#include "../args.h"
#include "../denormals.h"
#include "../threadpool.h"
#include "export.h"

namespace tg {

namespace {

// setNumThreads(n): n an integer 1..256. Returns the new count.
Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  Args args(info, "setNumThreads", 1);
  if (!info[0].IsNumber()) {
    throw Napi::TypeError::New(info.Env(), "setNumThreads: Expected an integer from 1 to " +
                                               std::to_string(kMaxThreads) +
                                               " for n but received " + describe(info[0]));
  }
  const double n = info[0].As<Napi::Number>().DoubleValue();
  if (!(n >= 1 && n <= static_cast<double>(kMaxThreads)) || std::floor(n) != n) {
    args.rangeError("Expected an integer from 1 to " + std::to_string(kMaxThreads) +
                    " for n but received " + describe(info[0]));
  }
  setNumThreads(static_cast<size_t>(n));
  return Napi::Number::New(info.Env(), static_cast<double>(numThreads()));
}

Napi::Value GetNumThreads(const Napi::CallbackInfo& info) {
  Args args(info, "getNumThreads", 0);
  return Napi::Number::New(info.Env(), static_cast<double>(numThreads()));
}

// setFlushDenormal(on): on a boolean. Returns the new setting.
Napi::Value SetFlushDenormal(const Napi::CallbackInfo& info) {
  Args args(info, "setFlushDenormal", 1);
  if (!info[0].IsBoolean()) {
    throw Napi::TypeError::New(info.Env(), "setFlushDenormal: Expected true or false for on but received " +
                                               describe(info[0]));
  }
  setFlushDenormals(info[0].As<Napi::Boolean>().Value());
  return Napi::Boolean::New(info.Env(), flushDenormals());
}

Napi::Value GetFlushDenormal(const Napi::CallbackInfo& info) {
  Args args(info, "getFlushDenormal", 0);
  return Napi::Boolean::New(info.Env(), flushDenormals());
}

}  // namespace

void registerThreads(Napi::Env env, Napi::Object exports) {
  define<SetNumThreads>(env, exports, "setNumThreads");
  define<GetNumThreads>(env, exports, "getNumThreads");
  define<SetFlushDenormal>(env, exports, "setFlushDenormal");
  define<GetFlushDenormal>(env, exports, "getFlushDenormal");
}

}  // namespace tg
