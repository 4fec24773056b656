// gemmBf16 and gemmBf16BiasActivation: the entries of their declarations (lib/backend/kernels/
// gemm.ts). The float32 entries round A and B to bfloat16 while packing; the bfloat16 entries
// read Uint16Array bits. C (and the bias) are float32 in both.
#include "../kernels/gemm_bf16.h"
#include "../registry.h"

namespace tg {

namespace {

template <class S>
void gemmBf16Entry(Call& call) {
  gemmBf16(call.flag(0), call.flag(1), call.index(2), call.index(3), call.index(4), call.single(5),
           call.in<S>(6), call.in<S>(7), call.single(8), call.out<float>(9));
}

// The declaration's choices, in order: "none", "relu", "leakyRelu".
template <class S>
void gemmBf16BiasActivationEntry(Call& call) {
  static constexpr Activation kActivations[] = {Activation::None, Activation::Relu, Activation::LeakyRelu};
  gemmBf16BiasActivation(call.flag(0), call.flag(1), call.index(2), call.index(3), call.index(4),
                         call.in<S>(5), call.in<S>(6), call.in<float>(7), kActivations[call.choice(8)],
                         call.single(9), call.out<float>(10));
}

}  // namespace

TG_KERNEL(gemmBf16) { gemmBf16Entry<float>(call); }
TG_KERNEL_FOR(gemmBf16, bfloat16) { gemmBf16Entry<uint16_t>(call); }
TG_KERNEL(gemmBf16BiasActivation) { gemmBf16BiasActivationEntry<float>(call); }
TG_KERNEL_FOR(gemmBf16BiasActivation, bfloat16) { gemmBf16BiasActivationEntry<uint16_t>(call); }

}  // namespace tg
