// The elementwise entries (lib/backend/kernels/elementwise.ts): each kernel on the checked
// arguments; the shapes of argument lists repeat, so do the entries' macros.
#include "../kernels/elementwise.h"
#include "../registry.h"

namespace tg {

// f(first, second, out) over arrays of one length.
#define TG_BINARY(kernel) \
  TG_KERNEL(kernel) { kernel(call.in<float>(0), call.in<float>(1), call.out<float>(2), call.length(0)); }
// f(x, row, rows, cols, out).
#define TG_ROW(kernel) \
  TG_KERNEL(kernel) { kernel(call.in<float>(0), call.in<float>(1), call.index(2), call.index(3), call.out<float>(4)); }
// f(x, out).
#define TG_UNARY(kernel) \
  TG_KERNEL(kernel) { kernel(call.in<float>(0), call.out<float>(1), call.length(0)); }
// f(x, s, out).
#define TG_WITH_SCALAR(kernel) \
  TG_KERNEL(kernel) { kernel(call.in<float>(0), call.single(1), call.out<float>(2), call.length(0)); }
// f(x, dy, s, dx).
#define TG_BACKWARD_WITH_SCALAR(kernel) \
  TG_KERNEL(kernel) { kernel(call.in<float>(0), call.in<float>(1), call.single(2), call.out<float>(3), call.length(0)); }

TG_BINARY(add)
TG_BINARY(sub)
TG_BINARY(mul)
TG_BINARY(div)
TG_BINARY(expBackward)
TG_BINARY(logBackward)
TG_BINARY(sqrtBackward)
TG_BINARY(tanhBackward)
TG_BINARY(sigmoidBackward)
TG_BINARY(reluBackward)
TG_BINARY(geluBackward)
TG_BINARY(geluTanhBackward)
TG_ROW(addRow)
TG_ROW(subRow)
TG_ROW(mulRow)
TG_ROW(divRow)
TG_UNARY(exp)
TG_UNARY(log)
TG_UNARY(sqrt)
TG_UNARY(tanh)
TG_UNARY(sigmoid)
TG_UNARY(relu)
TG_UNARY(gelu)
TG_UNARY(geluTanh)
TG_WITH_SCALAR(addScalar)
TG_WITH_SCALAR(subScalar)
TG_WITH_SCALAR(mulScalar)
TG_WITH_SCALAR(divScalar)
TG_WITH_SCALAR(leakyRelu)
TG_WITH_SCALAR(elu)
TG_BACKWARD_WITH_SCALAR(leakyReluBackward)
TG_BACKWARD_WITH_SCALAR(eluBackward)

TG_KERNEL(prelu) {
  prelu(call.in<float>(0), call.in<float>(1), call.index(2), call.index(3), call.out<float>(4));
}

TG_KERNEL(preluBackward) {
  preluBackward(call.in<float>(0), call.in<float>(1), call.in<float>(2), call.index(3), call.index(4), call.out<float>(5),
                call.out<float>(6));
}

TG_KERNEL(softplus) {
  softplus(call.in<float>(0), call.single(1), call.single(2), call.out<float>(3), call.length(0));
}

TG_KERNEL(softplusBackward) {
  softplusBackward(call.in<float>(0), call.in<float>(1), call.single(2), call.single(3), call.out<float>(4), call.length(0));
}

}  // namespace tg
