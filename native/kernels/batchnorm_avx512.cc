// BatchNorm2d's per-channel bodies (batchnorm_channel.inc) compiled for AVX-512: the same bits as the
// portable unit, its double partial sums 8 wide. Include nothing but <cmath> and declaration-only headers.
#include "../platform.h"
#include "batchnorm.h"

#if defined(TG_X86) && defined(__AVX512F__)
#include <cmath>

namespace tg {
namespace avx512 {
#define TG_BN_WIDTH 8  // doubles per register
#include "batchnorm_channel.inc"
#undef TG_BN_WIDTH
}  // namespace avx512
}  // namespace tg

#elif defined(TG_X86)
#error "the avx512 units must be compiled with native/sources.json's avx512_cflags"
#endif
