// The optimizer-update entries (lib/backend/kernels/optim.ts): hyper-parameter ranges and
// unused states are checked by the declarations; an unused state reaches the kernel as null.
#include "../kernels/optim.h"
#include "../registry.h"

namespace tg {

TG_KERNEL(sgdStep) {
  const SgdOptions o{call.real(3), call.real(4), call.real(5), call.real(6), call.flag(7), call.index(8)};
  sgdStep(call.out<float>(0), call.in<float>(1), call.outOrNull<float>(2), call.length(0), o);
}

TG_KERNEL(adagradStep) {
  const AdagradOptions o{call.real(3), call.real(4), call.real(5), call.real(6), call.index(7)};
  adagradStep(call.out<float>(0), call.in<float>(1), call.out<float>(2), call.length(0), o);
}

TG_KERNEL(rmspropStep) {
  const RmspropOptions o{call.real(5), call.real(6), call.real(7), call.real(8), call.real(9), call.flag(10)};
  rmspropStep(call.out<float>(0), call.in<float>(1), call.out<float>(2), call.outOrNull<float>(3), call.outOrNull<float>(4),
              call.length(0), o);
}

TG_KERNEL(adadeltaStep) {
  const AdadeltaOptions o{call.real(4), call.real(5), call.real(6), call.real(7)};
  adadeltaStep(call.out<float>(0), call.in<float>(1), call.out<float>(2), call.out<float>(3), call.length(0), o);
}

namespace {

// adamStep and adamwStep: one kernel, coupled or decoupled weight decay.
void adamLike(Call& call, bool decoupled) {
  AdamOptions o;
  o.lr = call.real(5), o.beta1 = call.real(6), o.beta2 = call.real(7), o.eps = call.real(8), o.weightDecay = call.real(9);
  o.decoupled = decoupled, o.amsgrad = call.flag(10), o.biasCorrection = call.flag(11), o.step = call.index(12);
  adamStep(call.out<float>(0), call.in<float>(1), call.out<float>(2), call.out<float>(3), call.outOrNull<float>(4),
           call.length(0), o);
}

}  // namespace

TG_KERNEL(adamStep) { adamLike(call, false); }
TG_KERNEL(adamwStep) { adamLike(call, true); }

TG_KERNEL(adamaxStep) {
  const AdamaxOptions o{call.real(4), call.real(5), call.real(6), call.real(7), call.real(8), call.index(9)};
  adamaxStep(call.out<float>(0), call.in<float>(1), call.out<float>(2), call.out<float>(3), call.length(0), o);
}

TG_KERNEL(nadamStep) {
  const NadamOptions o{call.real(4), call.real(5), call.real(6), call.real(7), call.real(8),
                       call.real(9), call.real(10), call.index(11)};
  nadamStep(call.out<float>(0), call.in<float>(1), call.out<float>(2), call.out<float>(3), call.length(0), o);
}

}  // namespace tg
