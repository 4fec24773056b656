// Recurrent-cell exports: argument checks (in the order of lib/backend/reference/rnn.ts), then
// the kernels.
#include <string>
#include <vector>

#include "../args.h"
#include "../kernels/rnn.h"
#include "export.h"

namespace tg {

namespace {

struct Spec {
  size_t position;
  const char* name;
  uint64_t width;  // the array holds n * width * hidden floats
  bool output;
};

// Reads the arrays, checks their lengths against n and hidden, and that no output shares
// memory with another array (except `gates` being exactly `pre`).
std::vector<F32Arg> readArrays(const Args& args, const std::vector<Spec>& specs, size_t nAt,
                               uint64_t& n, uint64_t& hidden) {
  std::vector<F32Arg> arrays;
  for (const Spec& s : specs) {
    if (s.position < nAt) arrays.push_back(args.f32(s.position, s.name));
  }
  n = args.index(nAt, "n");
  hidden = args.index(nAt + 1, "hidden");
  for (const Spec& s : specs) {
    if (s.position > nAt) arrays.push_back(args.f32(s.position, s.name));
  }
  for (size_t i = 0; i < specs.size(); ++i) {
    const Spec& s = specs[i];
    const std::string widthExpr = std::to_string(s.width) + "*hidden";
    const std::string expr = s.width == 1 ? "n*hidden" : "n*" + widthExpr;
    const uint64_t w = args.product(hidden, s.width, widthExpr.c_str());
    args.requireLength(arrays[i], args.product(n, w, expr.c_str()), expr.c_str());
  }
  for (size_t i = 0; i < specs.size(); ++i) {
    if (!specs[i].output) continue;
    for (size_t k = 0; k < specs.size(); ++k) {
      if (k == i) continue;
      const bool inPlace = std::string(specs[i].name) == "gates" &&
                           std::string(specs[k].name) == "pre" &&
                           arrays[i].data == arrays[k].data;
      if (!inPlace) args.requireDisjoint(arrays[i], arrays[k]);
    }
  }
  return arrays;
}

Napi::Value LstmCellForward(const Napi::CallbackInfo& info) {
  Args args(info, "lstmCellForward", 7);
  uint64_t n, hidden;
  const auto a = readArrays(args,
                            {{0, "pre", 4, false}, {1, "cPrev", 1, false}, {4, "gates", 4, true},
                             {5, "c", 1, true}, {6, "h", 1, true}},
                            2, n, hidden);
  lstmCellForward(a[0].data, a[1].data, n, hidden, a[2].data, a[3].data, a[4].data);
  return info.Env().Undefined();
}

Napi::Value LstmCellBackward(const Napi::CallbackInfo& info) {
  Args args(info, "lstmCellBackward", 9);
  uint64_t n, hidden;
  const auto a = readArrays(args,
                            {{0, "gates", 4, false}, {1, "cPrev", 1, false}, {2, "c", 1, false},
                             {3, "dh", 1, false}, {4, "dc", 1, false}, {7, "dPre", 4, true},
                             {8, "dcPrev", 1, true}},
                            5, n, hidden);
  lstmCellBackward(a[0].data, a[1].data, a[2].data, a[3].data, a[4].data, n, hidden, a[5].data,
                   a[6].data);
  return info.Env().Undefined();
}

Napi::Value GruCellForward(const Napi::CallbackInfo& info) {
  Args args(info, "gruCellForward", 7);
  uint64_t n, hidden;
  const auto a = readArrays(args,
                            {{0, "gi", 3, false}, {1, "gh", 3, false}, {2, "hPrev", 1, false},
                             {5, "work", 4, true}, {6, "h", 1, true}},
                            3, n, hidden);
  gruCellForward(a[0].data, a[1].data, a[2].data, n, hidden, a[3].data, a[4].data);
  return info.Env().Undefined();
}

Napi::Value GruCellBackward(const Napi::CallbackInfo& info) {
  Args args(info, "gruCellBackward", 8);
  uint64_t n, hidden;
  const auto a = readArrays(args,
                            {{0, "work", 4, false}, {1, "hPrev", 1, false}, {2, "dh", 1, false},
                             {5, "dgi", 3, true}, {6, "dgh", 3, true}, {7, "dhPrev", 1, true}},
                            3, n, hidden);
  gruCellBackward(a[0].data, a[1].data, a[2].data, n, hidden, a[3].data, a[4].data, a[5].data);
  return info.Env().Undefined();
}

}  // namespace

void registerRnn(Napi::Env env, Napi::Object exports) {
  define<LstmCellForward>(env, exports, "lstmCellForward");
  define<LstmCellBackward>(env, exports, "lstmCellBackward");
  define<GruCellForward>(env, exports, "gruCellForward");
  define<GruCellBackward>(env, exports, "gruCellBackward");
}

}  // namespace tg
