// The batch-normalization entries (lib/backend/kernels/norm.ts).
#include "../kernels/batchnorm.h"
#include "../registry.h"

namespace tg {

TG_KERNEL(batchNormTrain) {
  // No channels: nothing to normalize or update. The kernel would still walk all n images,
  // and n alone may be up to 2^53 (hostile sizes must not hang the process).
  if (call.index(2) == 0) return;
  batchNormTrain(call.in<float>(0), call.index(1), call.index(2), call.index(3), call.in<float>(4), call.in<float>(5),
                 call.out<float>(6), call.out<float>(7), call.real(8), call.real(9), call.out<float>(10), call.out<float>(11),
                 call.out<float>(12));
}

TG_KERNEL(batchNormEval) {
  if (call.length(0) == 0) return;  // y is empty; n may be 2^53 with c = 0
  batchNormEval(call.in<float>(0), call.index(1), call.index(2), call.index(3), call.in<float>(4), call.in<float>(5),
                call.in<float>(6), call.in<float>(7), call.real(8), call.out<float>(9));
}

TG_KERNEL(batchNormBackward) {
  if (call.index(3) == 0) return;  // every output is empty; n may be 2^53
  batchNormBackward(call.in<float>(0), call.in<float>(1), call.index(2), call.index(3), call.index(4), call.in<float>(5),
                    call.in<float>(6), call.in<float>(7), call.out<float>(8), call.out<float>(9), call.out<float>(10));
}

}  // namespace tg
