// The softmax and loss entries (lib/backend/kernels/loss.ts): labels, targets and the mean's
// non-empty batch are checked by the declarations, before anything is written.
#include "../kernels/loss.h"
#include "../registry.h"

namespace tg {

TG_KERNEL(softmax) {
  // Nothing to compute; the kernels size a row's scratch by cols alone, which an empty input
  // does not bound ([0, 2^45] would ask for 256 TiB).
  if (call.index(1) == 0 || call.index(2) == 0) return;
  softmax(call.in<float>(0), call.index(1), call.index(2), call.out<float>(3));
}

TG_KERNEL(logSoftmax) {
  if (call.index(1) == 0 || call.index(2) == 0) return;
  logSoftmax(call.in<float>(0), call.index(1), call.index(2), call.out<float>(3));
}

TG_KERNEL(softmaxBackward) {
  softmaxBackward(call.in<float>(0), call.in<float>(1), call.index(2), call.index(3), call.out<float>(4));
}

TG_KERNEL(logSoftmaxBackward) {
  logSoftmaxBackward(call.in<float>(0), call.in<float>(1), call.index(2), call.index(3), call.out<float>(4));
}

TG_KERNEL(softmaxCrossEntropy) {
  call.out<float>(7)[0] = static_cast<float>(softmaxCrossEntropy(call.in<float>(0), call.in<int32_t>(1), call.index(2),
                                                                 call.index(3), call.inOrNull<float>(4), call.real(5),
                                                                 call.out<float>(6)));
}

TG_KERNEL(softmaxCrossEntropyBackward) {
  softmaxCrossEntropyBackward(call.in<float>(0), call.in<int32_t>(1), call.index(2), call.index(3), call.inOrNull<float>(4),
                              call.real(5), call.real(6), call.out<float>(7));
}

TG_KERNEL(hingeLoss) {
  call.out<float>(5)[0] =
      static_cast<float>(hingeLoss(call.in<float>(0), call.in<int32_t>(1), call.index(2), call.index(3), call.real(4)));
}

TG_KERNEL(hingeLossBackward) {
  hingeLossBackward(call.in<float>(0), call.in<int32_t>(1), call.index(2), call.index(3), call.real(4), call.real(5),
                    call.out<float>(6));
}

TG_KERNEL(bceWithLogits) {
  call.out<float>(6)[0] = static_cast<float>(bceWithLogits(call.in<float>(0), call.in<float>(1), call.index(2), call.index(3),
                                                           call.inOrNull<float>(4), call.flag(5)));
}

TG_KERNEL(bceWithLogitsBackward) {
  bceWithLogitsBackward(call.in<float>(0), call.in<float>(1), call.index(2), call.index(3), call.inOrNull<float>(4),
                        call.flag(5), call.real(6), call.out<float>(7));
}

TG_KERNEL(mse) {
  call.out<float>(3)[0] = static_cast<float>(mse(call.in<float>(0), call.in<float>(1), call.length(0), call.flag(2)));
}

TG_KERNEL(l1) {
  call.out<float>(3)[0] = static_cast<float>(l1(call.in<float>(0), call.in<float>(1), call.length(0), call.flag(2)));
}

TG_KERNEL(mseBackward) {
  mseBackward(call.in<float>(0), call.in<float>(1), call.length(0), call.flag(2), call.real(3), call.out<float>(4));
}

TG_KERNEL(l1Backward) {
  l1Backward(call.in<float>(0), call.in<float>(1), call.length(0), call.flag(2), call.real(3), call.out<float>(4));
}

}  // namespace tg
