// The reduction entries (lib/backend/kernels/reduce.ts).
#include "../kernels/reduce.h"
#include "../registry.h"

namespace tg {

#define TG_ALONG(kernel) \
  TG_KERNEL(kernel) { kernel(call.in<float>(0), call.index(1), call.index(2), call.out<float>(3)); }
TG_ALONG(rowSum)
TG_ALONG(colSum)
TG_ALONG(rowMean)
TG_ALONG(colMean)
TG_ALONG(rowMax)

TG_KERNEL(rowArgmax) {
  rowArgmax(call.in<float>(0), call.index(1), call.index(2), call.out<int32_t>(3));
}

TG_KERNEL(colMeanVar) {
  colMeanVar(call.in<float>(0), call.index(1), call.index(2), call.out<float>(3), call.out<float>(4));
}

}  // namespace tg
