// Hierarchical softmax on raw pointers, arguments already checked by native/exports/hsoftmax.cc
// (labels in [0, classes), every path read lies inside pathNodes, its nodes in [0, classes − 1),
// its codes 0 or 1, its length at most depth). A class's path is pathNodes[pathOffsets[c] ..
// pathOffsets[c + 1]); at inner node n with z = w_n·x + b_n the tree goes right with probability
// σ(z) (code 1) and left with σ(−z) (code 0). Dot products and sums run in double and round once,
// like the reference (lib/backend/reference/hsoftmax.ts).
#pragma once

#include <cstddef>
#include <cstdint>

namespace tg {

struct HsmTree {
  const int32_t* pathOffsets;  // classes + 1
  const int32_t* pathNodes;
  const int32_t* pathCodes;
  size_t classes;
};

// Per row: losses[i] = −Σ_k log σ(±z_k) over the label's path, dz[i, k] = σ(z_k) − code_k (the
// loss's derivative in z_k, kept for backward; 0 past the path's end). bias may be null.
void hsoftmaxLoss(const float* x, const int32_t* labels, const float* weight, const float* bias,
                  const HsmTree& tree, size_t rows, size_t features, size_t depth, float* dz,
                  float* losses);

// dx[i] = Σ_k g_i·dz[i, k]·w_{node_k} (written); dweight[node] += Σ g_i·dz[i, k]·x_i and
// dbias[node] += Σ g_i·dz[i, k] over the (i, k) on that node's paths (only those rows are
// touched). g = dlosses. dbias may be null. Each node's row is summed by one thread in row
// order, so results do not depend on the thread count.
void hsoftmaxBackward(const float* x, const int32_t* labels, const float* weight,
                      const HsmTree& tree, const float* dz, const float* dlosses, size_t rows,
                      size_t features, size_t depth, float* dx, float* dweight, float* dbias);

// out[i, c] = Σ over c's path of log σ(±(w_n·x_i + b_n)): all inner nodes' scores by one GEMM
// (float32, the GEMM's rounding), then log-sigmoids and path sums in double.
void hsoftmaxLogProbs(const float* x, const float* weight, const float* bias, const HsmTree& tree,
                      size_t rows, size_t features, float* out);

}  // namespace tg
