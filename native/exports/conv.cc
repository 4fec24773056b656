// The convolution entries (lib/backend/kernels/conv.ts): each reads the 16 geometry numbers its
// declaration gives after the input arrays, and the output grid the declaration derives.
#include "../kernels/conv.h"
#include "../registry.h"

namespace tg {

namespace {

// The geometry from argument `at` (batch, inChannels, height, width, outChannels, kernelH,
// kernelW, strideH, strideW, padTop, padLeft, padBottom, padRight, dilationH, dilationW, groups)
// and the derived outH, outW (derived sizes 4 and 5). padBottom and padRight live in outH, outW.
ConvShape shapeOf(const Call& call, size_t at) {
  const auto arg = [&](size_t k) { return static_cast<size_t>(call.index(at + k)); };
  return {arg(0), arg(1), arg(2), arg(3), arg(4), arg(5), arg(6), arg(7), arg(8), arg(9), arg(10), arg(13), arg(14), arg(15),
          static_cast<size_t>(call.derived(4)), static_cast<size_t>(call.derived(5))};
}

}  // namespace

// The declaration's choices, in order: "none", "relu".
TG_KERNEL(conv2d) {
  static constexpr Activation kActivations[] = {Activation::None, Activation::Relu};
  if (call.length(20) == 0) return;  // no outputs (and batch alone may be 2^53)
  conv2dForward(shapeOf(call, 3), call.inOrNull<float>(0), call.inOrNull<float>(1), call.inOrNull<float>(2),
                kActivations[call.choice(19)], call.out<float>(20));
}

TG_KERNEL(conv2dBackwardData) {
  if (call.length(18) == 0) return;  // no pixels to write
  conv2dBackwardData(shapeOf(call, 2), call.inOrNull<float>(0), call.inOrNull<float>(1), call.out<float>(18));
}

TG_KERNEL(conv2dBackwardWeight) {
  if (call.length(19) == 0) return;  // no output channels: dweight is empty too
  conv2dBackwardWeight(shapeOf(call, 2), call.inOrNull<float>(0), call.inOrNull<float>(1), call.outOrNull<float>(18),
                       call.out<float>(19));
}

}  // namespace tg
