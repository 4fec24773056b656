// The layout entries (lib/backend/kernels/layout.ts).
#include "../kernels/layout.h"
#include "../registry.h"

namespace tg {

TG_KERNEL(transpose) {
  transpose(call.in<float>(0), call.index(1), call.index(2), call.out<float>(3));
}

TG_KERNEL(gatherRows) {
  // Rows of no columns: nothing to copy (and x, out may be null, which memcpy must not get).
  if (call.index(2) == 0) return;
  gatherRows(call.in<float>(0), call.index(2), call.in<int32_t>(3), call.length(3), call.out<float>(4));
}

TG_KERNEL(scatterAddRows) {
  scatterAddRows(call.in<float>(0), call.in<int32_t>(1), call.length(1), call.index(3), call.out<float>(4));
}

}  // namespace tg
