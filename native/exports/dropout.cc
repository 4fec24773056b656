// The dropout entries (lib/backend/kernels/dropout.ts): forward and backward share the kernel.
#include "../kernels/dropout.h"
#include "../registry.h"

namespace tg {

TG_KERNEL(dropoutForward) {
  dropout(call.in<float>(0), call.length(0), call.real(1), call.index(2), call.index(3), call.out<float>(4));
}

TG_KERNEL(dropoutBackward) {
  dropout(call.in<float>(0), call.length(0), call.real(1), call.index(2), call.index(3), call.out<float>(4));
}

}  // namespace tg
