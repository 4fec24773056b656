// conv.cc's direct path (conv_direct.inc) compiled for AVX2: the same bits as the portable unit,
// 8 floats a step along each output row. Include nothing but declaration-only headers.
#include "../platform.h"
#include "conv.h"

#if defined(TG_X86) && defined(__AVX2__)
#include "for_each.h"

namespace tg {
namespace avx2 {
#include "conv_direct.inc"
}  // namespace avx2
}  // namespace tg

#elif defined(TG_X86)
#error "the avx2 units must be compiled with native/sources.json's avx2_cflags"
#endif
