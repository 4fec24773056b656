// The hierarchical-softmax entries (lib/backend/kernels/hsoftmax.ts). The declarations check
// the sizes, labels and overlaps; the tree is checked here, in the order and with the messages
// of lib/backend/reference/hsoftmax.ts, before anything is written. The training kernels check
// only the paths of the batch's labels (O(rows·depth), not O(classes)); logProbs reads every
// path and checks them all.
#include <string>

#include "../kernels/hsoftmax.h"
#include "../registry.h"

namespace tg {

namespace {

// The tree at arguments first .. first + 2: pathOffsets starts at 0 and ends at pathNodes.length.
HsmTree tree(const Call& call, size_t first, uint64_t classes) {
  const HsmTree t{call.in<int32_t>(first), call.in<int32_t>(first + 1), call.in<int32_t>(first + 2), classes};
  const size_t nodes = call.length(first + 1);
  if (t.pathOffsets[0] != 0) call.rangeError("Expected pathOffsets[0] = 0 but received " + std::to_string(t.pathOffsets[0]));
  if (static_cast<uint64_t>(static_cast<int64_t>(t.pathOffsets[classes])) != nodes) {
    call.rangeError("Expected pathOffsets[classes] = pathNodes.length = " + std::to_string(nodes) + " but received " +
                    std::to_string(t.pathOffsets[classes]));
  }
  return t;
}

// Class c's path: offsets ascending inside pathNodes, no longer than depth, nodes in
// [0, classes − 1), codes 0 or 1.
void requirePath(const Call& call, const HsmTree& t, size_t nodes, uint64_t c, uint64_t depth) {
  const int32_t begin = t.pathOffsets[c], end = t.pathOffsets[c + 1];
  if (begin < 0 || end < begin || static_cast<uint64_t>(end) > nodes) {
    call.rangeError("Expected pathOffsets ascending within [0, pathNodes.length] but pathOffsets[" + std::to_string(c) + ".." +
                    std::to_string(c + 1) + "] are " + std::to_string(begin) + ", " + std::to_string(end));
  }
  if (static_cast<uint64_t>(end - begin) > depth) {
    call.rangeError("Expected paths no longer than depth = " + std::to_string(depth) + " but class " + std::to_string(c) +
                    "'s has " + std::to_string(end - begin) + " nodes");
  }
  for (int32_t p = begin; p < end; ++p) {
    const int32_t node = t.pathNodes[p];
    if (node < 0 || static_cast<uint64_t>(node) >= t.classes - 1) {
      call.rangeError("Expected pathNodes in [0, classes-1) = [0, " + std::to_string(t.classes - 1) + ") but pathNodes[" +
                      std::to_string(p) + "] is " + std::to_string(node));
    }
    if (t.pathCodes[p] != 0 && t.pathCodes[p] != 1) {
      call.rangeError("Expected pathCodes of 0 or 1 but pathCodes[" + std::to_string(p) + "] is " +
                      std::to_string(t.pathCodes[p]));
    }
  }
}

// The labels (in range: the declaration checked them) and their paths.
HsmTree labelledTree(const Call& call, size_t labels, size_t first, uint64_t classes, uint64_t depth) {
  const HsmTree t = tree(call, first, classes);
  const int32_t* label = call.in<int32_t>(labels);
  for (size_t i = 0; i < call.length(labels); ++i) requirePath(call, t, call.length(first + 1), static_cast<uint64_t>(label[i]), depth);
  return t;
}

}  // namespace

// x, labels, weight, bias, pathOffsets, pathNodes, pathCodes, rows, features, classes, depth, dz, losses
TG_KERNEL(hsoftmaxLoss) {
  const HsmTree t = labelledTree(call, 1, 4, call.index(9), call.index(10));
  hsoftmaxLoss(call.in<float>(0), call.in<int32_t>(1), call.in<float>(2), call.inOrNull<float>(3), t, call.index(7),
               call.index(8), call.index(10), call.out<float>(11), call.out<float>(12));
}

// x, labels, weight, pathOffsets, pathNodes, pathCodes, dz, dlosses, rows, features, classes, depth, dx, dweight, dbias
TG_KERNEL(hsoftmaxBackward) {
  const HsmTree t = labelledTree(call, 1, 3, call.index(10), call.index(11));
  hsoftmaxBackward(call.in<float>(0), call.in<int32_t>(1), call.in<float>(2), t, call.in<float>(6), call.in<float>(7),
                   call.index(8), call.index(9), call.index(11), call.out<float>(12), call.out<float>(13),
                   call.outOrNull<float>(14));
}

// x, weight, bias, pathOffsets, pathNodes, pathCodes, rows, features, classes, out
TG_KERNEL(hsoftmaxLogProbs) {
  const uint64_t classes = call.index(8);
  const HsmTree t = tree(call, 3, classes);
  for (uint64_t c = 0; c < classes; ++c) requirePath(call, t, call.length(4), c, classes - 1);
  hsoftmaxLogProbs(call.in<float>(0), call.in<float>(1), call.inOrNull<float>(2), t, call.index(6), call.index(7),
                   call.out<float>(9));
}

}  // namespace tg
