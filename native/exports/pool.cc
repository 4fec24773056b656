// The pooling entries (lib/backend/kernels/pool.ts). The forward kernels take the output grid
// their declarations derive (derived sizes 4 and 7: outH, outW; ceilMode is already in them).
// Each returns at once when it has nothing to write: planes alone may be 2^53 when a plane is
// empty, and hostile sizes must not hang the process.
#include "../kernels/pool.h"
#include "../registry.h"

namespace tg {

namespace {

// planes, height, width from argument `at`, the window from `window` (kernel, stride, padding
// per axis; dilations at `dilation` when the kernel has them) and the output grid.
PoolShape shapeOf(const Call& call, size_t at, size_t window, size_t dilation, size_t outH, size_t outW) {
  return {call.index(at), call.index(at + 1), call.index(at + 2),
          window ? call.index(window) : 1, window ? call.index(window + 1) : 1,
          window ? call.index(window + 2) : 1, window ? call.index(window + 3) : 1,
          window ? call.index(window + 4) : 0, window ? call.index(window + 5) : 0,
          dilation ? call.index(dilation) : 1, dilation ? call.index(dilation + 1) : 1, outH, outW};
}

size_t derivedSize(const Call& call, size_t k) { return static_cast<size_t>(call.derived(k)); }

}  // namespace

TG_KERNEL(maxPool2d) {
  if (call.length(13) == 0) return;
  maxPool2d(shapeOf(call, 1, 4, 10, derivedSize(call, 4), derivedSize(call, 7)), call.in<float>(0), call.out<float>(13),
            call.out<int32_t>(14));
}

TG_KERNEL(maxPool2dBackward) {
  if (call.length(7) == 0) return;
  maxPool2dBackward(shapeOf(call, 2, 0, 0, call.index(5), call.index(6)), call.inOrNull<float>(0), call.inOrNull<int32_t>(1),
                    call.out<float>(7));
}

TG_KERNEL(avgPool2d) {
  if (call.length(13) == 0) return;
  avgPool2d(shapeOf(call, 1, 4, 0, derivedSize(call, 4), derivedSize(call, 7)), call.flag(11), call.index(12),
            call.in<float>(0), call.out<float>(13));
}

TG_KERNEL(avgPool2dBackward) {
  if (call.length(13) == 0) return;
  avgPool2dBackward(shapeOf(call, 1, 4, 0, derivedSize(call, 4), derivedSize(call, 7)), call.flag(11), call.index(12),
                    call.in<float>(0), call.out<float>(13));
}

TG_KERNEL(adaptiveAvgPool2d) {
  if (call.length(6) == 0) return;
  adaptiveAvgPool2d(shapeOf(call, 1, 0, 0, call.index(4), call.index(5)), call.in<float>(0), call.out<float>(6));
}

TG_KERNEL(adaptiveAvgPool2dBackward) {
  if (call.length(6) == 0) return;
  adaptiveAvgPool2dBackward(shapeOf(call, 1, 0, 0, call.index(4), call.index(5)), call.in<float>(0), call.out<float>(6));
}

TG_KERNEL(scalePlanes) {
  if (call.length(4) == 0) return;
  scalePlanes(call.in<float>(0), call.in<float>(1), call.index(2), call.index(3), call.out<float>(4));
}

}  // namespace tg
