// Dropout: the keep mask is regenerated from (seed, offset) by Philox (rng.h), so the forward
// stores nothing and the backward draws the same mask; lib/backend/reference/dropout.ts gives
// the same bits. The comparison u >= dropProb is exact: u has 24 bits and converts to double.
// The AVX2 path runs 8 Philox blocks at once over whole blocks; the words that do not fill a
// block or a group of 8 take the scalar loop.
#include "dropout.h"

#include <cmath>

#include "../cpu.h"
#include "rng.h"

namespace tg {

namespace {

// Elements i .. n - 1, one Philox call per block of 4 words.
void dropoutScalar(const float* in, size_t i, size_t n, double dropProb, uint64_t seed,
                   uint64_t offset, float scale, float* out) {
  while (i < n) {
    const uint64_t position = offset + i;
    const PhiloxBlock block = philox(position >> 2, seed);
    for (unsigned lane = static_cast<unsigned>(position & 3u); lane < 4 && i < n; ++lane, ++i) {
      const double u = static_cast<double>(block.w[lane] >> 8) / 16777216.0;
      out[i] = in[i] * (u >= dropProb ? scale : 0.0f);
    }
  }
}

}  // namespace

void dropout(const float* in, size_t n, double dropProb, uint64_t seed, uint64_t offset, float* out) {
  const float scale = dropProb < 1.0 ? static_cast<float>(1.0 / (1.0 - dropProb)) : 0.0f;
  size_t i = 0;
#ifdef TG_X86
  if (useAvx2Code()) {  // the avx2 and avx512 levels
    // (word >> 8) * 2^-24 >= p  <=>  (word >> 8) >= p * 2^24 (exact)  <=>  (word >> 8) >= ceil(p * 2^24).
    const uint32_t threshold = static_cast<uint32_t>(std::ceil(dropProb * 16777216.0));
    size_t head = static_cast<size_t>((4 - (offset & 3u)) & 3u);
    if (head > n) head = n;
    dropoutScalar(in, 0, head, dropProb, seed, offset, scale, out);
    i = head;
    const size_t groups = (n - i) / 32;
    avx2::dropoutGroups(in + i, out + i, groups, (offset + i) >> 2, seed, threshold, scale);
    i += groups * 32;
  }
#endif
  dropoutScalar(in, i, n, dropProb, seed, offset, scale, out);
}

}  // namespace tg
