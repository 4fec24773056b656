#include "args.h"

#include <cfloat>
#include <charconv>
#include <cmath>

namespace tg {

std::string formatNumber(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  char buf[32];
  const auto result = std::to_chars(buf, buf + sizeof buf, v);  // shortest round-trip form
  return std::string(buf, result.ptr);
}

namespace {

const char* typedArrayName(napi_typedarray_type type) {
  switch (type) {
    case napi_int8_array: return "Int8Array";
    case napi_uint8_array: return "Uint8Array";
    case napi_uint8_clamped_array: return "Uint8ClampedArray";
    case napi_int16_array: return "Int16Array";
    case napi_uint16_array: return "Uint16Array";
    case napi_int32_array: return "Int32Array";
    case napi_uint32_array: return "Uint32Array";
    case napi_float32_array: return "Float32Array";
    case napi_float64_array: return "Float64Array";
    case napi_bigint64_array: return "BigInt64Array";
    case napi_biguint64_array: return "BigUint64Array";
  }
  return "typed array";
}

}  // namespace

std::string describe(const Napi::Value& value) {
  switch (value.Type()) {
    case napi_undefined: return "undefined";
    case napi_null: return "null";
    case napi_boolean: return value.As<Napi::Boolean>().Value() ? "true" : "false";
    case napi_number: return formatNumber(value.As<Napi::Number>().DoubleValue());
    case napi_string: return "a string";
    case napi_symbol: return "a symbol";
    case napi_bigint: return "a bigint";
    case napi_function: return "a function";
    case napi_external: return "an external";
    case napi_object: break;
  }
  if (value.IsTypedArray()) {
    auto array = value.As<Napi::TypedArray>();
    return std::string("a ") + typedArrayName(array.TypedArrayType()) + " of length " +
           std::to_string(array.ElementLength());
  }
  if (value.IsArray()) return "an Array";
  if (value.IsArrayBuffer()) return "an ArrayBuffer";
  return "an object";
}

Args::Args(const Napi::CallbackInfo& info, const char* fn, size_t count) : info_(info), fn_(fn) {
  if (info.Length() != count) {
    typeError("Expected " + std::to_string(count) + " arguments but received " +
              std::to_string(info.Length()));
  }
}

std::string Args::expected(const char* what, const char* name, size_t i) const {
  return std::string("Expected ") + what + " for " + name + " but received " + describe(info_[i]);
}

void Args::typeError(const std::string& what) const {
  throw Napi::TypeError::New(info_.Env(), std::string(fn_) + ": " + what);
}

void Args::rangeError(const std::string& what) const {
  throw Napi::RangeError::New(info_.Env(), std::string(fn_) + ": " + what);
}

F32Arg Args::f32(size_t i, const char* name) const {
  Napi::Value v = info_[i];
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    typeError(expected("a Float32Array", name, i));
  }
  auto array = v.As<Napi::Float32Array>();
  return {array.Data(), array.ElementLength(), name};
}

U32Arg Args::u32(size_t i, const char* name) const {
  Napi::Value v = info_[i];
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_uint32_array) {
    typeError(expected("a Uint32Array", name, i));
  }
  auto array = v.As<Napi::Uint32Array>();
  return {array.Data(), array.ElementLength(), name};
}

I32Arg Args::i32(size_t i, const char* name) const {
  Napi::Value v = info_[i];
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
    typeError(expected("an Int32Array", name, i));
  }
  auto array = v.As<Napi::Int32Array>();
  return {array.Data(), array.ElementLength(), name};
}

uint64_t Args::index(size_t i, const char* name) const {
  Napi::Value v = info_[i];
  if (!v.IsNumber()) typeError(expected("a non-negative integer", name, i));
  double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= 0) || d > static_cast<double>(kMaxSafeInteger) || std::floor(d) != d) {
    rangeError(expected("a non-negative integer no larger than 2^53-1", name, i));
  }
  return static_cast<uint64_t>(d);
}

bool Args::flag(size_t i, const char* name) const {
  Napi::Value v = info_[i];
  if (!v.IsBoolean()) typeError(expected("a boolean", name, i));
  return v.As<Napi::Boolean>().Value();
}

double Args::finiteDouble(size_t i, const char* name) const {
  Napi::Value v = info_[i];
  if (!v.IsNumber()) typeError(expected("a finite number", name, i));
  double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d)) rangeError(expected("a finite number", name, i));
  return d;
}

float Args::finiteFloat(size_t i, const char* name) const {
  Napi::Value v = info_[i];
  if (!v.IsNumber()) typeError(expected("a finite float32 number", name, i));
  double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || std::fabs(d) > static_cast<double>(FLT_MAX)) {
    rangeError(expected("a finite float32 number", name, i));
  }
  return static_cast<float>(d);
}

uint64_t Args::product(uint64_t a, uint64_t b, const char* expr) const {
  uint64_t r;
  if (__builtin_mul_overflow(a, b, &r) || r > kMaxSafeInteger) {
    rangeError(std::string("Expected ") + expr + " to be no larger than 2^53-1 but it is " +
               formatNumber(static_cast<double>(a) * static_cast<double>(b)));
  }
  return r;
}

void Args::lengthError(const char* name, size_t actual, uint64_t expected, const char* expr,
                       const char* type) const {
  rangeError(std::string("Expected a ") + type + " of length " + expr + " = " +
             std::to_string(expected) + " for " + name + " but received a " + type +
             " of length " + std::to_string(actual));
}

void Args::overlapError(const char* out, const char* in) const {
  rangeError(std::string("Expected ") + out + " not to share memory with " + in +
             " but the two overlap");
}

}  // namespace tg
