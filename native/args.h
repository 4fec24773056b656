// Argument checks for every exported function. Each failure throws a JavaScript TypeError or
// RangeError that names the function and the argument, in the voice of lib/backend/validate.ts:
// "gemm: Expected a Float32Array for a but received a string".
#pragma once

#include <napi.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace tg {

// A typed-array argument: a view of JavaScript-owned memory, valid only during the call.
template <typename T>
struct ArrayArg {
  T* data;
  size_t length;
  const char* name;
};
using F32Arg = ArrayArg<float>;
using U32Arg = ArrayArg<uint32_t>;
using I32Arg = ArrayArg<int32_t>;

// Largest integer a JavaScript number holds exactly (Number.MAX_SAFE_INTEGER).
constexpr uint64_t kMaxSafeInteger = (uint64_t{1} << 53) - 1;

class Args {
 public:
  // Checks that exactly `count` arguments were passed.
  Args(const Napi::CallbackInfo& info, const char* fn, size_t count);

  F32Arg f32(size_t i, const char* name) const;
  U32Arg u32(size_t i, const char* name) const;
  I32Arg i32(size_t i, const char* name) const;
  // A non-negative integer no larger than Number.MAX_SAFE_INTEGER (sizes, seeds, offsets).
  uint64_t index(size_t i, const char* name) const;
  bool flag(size_t i, const char* name) const;
  // A finite number that float32 can hold (alpha, beta).
  float finiteFloat(size_t i, const char* name) const;
  // A finite number, kept in double precision.
  double finiteDouble(size_t i, const char* name) const;

  // a * b, or a RangeError naming `expr` when the product passes Number.MAX_SAFE_INTEGER.
  uint64_t product(uint64_t a, uint64_t b, const char* expr) const;
  template <typename T>
  void requireLength(const ArrayArg<T>& arg, uint64_t expected, const char* expr) const {
    if (arg.length != expected) lengthError(arg.name, arg.length, expected, expr, typeName<T>());
  }
  template <typename T, typename U>
  void requireDisjoint(const ArrayArg<T>& out, const ArrayArg<U>& in) const {
    const auto* o = reinterpret_cast<const char*>(out.data);
    const auto* p = reinterpret_cast<const char*>(in.data);
    size_t ob = out.length * sizeof(T), pb = in.length * sizeof(U);
    if (ob != 0 && pb != 0 && o < p + pb && p < o + ob) overlapError(out.name, in.name);
  }
  [[noreturn]] void rangeError(const std::string& what) const;

 private:
  template <typename T>
  static const char* typeName();
  [[noreturn]] void lengthError(const char* name, size_t actual, uint64_t expected,
                                const char* expr, const char* type) const;
  [[noreturn]] void overlapError(const char* out, const char* in) const;
  [[noreturn]] void typeError(const std::string& what) const;
  std::string expected(const char* what, const char* name, size_t i) const;

  const Napi::CallbackInfo& info_;
  const char* fn_;
};

template <>
inline const char* Args::typeName<float>() { return "Float32Array"; }
template <>
inline const char* Args::typeName<uint32_t>() { return "Uint32Array"; }
template <>
inline const char* Args::typeName<int32_t>() { return "Int32Array"; }

// A number as JavaScript prints it: shortest round-trip digits, "NaN", "Infinity".
std::string formatNumber(double v);

// Describes a JavaScript value for an error message: "a string", "NaN", "a Float64Array of length 3".
std::string describe(const Napi::Value& value);

}  // namespace tg
