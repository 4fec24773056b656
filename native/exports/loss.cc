// Softmax and loss exports: argument checks (in the order of lib/backend/reference/loss.ts, so
// both backends refuse a bad call with the same message), then the kernels. Every check, labels
// and targets included, runs before anything is written.
#include <string>

#include "../args.h"
#include "../kernels/loss.h"
#include "export.h"

namespace tg {

namespace {

uint64_t requireMatrix(const Args& args, const F32Arg& x, uint64_t rows, uint64_t cols) {
  const uint64_t size = args.product(rows, cols, "rows*cols");
  args.requireLength(x, size, "rows*cols");
  return size;
}

// An optional per-class array: length cols, or 0 for none (then null).
const float* perClass(const Args& args, size_t i, const char* name, uint64_t cols, F32Arg* arg) {
  *arg = args.f32(i, name);
  if (arg->length != 0 && arg->length != cols) {
    args.rangeError(std::string("Expected a Float32Array of length cols = ") + std::to_string(cols) +
                    " or 0 for " + name + " but received a Float32Array of length " +
                    std::to_string(arg->length));
  }
  return arg->length == 0 ? nullptr : arg->data;
}

F32Arg scalarOut(const Args& args, size_t i) {
  const F32Arg loss = args.f32(i, "loss");
  args.requireLength(loss, 1, "1");
  return loss;
}

double smoothingArg(const Args& args, size_t i) {
  const double smoothing = args.finiteDouble(i, "smoothing");
  if (smoothing < 0 || smoothing > 1) {
    args.rangeError("Expected a number in [0, 1] for smoothing but received " + formatNumber(smoothing));
  }
  return smoothing;
}

void requireNonEmpty(const Args& args, const char* what, uint64_t count) {
  if (count == 0) args.rangeError(std::string("Expected ") + what + " > 0 for a mean but received 0");
}

void requireLabels(const Args& args, const I32Arg& labels, uint64_t cols) {
  for (size_t i = 0; i < labels.length; ++i) {
    const int32_t label = labels.data[i];
    if (label < 0 || static_cast<uint64_t>(label) >= cols) {
      args.rangeError("Expected labels in [0, cols) = [0, " + std::to_string(cols) + ") but labels[" +
                      std::to_string(i) + "] is " + std::to_string(label));
    }
  }
}

// Targets in [0, 1]; NaN passes (it propagates into the loss).
void requireTargets(const Args& args, const F32Arg& t) {
  for (size_t i = 0; i < t.length; ++i) {
    const float v = t.data[i];
    if (v < 0.0f || v > 1.0f) {
      args.rangeError("Expected t in [0, 1] but t[" + std::to_string(i) + "] is " +
                      formatNumber(v));
    }
  }
}

void requireSameOrDisjoint(const Args& args, const F32Arg& out, const F32Arg& in) {
  if (out.data != in.data) args.requireDisjoint(out, in);
}

// ---- softmax family -------------------------------------------------------------------------

template <void (*Kernel)(const float*, size_t, size_t, float*)>
Napi::Value SoftmaxForward(const Napi::CallbackInfo& info, const char* fn) {
  Args args(info, fn, 4);
  const F32Arg x = args.f32(0, "x");
  const uint64_t rows = args.index(1, "rows"), cols = args.index(2, "cols");
  requireMatrix(args, x, rows, cols);
  const F32Arg y = args.f32(3, "y");
  requireMatrix(args, y, rows, cols);
  requireSameOrDisjoint(args, y, x);
  // Nothing to compute; the kernels size a row's scratch by cols alone, which an empty input
  // does not bound ([0, 2^45] would ask for 256 TiB).
  if (rows == 0 || cols == 0) return info.Env().Undefined();
  Kernel(x.data, rows, cols, y.data);
  return info.Env().Undefined();
}

template <void (*Kernel)(const float*, const float*, size_t, size_t, float*)>
Napi::Value SoftmaxBackwardOf(const Napi::CallbackInfo& info, const char* fn) {
  Args args(info, fn, 5);
  const F32Arg y = args.f32(0, "y");
  const F32Arg dy = args.f32(1, "dy");
  const uint64_t rows = args.index(2, "rows"), cols = args.index(3, "cols");
  requireMatrix(args, y, rows, cols);
  requireMatrix(args, dy, rows, cols);
  const F32Arg dx = args.f32(4, "dx");
  requireMatrix(args, dx, rows, cols);
  requireSameOrDisjoint(args, dx, y);
  requireSameOrDisjoint(args, dx, dy);
  Kernel(y.data, dy.data, rows, cols, dx.data);
  return info.Env().Undefined();
}

Napi::Value Softmax(const Napi::CallbackInfo& info) { return SoftmaxForward<softmax>(info, "softmax"); }
Napi::Value LogSoftmax(const Napi::CallbackInfo& info) { return SoftmaxForward<logSoftmax>(info, "logSoftmax"); }
Napi::Value SoftmaxBackward(const Napi::CallbackInfo& info) {
  return SoftmaxBackwardOf<softmaxBackward>(info, "softmaxBackward");
}
Napi::Value LogSoftmaxBackward(const Napi::CallbackInfo& info) {
  return SoftmaxBackwardOf<logSoftmaxBackward>(info, "logSoftmaxBackward");
}

// ---- labelled losses ------------------------------------------------------------------------

struct Classification {
  F32Arg x;
  I32Arg labels;
  uint64_t rows, cols;
};

Classification classificationArgs(const Args& args, const char* first) {
  const F32Arg x = args.f32(0, first);
  const I32Arg labels = args.i32(1, "labels");
  const uint64_t rows = args.index(2, "rows"), cols = args.index(3, "cols");
  requireMatrix(args, x, rows, cols);
  args.requireLength(labels, rows, "rows");
  return {x, labels, rows, cols};
}

Napi::Value SoftmaxCrossEntropy(const Napi::CallbackInfo& info) {
  Args args(info, "softmaxCrossEntropy", 8);
  const Classification c = classificationArgs(args, "logits");
  F32Arg weights;
  const float* w = perClass(args, 4, "weights", c.cols, &weights);
  const double smoothing = smoothingArg(args, 5);
  const F32Arg probs = args.f32(6, "probs");
  requireMatrix(args, probs, c.rows, c.cols);
  const F32Arg loss = scalarOut(args, 7);
  requireSameOrDisjoint(args, probs, c.x);
  args.requireDisjoint(probs, c.labels);
  args.requireDisjoint(probs, weights);
  args.requireDisjoint(loss, c.labels);
  args.requireDisjoint(loss, weights);
  args.requireDisjoint(loss, c.x);
  args.requireDisjoint(loss, probs);
  requireNonEmpty(args, "rows", c.rows);
  requireLabels(args, c.labels, c.cols);
  loss.data[0] = static_cast<float>(
      softmaxCrossEntropy(c.x.data, c.labels.data, c.rows, c.cols, w, smoothing, probs.data));
  return info.Env().Undefined();
}

Napi::Value SoftmaxCrossEntropyBackward(const Napi::CallbackInfo& info) {
  Args args(info, "softmaxCrossEntropyBackward", 8);
  const Classification c = classificationArgs(args, "probs");
  F32Arg weights;
  const float* w = perClass(args, 4, "weights", c.cols, &weights);
  const double smoothing = smoothingArg(args, 5);
  const double grad = args.finiteDouble(6, "grad");
  const F32Arg dlogits = args.f32(7, "dlogits");
  requireMatrix(args, dlogits, c.rows, c.cols);
  requireSameOrDisjoint(args, dlogits, c.x);
  args.requireDisjoint(dlogits, c.labels);
  args.requireDisjoint(dlogits, weights);
  requireNonEmpty(args, "rows", c.rows);
  requireLabels(args, c.labels, c.cols);
  softmaxCrossEntropyBackward(c.x.data, c.labels.data, c.rows, c.cols, w, smoothing, grad, dlogits.data);
  return info.Env().Undefined();
}

Napi::Value HingeLoss(const Napi::CallbackInfo& info) {
  Args args(info, "hingeLoss", 6);
  const Classification c = classificationArgs(args, "scores");
  const double margin = args.finiteDouble(4, "margin");
  const F32Arg loss = scalarOut(args, 5);
  args.requireDisjoint(loss, c.x);
  args.requireDisjoint(loss, c.labels);
  requireNonEmpty(args, "rows", c.rows);
  requireLabels(args, c.labels, c.cols);
  loss.data[0] = static_cast<float>(hingeLoss(c.x.data, c.labels.data, c.rows, c.cols, margin));
  return info.Env().Undefined();
}

Napi::Value HingeLossBackward(const Napi::CallbackInfo& info) {
  Args args(info, "hingeLossBackward", 7);
  const Classification c = classificationArgs(args, "scores");
  const double margin = args.finiteDouble(4, "margin");
  const double grad = args.finiteDouble(5, "grad");
  const F32Arg dscores = args.f32(6, "dscores");
  requireMatrix(args, dscores, c.rows, c.cols);
  args.requireDisjoint(dscores, c.x);
  args.requireDisjoint(dscores, c.labels);
  requireNonEmpty(args, "rows", c.rows);
  requireLabels(args, c.labels, c.cols);
  hingeLossBackward(c.x.data, c.labels.data, c.rows, c.cols, margin, grad, dscores.data);
  return info.Env().Undefined();
}

// ---- binary cross-entropy and the pointwise losses ------------------------------------------

struct Bce {
  F32Arg x, t, posWeight;
  const float* pw;
  uint64_t rows, cols, size;
  bool mean;
};

Bce bceArgs(const Args& args) {
  Bce b;
  b.x = args.f32(0, "x");
  b.t = args.f32(1, "t");
  b.rows = args.index(2, "rows");
  b.cols = args.index(3, "cols");
  b.size = requireMatrix(args, b.x, b.rows, b.cols);
  requireMatrix(args, b.t, b.rows, b.cols);
  b.pw = perClass(args, 4, "posWeight", b.cols, &b.posWeight);
  b.mean = args.flag(5, "mean");
  return b;
}

Napi::Value BceWithLogits(const Napi::CallbackInfo& info) {
  Args args(info, "bceWithLogits", 7);
  const Bce b = bceArgs(args);
  const F32Arg loss = scalarOut(args, 6);
  args.requireDisjoint(loss, b.x);
  args.requireDisjoint(loss, b.t);
  args.requireDisjoint(loss, b.posWeight);
  if (b.mean) requireNonEmpty(args, "rows*cols", b.size);
  requireTargets(args, b.t);
  loss.data[0] = static_cast<float>(bceWithLogits(b.x.data, b.t.data, b.rows, b.cols, b.pw, b.mean));
  return info.Env().Undefined();
}

Napi::Value BceWithLogitsBackward(const Napi::CallbackInfo& info) {
  Args args(info, "bceWithLogitsBackward", 8);
  const Bce b = bceArgs(args);
  const double grad = args.finiteDouble(6, "grad");
  const F32Arg dx = args.f32(7, "dx");
  requireMatrix(args, dx, b.rows, b.cols);
  requireSameOrDisjoint(args, dx, b.x);
  requireSameOrDisjoint(args, dx, b.t);
  args.requireDisjoint(dx, b.posWeight);
  if (b.mean) requireNonEmpty(args, "rows*cols", b.size);
  requireTargets(args, b.t);
  bceWithLogitsBackward(b.x.data, b.t.data, b.rows, b.cols, b.pw, b.mean, grad, dx.data);
  return info.Env().Undefined();
}

struct Pointwise {
  F32Arg prediction, target;
  bool mean;
};

Pointwise pointwiseArgs(const Args& args) {
  const F32Arg prediction = args.f32(0, "prediction");
  const F32Arg target = args.f32(1, "target");
  args.requireLength(target, prediction.length, "prediction.length");
  return {prediction, target, args.flag(2, "mean")};
}

template <double (*Kernel)(const float*, const float*, size_t, bool)>
Napi::Value PointwiseLoss(const Napi::CallbackInfo& info, const char* fn) {
  Args args(info, fn, 4);
  const Pointwise p = pointwiseArgs(args);
  const F32Arg loss = scalarOut(args, 3);
  args.requireDisjoint(loss, p.prediction);
  args.requireDisjoint(loss, p.target);
  if (p.mean) requireNonEmpty(args, "prediction.length", p.prediction.length);
  loss.data[0] = static_cast<float>(Kernel(p.prediction.data, p.target.data, p.prediction.length, p.mean));
  return info.Env().Undefined();
}

template <void (*Kernel)(const float*, const float*, size_t, bool, double, float*)>
Napi::Value PointwiseBackward(const Napi::CallbackInfo& info, const char* fn) {
  Args args(info, fn, 5);
  const Pointwise p = pointwiseArgs(args);
  const double grad = args.finiteDouble(3, "grad");
  const F32Arg dprediction = args.f32(4, "dprediction");
  args.requireLength(dprediction, p.prediction.length, "prediction.length");
  requireSameOrDisjoint(args, dprediction, p.prediction);
  requireSameOrDisjoint(args, dprediction, p.target);
  if (p.mean) requireNonEmpty(args, "prediction.length", p.prediction.length);
  Kernel(p.prediction.data, p.target.data, p.prediction.length, p.mean, grad, dprediction.data);
  return info.Env().Undefined();
}

Napi::Value Mse(const Napi::CallbackInfo& info) { return PointwiseLoss<mse>(info, "mse"); }
Napi::Value L1(const Napi::CallbackInfo& info) { return PointwiseLoss<l1>(info, "l1"); }
Napi::Value MseBackward(const Napi::CallbackInfo& info) { return PointwiseBackward<mseBackward>(info, "mseBackward"); }
Napi::Value L1Backward(const Napi::CallbackInfo& info) { return PointwiseBackward<l1Backward>(info, "l1Backward"); }

}  // namespace

void registerLoss(Napi::Env env, Napi::Object exports) {
  define<Softmax>(env, exports, "softmax");
  define<SoftmaxBackward>(env, exports, "softmaxBackward");
  define<LogSoftmax>(env, exports, "logSoftmax");
  define<LogSoftmaxBackward>(env, exports, "logSoftmaxBackward");
  define<SoftmaxCrossEntropy>(env, exports, "softmaxCrossEntropy");
  define<SoftmaxCrossEntropyBackward>(env, exports, "softmaxCrossEntropyBackward");
  define<HingeLoss>(env, exports, "hingeLoss");
  define<HingeLossBackward>(env, exports, "hingeLossBackward");
  define<BceWithLogits>(env, exports, "bceWithLogits");
  define<BceWithLogitsBackward>(env, exports, "bceWithLogitsBackward");
  define<Mse>(env, exports, "mse");
  define<MseBackward>(env, exports, "mseBackward");
  define<L1>(env, exports, "l1");
  define<L1Backward>(env, exports, "l1Backward");
}

}  // namespace tg
