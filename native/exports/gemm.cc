// gemm: argument checks, then the kernel.
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

}  // namespace

void registerGemm(Napi::Env env, Napi::Object exports) {
  define<Gemm>(env, exports, "gemm");
}

}  // namespace tg
