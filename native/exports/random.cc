// The random-stream entries (lib/backend/kernels/random.ts).
#include "../kernels/rng.h"
#include "../registry.h"

namespace tg {

TG_KERNEL(randomBits) {
  randomBits(call.out<uint32_t>(0), call.length(0), call.index(1), call.index(2));
}

TG_KERNEL(fillUniform) {
  fillUniform(call.out<float>(0), call.length(0), call.index(1), call.index(2), call.real(3), call.real(4));
}

TG_KERNEL(fillNormal) {
  fillNormal(call.out<float>(0), call.length(0), call.index(1), call.index(2), call.real(3), call.real(4));
}

}  // namespace tg
