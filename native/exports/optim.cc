// Optimizer-update exports: argument checks in the order of lib/backend/reference/optim.ts,
// then the kernels.
#include <cmath>
#include <initializer_list>
#include <string>

#include "../args.h"
#include "../kernels/optim.h"
#include "export.h"

namespace tg {

namespace {

std::string formatBound(double v) {
  return v == static_cast<double>(static_cast<long long>(v)) ? std::to_string(static_cast<long long>(v))
                                                             : std::to_string(v);
}

// A finite number in [low, high) ([low, high] when closed), as PyTorch's checks.
double inRange(const Args& args, const Napi::CallbackInfo& info, size_t i, const char* name,
               double low, double high = INFINITY, bool closed = false) {
  const double v = args.finiteDouble(i, name);
  if (v < low || (closed ? v > high : v >= high)) {
    const std::string interval = std::isinf(high)
        ? ">= " + formatBound(low)
        : "in [" + formatBound(low) + ", " + formatBound(high) + (closed ? "]" : ")");
    args.rangeError("Expected a number " + interval + " for " + name + " but received " +
                    describe(info[i]));
  }
  return v;
}

uint64_t stepNumber(const Args& args, const Napi::CallbackInfo& info, size_t i) {
  const uint64_t t = args.index(i, "step");
  if (t < 1) {
    args.rangeError("Expected a step number of at least 1 for step but received " + describe(info[i]));
  }
  return t;
}

struct ArraySpec {
  size_t position;
  const char* name;
  // Why an optional state is unused ("momentum is 0"), when it is; it must then be empty.
  const char* unusedWhen;
};

// param (first) sets the length; every array is checked for kind, then for length, then all
// pairs for shared memory. Unused states come back as null.
template <size_t N>
void arrays(const Args& args, const Napi::CallbackInfo& info, const ArraySpec (&specs)[N], float* (&out)[N]) {
  F32Arg a[N];
  for (size_t k = 0; k < N; ++k) a[k] = args.f32(specs[k].position, specs[k].name);
  for (size_t k = 1; k < N; ++k) {
    if (specs[k].unusedWhen == nullptr) {
      args.requireLength(a[k], a[0].length, "param.length");
    } else if (a[k].length != 0) {
      args.rangeError(std::string("Expected an empty Float32Array for ") + specs[k].name + " (unused when " +
                      specs[k].unusedWhen + ") but received " + describe(info[specs[k].position]));
    }
  }
  for (size_t k = 0; k < N; ++k) {
    for (size_t j = 0; j < k; ++j) args.requireDisjoint(a[k], a[j]);
  }
  for (size_t k = 0; k < N; ++k) out[k] = specs[k].unusedWhen == nullptr ? a[k].data : nullptr;
}

constexpr const char* kUsed = nullptr;

size_t lengthOf(const Napi::CallbackInfo& info) { return info[0].As<Napi::Float32Array>().ElementLength(); }

Napi::Value SgdStep(const Napi::CallbackInfo& info) {
  Args args(info, "sgdStep", 9);
  SgdOptions o;
  o.momentum = inRange(args, info, 4, "momentum", 0);
  float* a[3];
  arrays(args, info, {{0, "param", kUsed}, {1, "grad", kUsed}, {2, "momentumBuffer", o.momentum > 0 ? kUsed : "momentum is 0"}}, a);
  o.lr = inRange(args, info, 3, "lr", 0);
  o.dampening = args.finiteDouble(5, "dampening");
  o.weightDecay = inRange(args, info, 6, "weightDecay", 0);
  o.nesterov = args.flag(7, "nesterov");
  if (o.nesterov && (o.momentum <= 0 || o.dampening != 0)) {
    args.rangeError("Expected momentum > 0 and dampening = 0 for nesterov but received momentum " +
                    describe(info[4]) + " and dampening " + describe(info[5]));
  }
  o.step = stepNumber(args, info, 8);
  sgdStep(a[0], a[1], a[2], lengthOf(info), o);
  return info.Env().Undefined();
}

Napi::Value AdagradStep(const Napi::CallbackInfo& info) {
  Args args(info, "adagradStep", 8);
  float* a[3];
  arrays(args, info, {{0, "param", kUsed}, {1, "grad", kUsed}, {2, "stateSum", kUsed}}, a);
  AdagradOptions o;
  o.lr = inRange(args, info, 3, "lr", 0);
  o.lrDecay = inRange(args, info, 4, "lrDecay", 0);
  o.weightDecay = inRange(args, info, 5, "weightDecay", 0);
  o.eps = inRange(args, info, 6, "eps", 0);
  o.step = stepNumber(args, info, 7);
  adagradStep(a[0], a[1], a[2], lengthOf(info), o);
  return info.Env().Undefined();
}

Napi::Value RmspropStep(const Napi::CallbackInfo& info) {
  Args args(info, "rmspropStep", 11);
  RmspropOptions o;
  o.momentum = inRange(args, info, 9, "momentum", 0);
  o.centered = args.flag(10, "centered");
  float* a[5];
  arrays(args, info, {{0, "param", kUsed}, {1, "grad", kUsed}, {2, "squareAvg", kUsed},
                {3, "gradAvg", o.centered ? kUsed : "centered is false"},
                {4, "momentumBuffer", o.momentum > 0 ? kUsed : "momentum is 0"}}, a);
  o.lr = inRange(args, info, 5, "lr", 0);
  o.alpha = inRange(args, info, 6, "alpha", 0);
  o.eps = inRange(args, info, 7, "eps", 0);
  o.weightDecay = inRange(args, info, 8, "weightDecay", 0);
  rmspropStep(a[0], a[1], a[2], a[3], a[4], lengthOf(info), o);
  return info.Env().Undefined();
}

Napi::Value AdadeltaStep(const Napi::CallbackInfo& info) {
  Args args(info, "adadeltaStep", 8);
  float* a[4];
  arrays(args, info, {{0, "param", kUsed}, {1, "grad", kUsed}, {2, "squareAvg", kUsed}, {3, "accDelta", kUsed}}, a);
  AdadeltaOptions o;
  o.lr = inRange(args, info, 4, "lr", 0);
  o.rho = inRange(args, info, 5, "rho", 0, 1, true);
  o.eps = inRange(args, info, 6, "eps", 0);
  o.weightDecay = inRange(args, info, 7, "weightDecay", 0);
  adadeltaStep(a[0], a[1], a[2], a[3], lengthOf(info), o);
  return info.Env().Undefined();
}

Napi::Value AdamLike(const Napi::CallbackInfo& info, const char* fn, bool decoupled) {
  Args args(info, fn, 13);
  AdamOptions o;
  o.decoupled = decoupled;
  o.amsgrad = args.flag(10, "amsgrad");
  float* a[5];
  arrays(args, info, {{0, "param", kUsed}, {1, "grad", kUsed}, {2, "expAvg", kUsed}, {3, "expAvgSq", kUsed},
                {4, "maxExpAvgSq", o.amsgrad ? kUsed : "amsgrad is false"}}, a);
  o.lr = inRange(args, info, 5, "lr", 0);
  o.beta1 = inRange(args, info, 6, "beta1", 0, 1);
  o.beta2 = inRange(args, info, 7, "beta2", 0, 1);
  o.eps = inRange(args, info, 8, "eps", 0);
  o.weightDecay = inRange(args, info, 9, "weightDecay", 0);
  o.biasCorrection = args.flag(11, "biasCorrection");
  o.step = stepNumber(args, info, 12);
  adamStep(a[0], a[1], a[2], a[3], a[4], lengthOf(info), o);
  return info.Env().Undefined();
}

Napi::Value AdamStep(const Napi::CallbackInfo& info) { return AdamLike(info, "adamStep", false); }
Napi::Value AdamwStep(const Napi::CallbackInfo& info) { return AdamLike(info, "adamwStep", true); }

Napi::Value AdamaxStep(const Napi::CallbackInfo& info) {
  Args args(info, "adamaxStep", 10);
  float* a[4];
  arrays(args, info, {{0, "param", kUsed}, {1, "grad", kUsed}, {2, "expAvg", kUsed}, {3, "expInf", kUsed}}, a);
  AdamaxOptions o;
  o.lr = inRange(args, info, 4, "lr", 0);
  o.beta1 = inRange(args, info, 5, "beta1", 0, 1);
  o.beta2 = inRange(args, info, 6, "beta2", 0, 1);
  o.eps = inRange(args, info, 7, "eps", 0);
  o.weightDecay = inRange(args, info, 8, "weightDecay", 0);
  o.step = stepNumber(args, info, 9);
  adamaxStep(a[0], a[1], a[2], a[3], lengthOf(info), o);
  return info.Env().Undefined();
}

Napi::Value NadamStep(const Napi::CallbackInfo& info) {
  Args args(info, "nadamStep", 12);
  float* a[4];
  arrays(args, info, {{0, "param", kUsed}, {1, "grad", kUsed}, {2, "expAvg", kUsed}, {3, "expAvgSq", kUsed}}, a);
  NadamOptions o;
  o.lr = inRange(args, info, 4, "lr", 0);
  o.beta1 = inRange(args, info, 5, "beta1", 0, 1);
  o.beta2 = inRange(args, info, 6, "beta2", 0, 1);
  o.eps = inRange(args, info, 7, "eps", 0);
  o.weightDecay = inRange(args, info, 8, "weightDecay", 0);
  o.momentumDecay = inRange(args, info, 9, "momentumDecay", 0);
  o.muProduct = inRange(args, info, 10, "muProduct", 0, 1);
  o.step = stepNumber(args, info, 11);
  nadamStep(a[0], a[1], a[2], a[3], lengthOf(info), o);
  return info.Env().Undefined();
}

}  // namespace

void registerOptim(Napi::Env env, Napi::Object exports) {
  define<SgdStep>(env, exports, "sgdStep");
  define<AdagradStep>(env, exports, "adagradStep");
  define<RmspropStep>(env, exports, "rmspropStep");
  define<AdadeltaStep>(env, exports, "adadeltaStep");
  define<AdamStep>(env, exports, "adamStep");
  define<AdamwStep>(env, exports, "adamwStep");
  define<AdamaxStep>(env, exports, "adamaxStep");
  define<NadamStep>(env, exports, "nadamStep");
}

}  // namespace tg
