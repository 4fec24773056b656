// The AVX2/FMA variants. Their units are compiled with -mavx2 -mfma, so they include only this
// header and intrinsics: an inline function or template instantiated there could be the copy
// the linker keeps for the whole addon, and then run on a CPU without AVX2.
#pragma once

#include <cstddef>

#include "../platform.h"

#ifdef TG_X86
namespace tg {

namespace avx2 {
// C += alpha * op(A) * op(B); gemm.cc has applied beta and the degenerate cases.
void gemmAccumulate(bool transA, bool transB, size_t m, size_t n, size_t k, float alpha,
                    const float* a, const float* b, float* c);
void add(const float* a, const float* b, float* out, size_t n);
void mul(const float* a, const float* b, float* out, size_t n);
void relu(const float* x, float* out, size_t n);
void reluBackward(const float* x, const float* dy, float* dx, size_t n);
}  // namespace avx2

}  // namespace tg
#endif
