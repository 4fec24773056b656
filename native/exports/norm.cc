// Batch-normalization exports: argument checks, then the kernels. The checks and their order
// mirror lib/backend/reference/norm.ts, so both backends throw the same message.
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "../args.h"
#include "../kernels/batchnorm.h"
#include "export.h"

namespace tg {

namespace {

struct Named {
  F32Arg array;
  bool output;
};

// Every output shares no memory with any other array argument, except that the output named
// inPlace.first may be exactly the input named inPlace.second (elementwise in place).
void checkOutputs(const Args& args, const std::vector<Named>& arrays,
                  std::pair<const char*, const char*> inPlace) {
  for (const Named& out : arrays) {
    if (!out.output) continue;
    for (const Named& other : arrays) {
      if (&other == &out) continue;
      const bool mayAlias = std::string(out.array.name) == inPlace.first &&
                            std::string(other.array.name) == inPlace.second;
      if (mayAlias && out.array.data == other.array.data) continue;
      args.requireDisjoint(out.array, other.array);
    }
  }
}

// n, c, hw and the length of x they imply; returns {n*c*hw, n*hw}.
std::pair<uint64_t, uint64_t> checkShape(const Args& args, const F32Arg& x, uint64_t n, uint64_t c,
                                         uint64_t hw) {
  const uint64_t size = args.product(args.product(n, c, "n*c"), hw, "n*c*hw");
  const uint64_t m = args.product(n, hw, "n*hw");
  args.requireLength(x, size, "n*c*hw");
  return {size, m};
}

void requirePositive(const Args& args, const Napi::CallbackInfo& info, size_t i, double value,
                     const char* name) {
  if (!(value > 0)) {
    args.rangeError(std::string("Expected a positive number for ") + name + " but received " +
                    describe(info[i]));
  }
}

Napi::Value BatchNormTrain(const Napi::CallbackInfo& info) {
  Args args(info, "batchNormTrain", 13);
  const F32Arg x = args.f32(0, "x");
  const uint64_t n = args.index(1, "n"), c = args.index(2, "c"), hw = args.index(3, "hw");
  const F32Arg gamma = args.f32(4, "gamma"), beta = args.f32(5, "beta");
  const F32Arg runningMean = args.f32(6, "runningMean"), runningVar = args.f32(7, "runningVar");
  const double eps = args.finiteDouble(8, "eps"), momentum = args.finiteDouble(9, "momentum");
  const F32Arg y = args.f32(10, "y"), mean = args.f32(11, "mean"), invStd = args.f32(12, "invStd");
  const auto [size, m] = checkShape(args, x, n, c, hw);
  for (const F32Arg* a : {&gamma, &beta, &runningMean, &runningVar}) args.requireLength(*a, c, "c");
  args.requireLength(y, size, "n*c*hw");
  args.requireLength(mean, c, "c");
  args.requireLength(invStd, c, "c");
  requirePositive(args, info, 8, eps, "eps");
  if (!(momentum >= 0.0 && momentum <= 1.0)) {
    args.rangeError("Expected a number in [0, 1] for momentum but received " + describe(info[9]));
  }
  if (m < 2) {
    args.rangeError("Expected at least 2 values per channel but received n*hw = " +
                    std::to_string(m));
  }
  checkOutputs(args,
               {{x, false}, {gamma, false}, {beta, false}, {runningMean, true}, {runningVar, true},
                {y, true}, {mean, true}, {invStd, true}},
               {"y", "x"});
  // No channels: nothing to normalize or update. The kernel would still walk all n images,
  // and n alone may be up to 2^53 (hostile sizes must not hang the process).
  if (c == 0) return info.Env().Undefined();
  batchNormTrain(x.data, n, c, hw, gamma.data, beta.data, runningMean.data, runningVar.data, eps,
                 momentum, y.data, mean.data, invStd.data);
  return info.Env().Undefined();
}

Napi::Value BatchNormEval(const Napi::CallbackInfo& info) {
  Args args(info, "batchNormEval", 10);
  const F32Arg x = args.f32(0, "x");
  const uint64_t n = args.index(1, "n"), c = args.index(2, "c"), hw = args.index(3, "hw");
  const F32Arg gamma = args.f32(4, "gamma"), beta = args.f32(5, "beta");
  const F32Arg runningMean = args.f32(6, "runningMean"), runningVar = args.f32(7, "runningVar");
  const double eps = args.finiteDouble(8, "eps");
  const F32Arg y = args.f32(9, "y");
  const auto [size, m] = checkShape(args, x, n, c, hw);
  (void)m;
  for (const F32Arg* a : {&gamma, &beta, &runningMean, &runningVar}) args.requireLength(*a, c, "c");
  args.requireLength(y, size, "n*c*hw");
  requirePositive(args, info, 8, eps, "eps");
  checkOutputs(args,
               {{x, false}, {gamma, false}, {beta, false}, {runningMean, false},
                {runningVar, false}, {y, true}},
               {"y", "x"});
  if (size == 0) return info.Env().Undefined();  // y is empty; n may be 2^53 with c = 0
  batchNormEval(x.data, n, c, hw, gamma.data, beta.data, runningMean.data, runningVar.data, eps,
                y.data);
  return info.Env().Undefined();
}

Napi::Value BatchNormBackward(const Napi::CallbackInfo& info) {
  Args args(info, "batchNormBackward", 11);
  const F32Arg x = args.f32(0, "x"), dy = args.f32(1, "dy");
  const uint64_t n = args.index(2, "n"), c = args.index(3, "c"), hw = args.index(4, "hw");
  const F32Arg gamma = args.f32(5, "gamma"), mean = args.f32(6, "mean");
  const F32Arg invStd = args.f32(7, "invStd");
  const F32Arg dx = args.f32(8, "dx"), dgamma = args.f32(9, "dgamma"), dbeta = args.f32(10, "dbeta");
  const auto [size, m] = checkShape(args, x, n, c, hw);
  (void)m;
  args.requireLength(dy, size, "n*c*hw");
  for (const F32Arg* a : {&gamma, &mean, &invStd}) args.requireLength(*a, c, "c");
  args.requireLength(dx, size, "n*c*hw");
  args.requireLength(dgamma, c, "c");
  args.requireLength(dbeta, c, "c");
  checkOutputs(args,
               {{x, false}, {dy, false}, {gamma, false}, {mean, false}, {invStd, false},
                {dx, true}, {dgamma, true}, {dbeta, true}},
               {"dx", "dy"});
  if (c == 0) return info.Env().Undefined();  // every output is empty; n may be 2^53
  batchNormBackward(x.data, dy.data, n, c, hw, gamma.data, mean.data, invStd.data, dx.data,
                    dgamma.data, dbeta.data);
  return info.Env().Undefined();
}

}  // namespace

void registerNorm(Napi::Env env, Napi::Object exports) {
  define<BatchNormTrain>(env, exports, "batchNormTrain");
  define<BatchNormEval>(env, exports, "batchNormEval");
  define<BatchNormBackward>(env, exports, "batchNormBackward");
}

}  // namespace tg
