// Dropout: the keep mask is regenerated from (seed, offset) by Philox (rng.h), so the forward
// stores nothing and the backward draws the same mask; lib/backend/reference/dropout.ts gives
// the same bits. The comparison u >= dropProb is exact: u has 24 bits and converts to double.
#include "dropout.h"

#include "rng.h"

namespace tg {

void dropout(const float* in, size_t n, double dropProb, uint64_t seed, uint64_t offset, float* out) {
  const float scale = dropProb < 1.0 ? static_cast<float>(1.0 / (1.0 - dropProb)) : 0.0f;
  size_t i = 0;
  while (i < n) {
    const uint64_t position = offset + i;
    const PhiloxBlock block = philox(position >> 2, seed);
    for (unsigned lane = static_cast<unsigned>(position & 3u); lane < 4 && i < n; ++lane, ++i) {
      const double u = static_cast<double>(block.w[lane] >> 8) / 16777216.0;
      out[i] = in[i] * (u >= dropProb ? scale : 0.0f);
    }
  }
}

}  // namespace tg
