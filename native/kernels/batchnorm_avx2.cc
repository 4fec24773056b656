// BatchNorm2d's per-channel bodies (batchnorm_channel.inc) compiled for AVX2: the same bits as the
// portable unit, its double partial sums 4 wide. Include nothing but <cmath> and declaration-only headers.
#include "../platform.h"
#include "batchnorm.h"

#if defined(TG_X86) && defined(__AVX2__)
#include <cmath>

namespace tg {
namespace avx2 {
#define TG_BN_WIDTH 4  // doubles per register
#include "batchnorm_channel.inc"
#undef TG_BN_WIDTH
}  // namespace avx2
}  // namespace tg

#elif defined(TG_X86)
#error "the avx2 units must be compiled with native/sources.json's avx2_cflags"
#endif
