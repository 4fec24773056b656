// What every export file shares: the guard that turns C++ exceptions into JavaScript errors,
// and one way to add a function to the addon's exports.
#pragma once

#include <napi.h>

#include "../denormals.h"

#include <new>
#include <stdexcept>
#include <string>

namespace tg {

using Callback = Napi::Value (*)(const Napi::CallbackInfo&);

// Every export passes through here: C++ exceptions other than Napi::Error (bad_alloc from a
// scratch buffer, say) become JavaScript errors instead of terminating the process; the kernels
// run with subnormals flushed when setFlushDenormal(true) asked for it (denormals.h).
template <Callback Fn>
Napi::Value Guarded(const Napi::CallbackInfo& info) {
  try {
    const DenormalScope denormals(flushDenormals());
    return Fn(info);
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::bad_alloc&) {
    throw Napi::RangeError::New(info.Env(), "tensorgrad: out of memory in a native kernel");
  } catch (const std::exception& e) {
    throw Napi::Error::New(info.Env(), std::string("tensorgrad: native error: ") + e.what());
  }
}

// Adds `fn`, guarded, as exports[name].
template <Callback Fn>
void define(Napi::Env env, Napi::Object exports, const char* name) {
  exports.Set(name, Napi::Function::New(env, Guarded<Fn>, name));
}

// Every bound kernel (plan.cc), the build's facts and SIMD switch (info.cc), the thread pool
// and denormal switches (threads.cc). Kernels themselves register where they are defined
// (registry.h), not here.
void registerKernels(Napi::Env env, Napi::Object exports);
void registerInfo(Napi::Env env, Napi::Object exports);
void registerThreads(Napi::Env env, Napi::Object exports);

}  // namespace tg
