// Inverted dropout with a counter-based mask, arguments already checked by
// native/exports/dropout.cc.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tg {

// out[i] = in[i] * (u_i >= dropProb ? scale : 0) with u_i = (word >> 8) * 2^-24 of Philox word
// offset + i of the stream of `seed`, scale = float(1 / (1 - dropProb)) (0 when dropProb = 1).
// The forward (in = x) and the backward (in = dy) are this one function. out may be in.
void dropout(const float* in, size_t n, double dropProb, uint64_t seed, uint64_t offset, float* out);

}  // namespace tg
