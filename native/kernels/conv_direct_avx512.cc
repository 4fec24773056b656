// conv.cc's direct path (conv_direct.inc) compiled for AVX-512: the same bits as the portable unit,
// 16 floats a step along each output row. Include nothing but declaration-only headers.
#include "../platform.h"
#include "conv.h"

#if defined(TG_X86) && defined(__AVX512F__)
#include "for_each.h"

namespace tg {
namespace avx512 {
#include "conv_direct.inc"
}  // namespace avx512
}  // namespace tg

#elif defined(TG_X86)
#error "the avx512 units must be compiled with native/sources.json's avx512_cflags"
#endif
