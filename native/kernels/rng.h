// Counter-based random streams, arguments already checked by native/exports/random.cc.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tg {

// One Philox-4x32-10 block: counter [counter low, counter high, 0, 0] under key [seed low,
// seed high]. The streams below read word p from lane p % 4 of block p / 4.
struct PhiloxBlock {
  uint32_t w[4];
};
PhiloxBlock philox(uint64_t counter, uint64_t seed);

// Philox-4x32-10 with key = seed. Word p of the stream of `seed` is lane p % 4 of the block for
// counter p / 4; fills write words offset .. offset + n - 1.
void randomBits(uint32_t* out, size_t n, uint64_t seed, uint64_t offset);
// low + (high - low) * u with u = (word >> 8) * 2^-24, rounded once to float32.
void fillUniform(float* out, size_t n, uint64_t seed, uint64_t offset, double low, double high);
// mean + std * z, z from Box-Muller over lanes (0, 1) and (2, 3) of each block, in double.
void fillNormal(float* out, size_t n, uint64_t seed, uint64_t offset, double mean, double std);

}  // namespace tg
