// gemm and gemmBiasActivation: argument checks, then the kernel.
#include <string>

#include "../args.h"
#include "../kernels/gemm.h"
#include "export.h"

namespace tg {

namespace {

Napi::Value Gemm(const Napi::CallbackInfo& info) {
  Args args(info, "gemm", 10);
  const bool transA = args.flag(0, "transA");
  const bool transB = args.flag(1, "transB");
  const uint64_t m = args.index(2, "m"), n = args.index(3, "n"), k = args.index(4, "k");
  const float alpha = args.finiteFloat(5, "alpha");
  const F32Arg a = args.f32(6, "a");
  const F32Arg b = args.f32(7, "b");
  const float beta = args.finiteFloat(8, "beta");
  const F32Arg c = args.f32(9, "c");
  args.requireLength(a, args.product(m, k, "m*k"), "m*k");
  args.requireLength(b, args.product(k, n, "k*n"), "k*n");
  args.requireLength(c, args.product(m, n, "m*n"), "m*n");
  args.requireDisjoint(c, a);
  args.requireDisjoint(c, b);
  gemm(transA, transB, m, n, k, alpha, a.data, b.data, beta, c.data);
  return info.Env().Undefined();
}

// "none" | "relu" | "leakyRelu", or a TypeError naming the choices.
Activation activationArg(const Napi::CallbackInfo& info, size_t i) {
  const std::string name = info[i].IsString() ? info[i].As<Napi::String>().Utf8Value() : "";
  if (name == "none") return Activation::None;
  if (name == "relu") return Activation::Relu;
  if (name == "leakyRelu") return Activation::LeakyRelu;
  throw Napi::TypeError::New(info.Env(), "gemmBiasActivation: Expected \"none\", \"relu\" or "
                                         "\"leakyRelu\" for activation but received " +
                                             describe(info[i]));
}

Napi::Value GemmBiasActivation(const Napi::CallbackInfo& info) {
  Args args(info, "gemmBiasActivation", 11);
  const bool transA = args.flag(0, "transA");
  const bool transB = args.flag(1, "transB");
  const uint64_t m = args.index(2, "m"), n = args.index(3, "n"), k = args.index(4, "k");
  const F32Arg a = args.f32(5, "a");
  const F32Arg b = args.f32(6, "b");
  const F32Arg bias = args.f32(7, "bias");
  const Activation activation = activationArg(info, 8);
  const float slope = args.finiteFloat(9, "slope");
  const F32Arg c = args.f32(10, "c");
  args.requireLength(a, args.product(m, k, "m*k"), "m*k");
  args.requireLength(b, args.product(k, n, "k*n"), "k*n");
  args.requireLength(bias, n, "n");
  args.requireLength(c, args.product(m, n, "m*n"), "m*n");
  args.requireDisjoint(c, a);
  args.requireDisjoint(c, b);
  args.requireDisjoint(c, bias);
  gemmBiasActivation(transA, transB, m, n, k, a.data, b.data, bias.data, activation, slope, c.data);
  return info.Env().Undefined();
}

}  // namespace

void registerGemm(Napi::Env env, Napi::Object exports) {
  define<Gemm>(env, exports, "gemm");
  define<GemmBiasActivation>(env, exports, "gemmBiasActivation");
}

}  // namespace tg
