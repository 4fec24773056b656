// The recurrent-cell entries (lib/backend/kernels/rnn.ts).
#include "../kernels/rnn.h"
#include "../registry.h"

namespace tg {

TG_KERNEL(lstmCellForward) {
  lstmCellForward(call.in<float>(0), call.in<float>(1), call.index(2), call.index(3), call.out<float>(4), call.out<float>(5),
                  call.out<float>(6));
}

TG_KERNEL(lstmCellBackward) {
  lstmCellBackward(call.in<float>(0), call.in<float>(1), call.in<float>(2), call.in<float>(3), call.in<float>(4),
                   call.index(5), call.index(6), call.out<float>(7), call.out<float>(8));
}

TG_KERNEL(gruCellForward) {
  gruCellForward(call.in<float>(0), call.in<float>(1), call.in<float>(2), call.index(3), call.index(4), call.out<float>(5),
                 call.out<float>(6));
}

TG_KERNEL(gruCellBackward) {
  gruCellBackward(call.in<float>(0), call.in<float>(1), call.in<float>(2), call.index(3), call.index(4), call.out<float>(5),
                  call.out<float>(6), call.out<float>(7));
}

}  // namespace tg
