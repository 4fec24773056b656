// Fused pointwise gate math of the LSTM and GRU cells, arguments already checked by
// native/exports/rnn.cc. The contract (formulas, layouts) is lib/backend/contract/rnn.ts.
#pragma once

#include <cstddef>

namespace tg {

// pre [n, 4h] = [i | f | g | o]; gates may be pre. c, h [n, h].
void lstmCellForward(const float* pre, const float* cPrev, size_t n, size_t hidden, float* gates,
                     float* c, float* h);
void lstmCellBackward(const float* gates, const float* cPrev, const float* c, const float* dh,
                      const float* dc, size_t n, size_t hidden, float* dPre, float* dcPrev);
// gi, gh [n, 3h] = [r | z | n]; work [n, 4h] = [r | z | m | gh_n].
void gruCellForward(const float* gi, const float* gh, const float* hPrev, size_t n, size_t hidden,
                    float* work, float* h);
void gruCellBackward(const float* work, const float* hPrev, const float* dh, size_t n,
                     size_t hidden, float* dgi, float* dgh, float* dhPrev);

}  // namespace tg
