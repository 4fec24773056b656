// Elementwise exports: argument checks, then the kernels. Outputs may be exactly an input of
// their own shape (in place); any other overlap is refused.
#include <string>

#include "../args.h"
#include "../kernels/elementwise.h"
#include "export.h"

namespace tg {

namespace {

// An output of an input's shape: the same array is allowed, a partial overlap is not.
void requireSameOrDisjoint(const Args& args, const F32Arg& out, const F32Arg& in) {
  if (out.data != in.data) args.requireDisjoint(out, in);
}

// out = f(first, second) elementwise over arrays of one length.
template <void (*Kernel)(const float*, const float*, float*, size_t)>
Napi::Value Binary(const Napi::CallbackInfo& info, const char* fn, const char* first,
                   const char* second, const char* output) {
  Args args(info, fn, 3);
  const F32Arg a = args.f32(0, first);
  const F32Arg b = args.f32(1, second);
  const F32Arg out = args.f32(2, output);
  const std::string length = std::string(first) + ".length";
  args.requireLength(b, a.length, length.c_str());
  args.requireLength(out, a.length, length.c_str());
  requireSameOrDisjoint(args, out, a);
  requireSameOrDisjoint(args, out, b);
  Kernel(a.data, b.data, out.data, a.length);
  return info.Env().Undefined();
}

// out[i, j] = x[i, j] op row[j]; out may be x, never row.
template <void (*Kernel)(const float*, const float*, size_t, size_t, float*)>
Napi::Value Row(const Napi::CallbackInfo& info, const char* fn) {
  Args args(info, fn, 5);
  const F32Arg x = args.f32(0, "x");
  const F32Arg row = args.f32(1, "row");
  const uint64_t rows = args.index(2, "rows"), cols = args.index(3, "cols");
  const F32Arg out = args.f32(4, "out");
  const uint64_t size = args.product(rows, cols, "rows*cols");
  args.requireLength(x, size, "rows*cols");
  args.requireLength(row, cols, "cols");
  args.requireLength(out, size, "rows*cols");
  requireSameOrDisjoint(args, out, x);
  args.requireDisjoint(out, row);
  Kernel(x.data, row.data, rows, cols, out.data);
  return info.Env().Undefined();
}

// out = f(x) elementwise.
template <void (*Kernel)(const float*, float*, size_t)>
Napi::Value Unary(const Napi::CallbackInfo& info, const char* fn) {
  Args args(info, fn, 2);
  const F32Arg x = args.f32(0, "x");
  const F32Arg out = args.f32(1, "out");
  args.requireLength(out, x.length, "x.length");
  requireSameOrDisjoint(args, out, x);
  Kernel(x.data, out.data, x.length);
  return info.Env().Undefined();
}

// out = f(x, s) elementwise with one finite float32 parameter s.
template <void (*Kernel)(const float*, float, float*, size_t)>
Napi::Value WithScalar(const Napi::CallbackInfo& info, const char* fn, const char* param) {
  Args args(info, fn, 3);
  const F32Arg x = args.f32(0, "x");
  const float s = args.finiteFloat(1, param);
  const F32Arg out = args.f32(2, "out");
  args.requireLength(out, x.length, "x.length");
  requireSameOrDisjoint(args, out, x);
  Kernel(x.data, s, out.data, x.length);
  return info.Env().Undefined();
}

// dx = f(x, dy, s) elementwise with one finite float32 parameter s.
template <void (*Kernel)(const float*, const float*, float, float*, size_t)>
Napi::Value BackwardWithScalar(const Napi::CallbackInfo& info, const char* fn, const char* param) {
  Args args(info, fn, 4);
  const F32Arg x = args.f32(0, "x");
  const F32Arg dy = args.f32(1, "dy");
  const float s = args.finiteFloat(2, param);
  const F32Arg dx = args.f32(3, "dx");
  args.requireLength(dy, x.length, "x.length");
  args.requireLength(dx, x.length, "x.length");
  requireSameOrDisjoint(args, dx, x);
  requireSameOrDisjoint(args, dx, dy);
  Kernel(x.data, dy.data, s, dx.data, x.length);
  return info.Env().Undefined();
}

// beta > 0 once rounded to float32 (softplus divides by it); threshold any finite float32.
float positiveBeta(const Napi::CallbackInfo& info, const Args& args, size_t i) {
  const float beta = args.finiteFloat(i, "beta");
  if (!(beta > 0.0f)) {
    args.rangeError("Expected a positive float32 number for beta but received " + describe(info[i]));
  }
  return beta;
}

Napi::Value Softplus(const Napi::CallbackInfo& info) {
  Args args(info, "softplus", 4);
  const F32Arg x = args.f32(0, "x");
  const float beta = positiveBeta(info, args, 1);
  const float threshold = args.finiteFloat(2, "threshold");
  const F32Arg out = args.f32(3, "out");
  args.requireLength(out, x.length, "x.length");
  requireSameOrDisjoint(args, out, x);
  softplus(x.data, beta, threshold, out.data, x.length);
  return info.Env().Undefined();
}

Napi::Value SoftplusBackward(const Napi::CallbackInfo& info) {
  Args args(info, "softplusBackward", 5);
  const F32Arg x = args.f32(0, "x");
  const F32Arg dy = args.f32(1, "dy");
  const float beta = positiveBeta(info, args, 2);
  const float threshold = args.finiteFloat(3, "threshold");
  const F32Arg dx = args.f32(4, "dx");
  args.requireLength(dy, x.length, "x.length");
  args.requireLength(dx, x.length, "x.length");
  requireSameOrDisjoint(args, dx, x);
  requireSameOrDisjoint(args, dx, dy);
  softplusBackward(x.data, dy.data, beta, threshold, dx.data, x.length);
  return info.Env().Undefined();
}

Napi::Value Prelu(const Napi::CallbackInfo& info) {
  Args args(info, "prelu", 5);
  const F32Arg x = args.f32(0, "x");
  const F32Arg slope = args.f32(1, "slope");
  const uint64_t rows = args.index(2, "rows"), channels = args.index(3, "channels");
  const F32Arg out = args.f32(4, "out");
  const uint64_t size = args.product(rows, channels, "rows*channels");
  args.requireLength(x, size, "rows*channels");
  args.requireLength(slope, channels, "channels");
  args.requireLength(out, size, "rows*channels");
  requireSameOrDisjoint(args, out, x);
  args.requireDisjoint(out, slope);
  prelu(x.data, slope.data, rows, channels, out.data);
  return info.Env().Undefined();
}

Napi::Value PreluBackward(const Napi::CallbackInfo& info) {
  Args args(info, "preluBackward", 7);
  const F32Arg x = args.f32(0, "x");
  const F32Arg slope = args.f32(1, "slope");
  const F32Arg dy = args.f32(2, "dy");
  const uint64_t rows = args.index(3, "rows"), channels = args.index(4, "channels");
  const F32Arg dx = args.f32(5, "dx");
  const F32Arg dslope = args.f32(6, "dslope");
  const uint64_t size = args.product(rows, channels, "rows*channels");
  args.requireLength(x, size, "rows*channels");
  args.requireLength(slope, channels, "channels");
  args.requireLength(dy, size, "rows*channels");
  args.requireLength(dx, size, "rows*channels");
  args.requireLength(dslope, channels, "channels");
  requireSameOrDisjoint(args, dx, x);
  requireSameOrDisjoint(args, dx, dy);
  args.requireDisjoint(dx, slope);
  args.requireDisjoint(dslope, x);
  args.requireDisjoint(dslope, slope);
  args.requireDisjoint(dslope, dy);
  args.requireDisjoint(dslope, dx);
  preluBackward(x.data, slope.data, dy.data, rows, channels, dx.data, dslope.data);
  return info.Env().Undefined();
}

#define TG_BINARY(Name, kernel, first, second, output) \
  Napi::Value Name(const Napi::CallbackInfo& info) { \
    return Binary<kernel>(info, #kernel, first, second, output); \
  }
TG_BINARY(Add, add, "a", "b", "out")
TG_BINARY(Sub, sub, "a", "b", "out")
TG_BINARY(Mul, mul, "a", "b", "out")
TG_BINARY(Div, div, "a", "b", "out")
TG_BINARY(ReluBackward, reluBackward, "x", "dy", "dx")
TG_BINARY(ExpBackward, expBackward, "y", "dy", "dx")
TG_BINARY(LogBackward, logBackward, "x", "dy", "dx")
TG_BINARY(SqrtBackward, sqrtBackward, "y", "dy", "dx")
TG_BINARY(TanhBackward, tanhBackward, "y", "dy", "dx")
TG_BINARY(SigmoidBackward, sigmoidBackward, "y", "dy", "dx")
TG_BINARY(GeluBackward, geluBackward, "x", "dy", "dx")
TG_BINARY(GeluTanhBackward, geluTanhBackward, "x", "dy", "dx")
#undef TG_BINARY

#define TG_ROW(Name, kernel) \
  Napi::Value Name(const Napi::CallbackInfo& info) { return Row<kernel>(info, #kernel); }
TG_ROW(AddRow, addRow)
TG_ROW(SubRow, subRow)
TG_ROW(MulRow, mulRow)
TG_ROW(DivRow, divRow)
#undef TG_ROW

#define TG_WITH_SCALAR(Name, kernel, param) \
  Napi::Value Name(const Napi::CallbackInfo& info) { \
    return WithScalar<kernel>(info, #kernel, param); \
  }
TG_WITH_SCALAR(AddScalar, addScalar, "s")
TG_WITH_SCALAR(SubScalar, subScalar, "s")
TG_WITH_SCALAR(MulScalar, mulScalar, "s")
TG_WITH_SCALAR(DivScalar, divScalar, "s")
TG_WITH_SCALAR(LeakyRelu, leakyRelu, "slope")
TG_WITH_SCALAR(Elu, elu, "alpha")
#undef TG_WITH_SCALAR

#define TG_BACKWARD_WITH_SCALAR(Name, kernel, param) \
  Napi::Value Name(const Napi::CallbackInfo& info) { \
    return BackwardWithScalar<kernel>(info, #kernel, param); \
  }
TG_BACKWARD_WITH_SCALAR(LeakyReluBackward, leakyReluBackward, "slope")
TG_BACKWARD_WITH_SCALAR(EluBackward, eluBackward, "alpha")
#undef TG_BACKWARD_WITH_SCALAR

#define TG_UNARY(Name, kernel) \
  Napi::Value Name(const Napi::CallbackInfo& info) { return Unary<kernel>(info, #kernel); }
TG_UNARY(Relu, relu)
TG_UNARY(Exp, exp)
TG_UNARY(Log, log)
TG_UNARY(Sqrt, sqrt)
TG_UNARY(Tanh, tanh)
TG_UNARY(Sigmoid, sigmoid)
TG_UNARY(Gelu, gelu)
TG_UNARY(GeluTanh, geluTanh)
#undef TG_UNARY

}  // namespace

void registerElementwise(Napi::Env env, Napi::Object exports) {
  define<Add>(env, exports, "add");
  define<Sub>(env, exports, "sub");
  define<Mul>(env, exports, "mul");
  define<Div>(env, exports, "div");
  define<AddRow>(env, exports, "addRow");
  define<SubRow>(env, exports, "subRow");
  define<MulRow>(env, exports, "mulRow");
  define<DivRow>(env, exports, "divRow");
  define<AddScalar>(env, exports, "addScalar");
  define<SubScalar>(env, exports, "subScalar");
  define<MulScalar>(env, exports, "mulScalar");
  define<DivScalar>(env, exports, "divScalar");
  define<Exp>(env, exports, "exp");
  define<ExpBackward>(env, exports, "expBackward");
  define<Log>(env, exports, "log");
  define<LogBackward>(env, exports, "logBackward");
  define<Sqrt>(env, exports, "sqrt");
  define<SqrtBackward>(env, exports, "sqrtBackward");
  define<Tanh>(env, exports, "tanh");
  define<TanhBackward>(env, exports, "tanhBackward");
  define<Sigmoid>(env, exports, "sigmoid");
  define<SigmoidBackward>(env, exports, "sigmoidBackward");
  define<Relu>(env, exports, "relu");
  define<ReluBackward>(env, exports, "reluBackward");
  define<LeakyRelu>(env, exports, "leakyRelu");
  define<LeakyReluBackward>(env, exports, "leakyReluBackward");
  define<Prelu>(env, exports, "prelu");
  define<PreluBackward>(env, exports, "preluBackward");
  define<Elu>(env, exports, "elu");
  define<EluBackward>(env, exports, "eluBackward");
  define<Softplus>(env, exports, "softplus");
  define<SoftplusBackward>(env, exports, "softplusBackward");
  define<Gelu>(env, exports, "gelu");
  define<GeluBackward>(env, exports, "geluBackward");
  define<GeluTanh>(env, exports, "geluTanh");
  define<GeluTanhBackward>(env, exports, "geluTanhBackward");
}

}  // namespace tg
