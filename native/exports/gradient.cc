// Gradient-utility exports: the list of gradients checked element by element, then the kernels.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "../args.h"
#include "../kernels/gradient.h"
#include "export.h"

namespace tg {

namespace {

struct Grad {
  float* data;
  size_t length;
  size_t index;  // position in the caller's Array, for messages
};

// The Array of Float32Arrays at argument 0. The elements are read first and their memory taken
// after, so no JavaScript (an index getter, say) runs between taking a pointer and using it.
std::vector<Grad> gradList(const Napi::CallbackInfo& info, const char* fn) {
  Napi::Env env = info.Env();
  if (!info[0].IsArray()) {
    throw Napi::TypeError::New(env, std::string(fn) + ": Expected an Array of Float32Arrays for grads but received " +
                                        describe(info[0]));
  }
  Napi::Array array = info[0].As<Napi::Array>();
  const uint32_t count = array.Length();
  std::vector<Napi::Value> values;
  values.reserve(std::min<uint32_t>(count, 1u << 16));
  for (uint32_t k = 0; k < count; ++k) {
    Napi::Value v = array.Get(k);
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
      throw Napi::TypeError::New(env, std::string(fn) + ": Expected a Float32Array for grads[" + std::to_string(k) +
                                          "] but received " + describe(v));
    }
    values.push_back(v);
  }
  std::vector<Grad> grads;
  grads.reserve(values.size());
  for (size_t k = 0; k < values.size(); ++k) {
    auto f = values[k].As<Napi::Float32Array>();
    grads.push_back({f.Data(), f.ElementLength(), k});
  }
  return grads;
}

// Arrays written in place must not share memory: sorted by address, neighbours must not overlap.
void requireAllDisjoint(const Args& args, std::vector<Grad> grads) {
  grads.erase(std::remove_if(grads.begin(), grads.end(), [](const Grad& g) { return g.length == 0; }),
              grads.end());
  std::sort(grads.begin(), grads.end(), [](const Grad& a, const Grad& b) { return a.data < b.data; });
  for (size_t k = 1; k < grads.size(); ++k) {
    const Grad& a = grads[k - 1];
    const Grad& b = grads[k];
    if (a.data + a.length > b.data) {
      const size_t first = std::min(a.index, b.index), second = std::max(a.index, b.index);
      args.rangeError("Expected grads[" + std::to_string(second) + "] not to share memory with grads[" +
                      std::to_string(first) + "] but the two overlap");
    }
  }
}

double norm(const std::vector<Grad>& grads) {
  double sum = 0.0;
  for (const Grad& g : grads) sum = sumOfSquares(g.data, g.length, sum);
  return std::sqrt(sum);
}

double nonNegative(const Args& args, const Napi::CallbackInfo& info, size_t i, const char* name, double v) {
  if (v < 0) args.rangeError(std::string("Expected a number >= 0 for ") + name + " but received " + describe(info[i]));
  return v;
}

Napi::Value GradNorm(const Napi::CallbackInfo& info) {
  Args args(info, "gradNorm", 1);
  return Napi::Number::New(info.Env(), norm(gradList(info, "gradNorm")));
}

Napi::Value ClipGradNorm(const Napi::CallbackInfo& info) {
  const char* fn = "clipGradNorm";
  Args args(info, fn, 2);
  const std::vector<Grad> grads = gradList(info, fn);
  const double maxNorm = nonNegative(args, info, 1, "maxNorm", args.finiteDouble(1, "maxNorm"));
  requireAllDisjoint(args, grads);
  const double total = norm(grads);
  const double coef = maxNorm / (total + 1e-6);
  if (!(coef >= 1.0)) {
    for (const Grad& g : grads) scale(g.data, g.length, static_cast<float>(coef));
  }
  return Napi::Number::New(info.Env(), total);
}

Napi::Value ClipGradValue(const Napi::CallbackInfo& info) {
  const char* fn = "clipGradValue";
  Args args(info, fn, 2);
  const std::vector<Grad> grads = gradList(info, fn);
  const float c = static_cast<float>(nonNegative(args, info, 1, "clipValue", args.finiteFloat(1, "clipValue")));
  requireAllDisjoint(args, grads);
  for (const Grad& g : grads) clampAbs(g.data, g.length, c);
  return info.Env().Undefined();
}

Napi::Value FirstNonFinite(const Napi::CallbackInfo& info) {
  Args args(info, "firstNonFinite", 1);
  const F32Arg x = args.f32(0, "x");
  const size_t i = firstNonFinite(x.data, x.length);
  return Napi::Number::New(info.Env(), i == x.length ? -1.0 : static_cast<double>(i));
}

}  // namespace

void registerGradient(Napi::Env env, Napi::Object exports) {
  define<GradNorm>(env, exports, "gradNorm");
  define<ClipGradNorm>(env, exports, "clipGradNorm");
  define<ClipGradValue>(env, exports, "clipGradValue");
  define<FirstNonFinite>(env, exports, "firstNonFinite");
}

}  // namespace tg
