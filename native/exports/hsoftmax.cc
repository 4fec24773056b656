// Hierarchical-softmax exports: argument checks in the order of
// lib/backend/reference/hsoftmax.ts (both backends refuse a bad call with the same message),
// every one before anything is written, then the kernels. The training kernels check only the
// paths of the batch's labels (O(rows·depth), not O(classes)); logProbs reads every path and
// checks them all.
#include <string>

#include "../args.h"
#include "../kernels/hsoftmax.h"
#include "export.h"

namespace tg {

namespace {

struct Tree {
  I32Arg offsets, nodes, codes;
  uint64_t classes;
};

uint64_t requireMatrix(const Args& args, const F32Arg& a, uint64_t rows, uint64_t cols, const char* expr) {
  const uint64_t size = args.product(rows, cols, expr);
  args.requireLength(a, size, expr);
  return size;
}

// A per-node array: length classes − 1, or 0 for none (then null).
float* optionalPerNode(const Args& args, const F32Arg& a, uint64_t nodes) {
  if (a.length != 0 && a.length != nodes) {
    args.rangeError(std::string("Expected a Float32Array of length classes-1 = ") + std::to_string(nodes) +
                    " or 0 for " + a.name + " but received a Float32Array of length " + std::to_string(a.length));
  }
  return a.length == 0 ? nullptr : a.data;
}

// The tree's arrays, their lengths against each other: pathOffsets[0] = 0 and
// pathOffsets[classes] = pathNodes.length.
Tree treeArgs(const Args& args, size_t first, uint64_t classes) {
  Tree t{args.i32(first, "pathOffsets"), args.i32(first + 1, "pathNodes"), args.i32(first + 2, "pathCodes"), classes};
  if (classes == 0) args.rangeError("Expected classes >= 1 but received 0");
  args.requireLength(t.offsets, classes + 1, "classes+1");
  args.requireLength(t.codes, t.nodes.length, "pathNodes.length");
  if (t.offsets.data[0] != 0) {
    args.rangeError("Expected pathOffsets[0] = 0 but received " + std::to_string(t.offsets.data[0]));
  }
  if (static_cast<uint64_t>(static_cast<int64_t>(t.offsets.data[classes])) != t.nodes.length) {
    args.rangeError("Expected pathOffsets[classes] = pathNodes.length = " + std::to_string(t.nodes.length) +
                    " but received " + std::to_string(t.offsets.data[classes]));
  }
  return t;
}

// Class c's path: offsets ascending inside pathNodes, no longer than depth, nodes in
// [0, classes − 1), codes 0 or 1.
void requirePath(const Args& args, const Tree& t, uint64_t c, uint64_t depth) {
  const int32_t begin = t.offsets.data[c], end = t.offsets.data[c + 1];
  if (begin < 0 || end < begin || static_cast<uint64_t>(end) > t.nodes.length) {
    args.rangeError("Expected pathOffsets ascending within [0, pathNodes.length] but pathOffsets[" + std::to_string(c) +
                    ".." + std::to_string(c + 1) + "] are " + std::to_string(begin) + ", " + std::to_string(end));
  }
  if (static_cast<uint64_t>(end - begin) > depth) {
    args.rangeError("Expected paths no longer than depth = " + std::to_string(depth) + " but class " +
                    std::to_string(c) + "'s has " + std::to_string(end - begin) + " nodes");
  }
  for (int32_t p = begin; p < end; ++p) {
    const int32_t node = t.nodes.data[p];
    if (node < 0 || static_cast<uint64_t>(node) >= t.classes - 1) {
      args.rangeError("Expected pathNodes in [0, classes-1) = [0, " + std::to_string(t.classes - 1) +
                      ") but pathNodes[" + std::to_string(p) + "] is " + std::to_string(node));
    }
    if (t.codes.data[p] != 0 && t.codes.data[p] != 1) {
      args.rangeError("Expected pathCodes of 0 or 1 but pathCodes[" + std::to_string(p) + "] is " +
                      std::to_string(t.codes.data[p]));
    }
  }
}

void requireLabelPaths(const Args& args, const I32Arg& labels, const Tree& t, uint64_t depth) {
  for (size_t i = 0; i < labels.length; ++i) {
    const int32_t label = labels.data[i];
    if (label < 0 || static_cast<uint64_t>(label) >= t.classes) {
      args.rangeError("Expected labels in [0, classes) = [0, " + std::to_string(t.classes) + ") but labels[" +
                      std::to_string(i) + "] is " + std::to_string(label));
    }
  }
  for (size_t i = 0; i < labels.length; ++i) requirePath(args, t, static_cast<uint64_t>(labels.data[i]), depth);
}

HsmTree kernelTree(const Tree& t) { return {t.offsets.data, t.nodes.data, t.codes.data, t.classes}; }

// x, labels, weight, bias, pathOffsets, pathNodes, pathCodes, rows, features, classes, depth,
// dz, losses
Napi::Value HsoftmaxLoss(const Napi::CallbackInfo& info) {
  Args args(info, "hsoftmaxLoss", 13);
  const F32Arg x = args.f32(0, "x");
  const I32Arg labels = args.i32(1, "labels");
  const F32Arg weight = args.f32(2, "weight");
  const F32Arg bias = args.f32(3, "bias");
  const uint64_t rows = args.index(7, "rows"), features = args.index(8, "features");
  const uint64_t classes = args.index(9, "classes"), depth = args.index(10, "depth");
  const Tree t = treeArgs(args, 4, classes);
  requireMatrix(args, x, rows, features, "rows*features");
  args.requireLength(labels, rows, "rows");
  requireMatrix(args, weight, classes - 1, features, "(classes-1)*features");
  const float* b = optionalPerNode(args, bias, classes - 1);
  const F32Arg dz = args.f32(11, "dz");
  requireMatrix(args, dz, rows, depth, "rows*depth");
  const F32Arg losses = args.f32(12, "losses");
  args.requireLength(losses, rows, "rows");
  for (const F32Arg* out : {&dz, &losses}) {
    args.requireDisjoint(*out, x);
    args.requireDisjoint(*out, labels);
    args.requireDisjoint(*out, weight);
    args.requireDisjoint(*out, bias);
    args.requireDisjoint(*out, t.offsets);
    args.requireDisjoint(*out, t.nodes);
    args.requireDisjoint(*out, t.codes);
  }
  args.requireDisjoint(losses, dz);
  requireLabelPaths(args, labels, t, depth);
  hsoftmaxLoss(x.data, labels.data, weight.data, b, kernelTree(t), rows, features, depth, dz.data, losses.data);
  return info.Env().Undefined();
}

// x, labels, weight, pathOffsets, pathNodes, pathCodes, dz, dlosses, rows, features, classes,
// depth, dx, dweight, dbias
Napi::Value HsoftmaxBackward(const Napi::CallbackInfo& info) {
  Args args(info, "hsoftmaxBackward", 15);
  const F32Arg x = args.f32(0, "x");
  const I32Arg labels = args.i32(1, "labels");
  const F32Arg weight = args.f32(2, "weight");
  const F32Arg dz = args.f32(6, "dz");
  const F32Arg dlosses = args.f32(7, "dlosses");
  const uint64_t rows = args.index(8, "rows"), features = args.index(9, "features");
  const uint64_t classes = args.index(10, "classes"), depth = args.index(11, "depth");
  const Tree t = treeArgs(args, 3, classes);
  requireMatrix(args, x, rows, features, "rows*features");
  args.requireLength(labels, rows, "rows");
  requireMatrix(args, weight, classes - 1, features, "(classes-1)*features");
  requireMatrix(args, dz, rows, depth, "rows*depth");
  args.requireLength(dlosses, rows, "rows");
  const F32Arg dx = args.f32(12, "dx");
  requireMatrix(args, dx, rows, features, "rows*features");
  const F32Arg dweight = args.f32(13, "dweight");
  requireMatrix(args, dweight, classes - 1, features, "(classes-1)*features");
  const F32Arg dbias = args.f32(14, "dbias");
  float* db = optionalPerNode(args, dbias, classes - 1);
  for (const F32Arg* out : {&dx, &dweight, &dbias}) {
    args.requireDisjoint(*out, x);
    args.requireDisjoint(*out, labels);
    args.requireDisjoint(*out, weight);
    args.requireDisjoint(*out, t.offsets);
    args.requireDisjoint(*out, t.nodes);
    args.requireDisjoint(*out, t.codes);
    args.requireDisjoint(*out, dz);
    args.requireDisjoint(*out, dlosses);
  }
  args.requireDisjoint(dweight, dx);
  args.requireDisjoint(dbias, dx);
  args.requireDisjoint(dbias, dweight);
  if (rows > UINT32_MAX || depth > UINT32_MAX) args.rangeError("Expected rows and depth below 2^32");
  requireLabelPaths(args, labels, t, depth);
  hsoftmaxBackward(x.data, labels.data, weight.data, kernelTree(t), dz.data, dlosses.data, rows, features, depth,
                   dx.data, dweight.data, db);
  return info.Env().Undefined();
}

// x, weight, bias, pathOffsets, pathNodes, pathCodes, rows, features, classes, out
Napi::Value HsoftmaxLogProbs(const Napi::CallbackInfo& info) {
  Args args(info, "hsoftmaxLogProbs", 10);
  const F32Arg x = args.f32(0, "x");
  const F32Arg weight = args.f32(1, "weight");
  const F32Arg bias = args.f32(2, "bias");
  const uint64_t rows = args.index(6, "rows"), features = args.index(7, "features");
  const uint64_t classes = args.index(8, "classes");
  const Tree t = treeArgs(args, 3, classes);
  requireMatrix(args, x, rows, features, "rows*features");
  requireMatrix(args, weight, classes - 1, features, "(classes-1)*features");
  const float* b = optionalPerNode(args, bias, classes - 1);
  const F32Arg out = args.f32(9, "out");
  requireMatrix(args, out, rows, classes, "rows*classes");
  args.requireDisjoint(out, x);
  args.requireDisjoint(out, weight);
  args.requireDisjoint(out, bias);
  args.requireDisjoint(out, t.offsets);
  args.requireDisjoint(out, t.nodes);
  args.requireDisjoint(out, t.codes);
  for (uint64_t c = 0; c < classes; ++c) requirePath(args, t, c, classes - 1);
  hsoftmaxLogProbs(x.data, weight.data, b, kernelTree(t), rows, features, out.data);
  return info.Env().Undefined();
}

}  // namespace

void registerHsoftmax(Napi::Env env, Napi::Object exports) {
  define<HsoftmaxLoss>(env, exports, "hsoftmaxLoss");
  define<HsoftmaxBackward>(env, exports, "hsoftmaxBackward");
  define<HsoftmaxLogProbs>(env, exports, "hsoftmaxLogProbs");
}

}  // namespace tg
