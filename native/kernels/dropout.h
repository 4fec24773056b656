// Inverted dropout with a counter-based mask, arguments already checked by
// native/exports/dropout.cc. Declarations only (the AVX2 unit includes it).
#pragma once

#include <cstddef>
#include <cstdint>

#include "../platform.h"

namespace tg {

// out[i] = in[i] * (u_i >= dropProb ? scale : 0) with u_i = (word >> 8) * 2^-24 of Philox word
// offset + i of the stream of `seed`, scale = float(1 / (1 - dropProb)) (0 when dropProb = 1).
// The forward (in = x) and the backward (in = dy) are this one function. out may be in.
void dropout(const float* in, size_t n, double dropProb, uint64_t seed, uint64_t offset, float* out);

#ifdef TG_X86
namespace avx2 {
// 32 * groups elements from whole Philox blocks counter, counter + 1, ... (8 blocks a step),
// element kept iff (word >> 8) >= threshold, i.e. u >= dropProb with threshold = ceil(dropProb * 2^24).
void dropoutGroups(const float* in, float* out, size_t groups, uint64_t counter, uint64_t seed,
                   uint32_t threshold, float scale);
}  // namespace avx2
#endif

}  // namespace tg
