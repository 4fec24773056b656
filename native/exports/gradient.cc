// The gradient-utility entries (lib/backend/kernels/gradient.ts): the list and its overlaps are
// checked by the declarations.
#include <cmath>

#include "../kernels/gradient.h"
#include "../registry.h"

namespace tg {

namespace {

double norm(const std::vector<Span>& grads) {
  double sum = 0.0;
  for (const Span& g : grads) sum = sumOfSquares(static_cast<const float*>(g.data), g.length, sum);
  return std::sqrt(sum);
}

}  // namespace

TG_KERNEL(gradNorm) { call.result(norm(call.list(0))); }

TG_KERNEL(clipGradNorm) {
  const double total = norm(call.list(0));
  const double coef = call.real(1) / (total + 1e-6);
  if (!(coef >= 1.0)) {
    for (const Span& g : call.list(0)) scale(static_cast<float*>(g.data), g.length, static_cast<float>(coef));
  }
  call.result(total);
}

TG_KERNEL(clipGradValue) {
  for (const Span& g : call.list(0)) clampAbs(static_cast<float*>(g.data), g.length, call.single(1));
}

TG_KERNEL(firstNonFinite) {
  const size_t i = firstNonFinite(call.in<float>(0), call.length(0));
  call.result(i == call.length(0) ? -1.0 : static_cast<double>(i));
}

}  // namespace tg
