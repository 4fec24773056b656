// gemm and gemmBiasActivation: the entries of their declarations (lib/backend/kernels/gemm.ts).
#include "../kernels/gemm.h"
#include "../registry.h"

namespace tg {

TG_KERNEL(gemm) {
  gemm(call.flag(0), call.flag(1), call.index(2), call.index(3), call.index(4), call.single(5), call.in<float>(6),
       call.in<float>(7), call.single(8), call.out<float>(9));
}

// The declaration's choices, in order: "none", "relu", "leakyRelu".
TG_KERNEL(gemmBiasActivation) {
  static constexpr Activation kActivations[] = {Activation::None, Activation::Relu, Activation::LeakyRelu};
  gemmBiasActivation(call.flag(0), call.flag(1), call.index(2), call.index(3), call.index(4), call.in<float>(5),
                     call.in<float>(6), call.in<float>(7), kActivations[call.choice(8)], call.single(9),
                     call.out<float>(10));
}

}  // namespace tg
