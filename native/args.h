// The voice of every error the addon throws, shared with lib/backend/validate.ts:
// "gemm: Expected a Float32Array for a but received a string". Numbers print as JavaScript
// prints them, so both backends refuse a bad call with the same message.
#pragma once

#include <napi.h>

#include <cstddef>
#include <string>

namespace tg {

// A number as JavaScript's String(v) prints it: shortest round-trip digits, "1e-7", "NaN".
std::string formatNumber(double v);

// Describes a JavaScript value for an error message: "a string", "NaN", "a Float64Array of length 3".
std::string describe(napi_env env, napi_value value);
inline std::string describe(const Napi::Value& value) { return describe(value.Env(), value); }

// The argument count of a non-kernel export (the kernels' checks are in plan.cc).
class Args {
 public:
  // Checks that exactly `count` arguments were passed.
  Args(const Napi::CallbackInfo& info, const char* fn, size_t count);
  [[noreturn]] void rangeError(const std::string& what) const;

 private:
  const Napi::CallbackInfo& info_;
  const char* fn_;
};

}  // namespace tg
