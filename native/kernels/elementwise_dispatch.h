// The run-time dispatch of the elementwise kernels: the AVX2 variant of the calling kernel on
// the avx2 and avx512 levels. There is no AVX-512 variant: these kernels are bound by memory,
// not by vector width. A macro, not an inline function, so that no code is shared with the
// AVX2 translation units (see gemm_avx2.cc).
#pragma once

#include "../cpu.h"

#ifdef TG_X86
#define TG_DISPATCH(kernel, ...) \
  if (useAvx2Code()) return avx2::kernel(__VA_ARGS__)
#else
#define TG_DISPATCH(kernel, ...)
#endif
