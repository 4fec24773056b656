// Hierarchical softmax kernels. Training touches only the inner nodes on each label's path:
// O(rows·depth·features) against a full softmax's O(rows·classes·features). Work is split in
// fixed pieces (rows for the forward and dx, runs of one node for dweight), so a result never
// depends on the thread count or on timing.
#include "hsoftmax.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "../threadpool.h"
#include "gemm.h"

namespace tg {

namespace {

// log σ(u) = −softplus(−u) = min(u, 0) − log1p(exp(−|u|)): never exp of a large positive number.
inline double logSigmoid(double u) { return std::min(u, 0.0) - std::log1p(std::exp(-std::fabs(u))); }

inline double sigmoid(double u) {
  if (u >= 0) return 1.0 / (1.0 + std::exp(-u));
  const double e = std::exp(u);
  return e / (1.0 + e);
}

// Four partial sums, so the adds do not wait on each other (a single chain is latency-bound);
// the order differs from the reference's plain loop only at double rounding, far below the
// float32 result's.
inline double dot(const float* a, const float* b, size_t n) {
  double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
  size_t j = 0;
  for (; j + 4 <= n; j += 4) {
    s0 += static_cast<double>(a[j]) * b[j];
    s1 += static_cast<double>(a[j + 1]) * b[j + 1];
    s2 += static_cast<double>(a[j + 2]) * b[j + 2];
    s3 += static_cast<double>(a[j + 3]) * b[j + 3];
  }
  for (; j < n; ++j) s0 += static_cast<double>(a[j]) * b[j];
  return (s0 + s1) + (s2 + s3);
}

// Rows per parallel task: enough work per task to pay for handing it out.
constexpr size_t kRowsPerTask = 8;

size_t tasksFor(size_t count, size_t per) { return (count + per - 1) / per; }

struct LossJob {
  const float* x;
  const int32_t* labels;
  const float* weight;
  const float* bias;
  const HsmTree* tree;
  size_t rows, features, depth;
  float* dz;
  float* losses;
};

void lossTask(void* context, size_t task) {
  const LossJob& j = *static_cast<const LossJob*>(context);
  const size_t end = std::min(j.rows, (task + 1) * kRowsPerTask);
  for (size_t i = task * kRowsPerTask; i < end; ++i) {
    const float* xi = j.x + i * j.features;
    const int32_t label = j.labels[i];
    const size_t begin = static_cast<size_t>(j.tree->pathOffsets[label]);
    const size_t length = static_cast<size_t>(j.tree->pathOffsets[label + 1]) - begin;
    float* dzi = j.dz + i * j.depth;
    double loss = 0.0;
    for (size_t k = 0; k < length; ++k) {
      const size_t node = static_cast<size_t>(j.tree->pathNodes[begin + k]);
      const int32_t code = j.tree->pathCodes[begin + k];
      double z = dot(j.weight + node * j.features, xi, j.features);
      if (j.bias) z += j.bias[node];
      loss -= logSigmoid(code ? z : -z);
      dzi[k] = static_cast<float>(sigmoid(z) - code);
    }
    for (size_t k = length; k < j.depth; ++k) dzi[k] = 0.0f;
    j.losses[i] = static_cast<float>(loss);
  }
}

// One use of an inner node: row i's step k.
struct Use {
  int32_t node;
  uint32_t row;
  uint32_t step;
};

struct BackwardJob {
  const float* x;
  const int32_t* labels;
  const float* weight;
  const HsmTree* tree;
  const float* dz;
  const float* dlosses;
  size_t rows, features, depth;
  float* dx;
  float* dweight;
  float* dbias;
  const std::vector<Use>* uses;
  const std::vector<size_t>* runs;  // start of each node's run in uses, then uses.size()
};

void dxTask(void* context, size_t task) {
  const BackwardJob& j = *static_cast<const BackwardJob*>(context);
  std::vector<double> acc(j.features);
  const size_t end = std::min(j.rows, (task + 1) * kRowsPerTask);
  for (size_t i = task * kRowsPerTask; i < end; ++i) {
    const int32_t label = j.labels[i];
    const size_t begin = static_cast<size_t>(j.tree->pathOffsets[label]);
    const size_t length = static_cast<size_t>(j.tree->pathOffsets[label + 1]) - begin;
    std::fill(acc.begin(), acc.end(), 0.0);
    const double g = j.dlosses[i];
    for (size_t k = 0; k < length; ++k) {
      const double c = g * j.dz[i * j.depth + k];
      const float* w = j.weight + static_cast<size_t>(j.tree->pathNodes[begin + k]) * j.features;
      for (size_t f = 0; f < j.features; ++f) acc[f] += c * w[f];
    }
    float* out = j.dx + i * j.features;
    for (size_t f = 0; f < j.features; ++f) out[f] = static_cast<float>(acc[f]);
  }
}

// Nodes per parallel task in the dweight pass.
constexpr size_t kNodesPerTask = 16;

void dweightTask(void* context, size_t task) {
  const BackwardJob& j = *static_cast<const BackwardJob*>(context);
  const std::vector<Use>& uses = *j.uses;
  const std::vector<size_t>& runs = *j.runs;
  std::vector<double> acc(j.features);
  const size_t last = std::min(runs.size() - 1, (task + 1) * kNodesPerTask);
  for (size_t r = task * kNodesPerTask; r < last; ++r) {
    std::fill(acc.begin(), acc.end(), 0.0);
    double bias = 0.0;
    for (size_t u = runs[r]; u < runs[r + 1]; ++u) {
      const Use& use = uses[u];
      const double c = static_cast<double>(j.dlosses[use.row]) * j.dz[use.row * j.depth + use.step];
      const float* xi = j.x + static_cast<size_t>(use.row) * j.features;
      for (size_t f = 0; f < j.features; ++f) acc[f] += c * xi[f];
      bias += c;
    }
    const size_t node = static_cast<size_t>(uses[runs[r]].node);
    float* row = j.dweight + node * j.features;
    for (size_t f = 0; f < j.features; ++f) row[f] = static_cast<float>(row[f] + acc[f]);
    if (j.dbias) j.dbias[node] = static_cast<float>(j.dbias[node] + bias);
  }
}

struct LogProbsJob {
  const float* scores;  // [blockRows, nodes], bias not yet added
  const float* bias;
  const HsmTree* tree;
  size_t rows, nodes;
  float* out;  // [blockRows, classes]
};

void logProbsTask(void* context, size_t task) {
  const LogProbsJob& j = *static_cast<const LogProbsJob*>(context);
  // Per node: log σ(−z) (code 0, left) and log σ(z) (code 1, right).
  std::vector<double> side(2 * j.nodes);
  const size_t end = std::min(j.rows, (task + 1) * kRowsPerTask);
  for (size_t i = task * kRowsPerTask; i < end; ++i) {
    const float* s = j.scores + i * j.nodes;
    for (size_t n = 0; n < j.nodes; ++n) {
      const double z = static_cast<double>(s[n]) + (j.bias ? j.bias[n] : 0.0f);
      side[2 * n] = logSigmoid(-z);
      side[2 * n + 1] = logSigmoid(z);
    }
    float* out = j.out + i * j.tree->classes;
    for (size_t c = 0; c < j.tree->classes; ++c) {
      double sum = 0.0;
      for (int32_t p = j.tree->pathOffsets[c]; p < j.tree->pathOffsets[c + 1]; ++p) {
        sum += side[2 * static_cast<size_t>(j.tree->pathNodes[p]) + static_cast<size_t>(j.tree->pathCodes[p])];
      }
      out[c] = static_cast<float>(sum);
    }
  }
}

}  // namespace

void hsoftmaxLoss(const float* x, const int32_t* labels, const float* weight, const float* bias,
                  const HsmTree& tree, size_t rows, size_t features, size_t depth, float* dz,
                  float* losses) {
  LossJob job{x, labels, weight, bias, &tree, rows, features, depth, dz, losses};
  parallelFor(tasksFor(rows, kRowsPerTask), lossTask, &job);
}

void hsoftmaxBackward(const float* x, const int32_t* labels, const float* weight,
                      const HsmTree& tree, const float* dz, const float* dlosses, size_t rows,
                      size_t features, size_t depth, float* dx, float* dweight, float* dbias) {
  // Every (row, step) grouped by node, rows ascending within a node (a stable sort of uses made
  // in row order): the order each node's row is summed in, fixed by the input alone.
  std::vector<Use> uses;
  for (size_t i = 0; i < rows; ++i) {
    const int32_t label = labels[i];
    for (int32_t p = tree.pathOffsets[label]; p < tree.pathOffsets[label + 1]; ++p) {
      uses.push_back({tree.pathNodes[p], static_cast<uint32_t>(i),
                      static_cast<uint32_t>(p - tree.pathOffsets[label])});
    }
  }
  std::stable_sort(uses.begin(), uses.end(), [](const Use& a, const Use& b) { return a.node < b.node; });
  std::vector<size_t> runs;
  for (size_t u = 0; u < uses.size(); ++u) {
    if (u == 0 || uses[u].node != uses[u - 1].node) runs.push_back(u);
  }
  runs.push_back(uses.size());
  BackwardJob job{x, labels, weight, &tree, dz, dlosses, rows, features, depth, dx, dweight, dbias, &uses, &runs};
  parallelFor(tasksFor(rows, kRowsPerTask), dxTask, &job);
  parallelFor(tasksFor(runs.size() - 1, kNodesPerTask), dweightTask, &job);
}

void hsoftmaxLogProbs(const float* x, const float* weight, const float* bias, const HsmTree& tree,
                      size_t rows, size_t features, float* out) {
  const size_t nodes = tree.classes - 1;
  if (nodes == 0) {  // one class: log p = 0
    std::fill(out, out + rows, 0.0f);
    return;
  }
  // Rows in blocks, so the scores scratch stays about 16 MB however large the batch.
  const size_t block = std::max<size_t>(1, std::min(rows, (size_t{4} << 20) / nodes));
  std::vector<float> scores(block * nodes);
  for (size_t r0 = 0; r0 < rows; r0 += block) {
    const size_t m = std::min(block, rows - r0);
    gemm(false, true, m, nodes, features, 1.0f, x + r0 * features, weight, 0.0f, scores.data());
    LogProbsJob job{scores.data(), bias, &tree, m, nodes, out + r0 * tree.classes};
    parallelFor(tasksFor(m, kRowsPerTask), logProbsTask, &job);
  }
}

}  // namespace tg
