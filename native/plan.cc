// The addon's argument checker: bindKernel(entry, plan) makes a JavaScript function that checks
// each call against the plan compiled from the kernel's declaration (lib/backend/plan.ts), in
// the order and with the messages of lib/backend/validate.ts, then runs the C++ entry on the
// checked arguments (registry.h). One N-API call reads each argument; nothing allocates unless
// a check fails.
#include <napi.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "args.h"
#include "denormals.h"
#include "exports/export.h"
#include "registry.h"

namespace tg {

namespace {

// The opcodes of lib/backend/expression.ts.
enum Op : int {
  kConst = 0, kValue = 1, kLength = 2, kAdd = 3, kSub = 4, kMul = 5, kDiv = 6,
  kLt = 7, kLe = 8, kGt = 9, kGe = 10, kEq = 11, kNe = 12, kAnd = 13, kOr = 14, kNot = 15,
};
constexpr double kMaxSafe = 9007199254740991.0;
constexpr size_t kStack = 32;

using Program = std::vector<double>;

struct Template {
  std::vector<std::string> text;
  std::vector<Program> values;
};

enum class ArgKind { Array, List, Index, Flag, Number, Choice };

struct ArgPlan {
  ArgKind kind = ArgKind::Flag;
  Kind element = Kind::None;  // arrays and lists
  napi_typedarray_type type = napi_float32_array;
  size_t elementSize = 0;
  bool output = false;
  std::string typeError, rangeError, boundError;
  double min = 0, max = 0;
  bool minOpen = false, maxOpen = false, float32 = false, round = false;
  std::vector<std::string> choices;
  std::string elementError[2], overlapError[3];
};

enum class LengthMode { Exact, OrEmpty, EmptyWhen };

struct LengthPlan {
  size_t position = 0;
  Program expected, when;
  LengthMode mode = LengthMode::Exact;
  std::string error[2], emptyError;
};

struct RequirePlan {
  bool hasWhen = false;
  Program when, that;
  Template message;
};

struct DisjointPlan {
  size_t output = 0, other = 0;
  bool same = false;
  std::string error;
};

struct ValuesPlan {
  size_t position = 0;
  Program min, max;
  bool minOpen = false, maxOpen = false, nanPasses = false;
  Template message;
  std::string item;
};

struct KernelPlan {
  std::string kernel;
  size_t arity = 0;
  std::vector<std::string> strings;
  std::string countError;
  std::vector<ArgPlan> args;
  std::vector<Program> derived;
  std::vector<RequirePlan> requires;
  std::vector<LengthPlan> lengths;
  std::vector<DisjointPlan> disjoint;
  std::vector<ValuesPlan> values;
  bool returns = false;
  Entry entry = nullptr;
};

// A refused call: a TypeError (the kind of a value) or a RangeError (its range), with its message.
struct Refusal {
  bool type;
  std::string message;
};

// ---- reading a plan (once per kernel, when the addon is bound) -------------------------------

std::string text(const Napi::Object& o, const char* key) { return o.Get(key).As<Napi::String>().Utf8Value(); }
double number(const Napi::Object& o, const char* key) { return o.Get(key).As<Napi::Number>().DoubleValue(); }
bool boolean(const Napi::Object& o, const char* key) { return o.Get(key).As<Napi::Boolean>().Value(); }

std::vector<std::string> texts(const Napi::Value& v) {
  const Napi::Array a = v.As<Napi::Array>();
  std::vector<std::string> out(a.Length());
  for (uint32_t i = 0; i < a.Length(); ++i) out[i] = a.Get(i).As<Napi::String>().Utf8Value();
  return out;
}

// The largest stack a program needs; refuses one that would underflow or use an unknown slot.
size_t stackDepth(const Program& p, size_t slots, size_t strings) {
  size_t depth = 0, most = 0;
  for (size_t pc = 0; pc < p.size(); ++pc) {
    const int op = static_cast<int>(p[pc]);
    const bool operand = op == kConst || op == kValue || op == kLength || op == kAdd || op == kMul || op == kDiv;
    if (operand && pc + 1 >= p.size()) throw std::invalid_argument("program ends inside an instruction");
    if ((op == kValue || op == kLength) && p[pc + 1] >= static_cast<double>(slots)) throw std::invalid_argument("program reads past the slots");
    if ((op == kAdd || op == kMul || op == kDiv) && p[pc + 1] >= static_cast<double>(strings)) throw std::invalid_argument("program names no message");
    if (op == kConst || op == kValue || op == kLength) {
      ++depth;
    } else if (op == kNot) {
      if (depth < 1) throw std::invalid_argument("program underflows");
    } else if (op >= kAdd && op <= kOr) {
      if (depth < 2) throw std::invalid_argument("program underflows");
      --depth;
    } else {
      throw std::invalid_argument("program has an unknown op");
    }
    if (operand) ++pc;
    most = depth > most ? depth : most;
  }
  if (depth != 1) throw std::invalid_argument("program leaves no single value");
  return most;
}

Program program(const Napi::Value& v, const KernelPlan& plan) {
  const Napi::Array a = v.As<Napi::Array>();
  Program p(a.Length());
  for (uint32_t i = 0; i < a.Length(); ++i) p[i] = a.Get(i).As<Napi::Number>().DoubleValue();
  if (stackDepth(p, kMaxSlots, plan.strings.size()) > kStack) {
    throw std::invalid_argument("program too deep");
  }
  return p;
}

Template templateOf(const Napi::Object& o, const KernelPlan& plan) {
  Template t;
  t.text = texts(o.Get("text"));
  const Napi::Array values = o.Get("values").As<Napi::Array>();
  for (uint32_t i = 0; i < values.Length(); ++i) t.values.push_back(program(values.Get(i), plan));
  if (t.text.size() != t.values.size() + 1) throw std::invalid_argument("template text and values disagree");
  return t;
}

void elementOf(const std::string& type, ArgPlan& a) {
  struct Known { const char* name; Kind kind; napi_typedarray_type type; size_t size; };
  static const Known known[] = {
    {"Float32Array", Kind::F32, napi_float32_array, 4}, {"Float64Array", Kind::F64, napi_float64_array, 8},
    {"Uint16Array", Kind::BF16, napi_uint16_array, 2}, {"Int32Array", Kind::I32, napi_int32_array, 4},
    {"Uint32Array", Kind::U32, napi_uint32_array, 4},
  };
  for (const Known& k : known) {
    if (type == k.name) {
      a.element = k.kind;
      a.type = k.type;
      a.elementSize = k.size;
      return;
    }
  }
  throw std::invalid_argument("unknown array type " + type);
}

ArgPlan argPlan(const Napi::Object& o) {
  ArgPlan a;
  const std::string kind = text(o, "kind");
  a.typeError = text(o, "typeError");
  if (kind == "array" || kind == "list") {
    a.kind = kind == "array" ? ArgKind::Array : ArgKind::List;
    elementOf(text(o, "type"), a);
    a.output = boolean(o, "output");
    if (a.kind == ArgKind::List) {
      const auto element = texts(o.Get("elementError"));
      const auto overlap = texts(o.Get("overlapError"));
      a.elementError[0] = element.at(0), a.elementError[1] = element.at(1);
      for (size_t i = 0; i < 3; ++i) a.overlapError[i] = overlap.at(i);
    }
  } else if (kind == "index") {
    a.kind = ArgKind::Index;
    a.rangeError = text(o, "rangeError");
    a.boundError = text(o, "boundError");
    a.min = number(o, "min"), a.max = number(o, "max");
  } else if (kind == "flag") {
    a.kind = ArgKind::Flag;
  } else if (kind == "number") {
    a.kind = ArgKind::Number;
    a.boundError = text(o, "boundError");
    a.min = number(o, "min"), a.max = number(o, "max");
    a.minOpen = boolean(o, "minOpen"), a.maxOpen = boolean(o, "maxOpen");
    a.float32 = boolean(o, "float32"), a.round = boolean(o, "round");
  } else if (kind == "choice") {
    a.kind = ArgKind::Choice;
    a.choices = texts(o.Get("choices"));
  } else {
    throw std::invalid_argument("unknown argument kind " + kind);
  }
  return a;
}

std::unique_ptr<KernelPlan> readPlan(const Napi::Object& o, Entry entry) {
  auto plan = std::make_unique<KernelPlan>();
  plan->entry = entry;
  plan->kernel = text(o, "kernel");
  plan->arity = static_cast<size_t>(number(o, "arity"));
  plan->strings = texts(o.Get("strings"));
  plan->countError = text(o, "countError");
  plan->returns = boolean(o, "returns");
  const Napi::Array args = o.Get("args").As<Napi::Array>();
  for (uint32_t i = 0; i < args.Length(); ++i) plan->args.push_back(argPlan(args.Get(i).As<Napi::Object>()));
  const Napi::Array derived = o.Get("derived").As<Napi::Array>();
  if (plan->args.size() != plan->arity || plan->arity + derived.Length() > kMaxSlots) {
    throw std::invalid_argument("the plan's arguments do not fit");
  }
  for (uint32_t i = 0; i < derived.Length(); ++i) plan->derived.push_back(program(derived.Get(i), *plan));
  const Napi::Array requires = o.Get("requires").As<Napi::Array>();
  for (uint32_t i = 0; i < requires.Length(); ++i) {
    const Napi::Object r = requires.Get(i).As<Napi::Object>();
    RequirePlan p;
    p.hasWhen = !r.Get("when").IsNull();
    if (p.hasWhen) p.when = program(r.Get("when"), *plan);
    p.that = program(r.Get("that"), *plan);
    p.message = templateOf(r.Get("message").As<Napi::Object>(), *plan);
    plan->requires.push_back(std::move(p));
  }
  const auto position = [&](const Napi::Object& x, const char* key) {
    const size_t at = static_cast<size_t>(number(x, key));
    if (at >= plan->arity) throw std::invalid_argument("a check names no argument");
    return at;
  };
  const Napi::Array lengths = o.Get("lengths").As<Napi::Array>();
  for (uint32_t i = 0; i < lengths.Length(); ++i) {
    const Napi::Object l = lengths.Get(i).As<Napi::Object>();
    LengthPlan p;
    p.position = position(l, "position");
    p.expected = program(l.Get("expected"), *plan);
    const std::string mode = text(l, "mode");
    p.mode = mode == "orEmpty" ? LengthMode::OrEmpty : mode == "emptyWhen" ? LengthMode::EmptyWhen : LengthMode::Exact;
    if (p.mode == LengthMode::EmptyWhen) p.when = program(l.Get("when"), *plan);
    const auto error = texts(l.Get("error"));
    p.error[0] = error.at(0), p.error[1] = error.at(1);
    p.emptyError = text(l, "emptyError");
    plan->lengths.push_back(std::move(p));
  }
  const Napi::Array disjoint = o.Get("disjoint").As<Napi::Array>();
  for (uint32_t i = 0; i < disjoint.Length(); ++i) {
    const Napi::Object d = disjoint.Get(i).As<Napi::Object>();
    plan->disjoint.push_back({position(d, "output"), position(d, "other"), boolean(d, "same"), text(d, "error")});
  }
  const Napi::Array values = o.Get("values").As<Napi::Array>();
  for (uint32_t i = 0; i < values.Length(); ++i) {
    const Napi::Object v = values.Get(i).As<Napi::Object>();
    ValuesPlan p;
    p.position = position(v, "position");
    p.min = program(v.Get("min"), *plan);
    p.max = program(v.Get("max"), *plan);
    p.minOpen = boolean(v, "minOpen"), p.maxOpen = boolean(v, "maxOpen"), p.nanPasses = boolean(v, "nanPasses");
    p.message = templateOf(v.Get("message").As<Napi::Object>(), *plan);
    p.item = text(v, "item");
    plan->values.push_back(std::move(p));
  }
  // Checks on arrays must name arrays.
  for (const auto& l : plan->lengths) if (plan->args[l.position].kind != ArgKind::Array) throw std::invalid_argument("a length of a non-array");
  for (const auto& d : plan->disjoint) {
    if (plan->args[d.output].kind != ArgKind::Array || plan->args[d.other].kind != ArgKind::Array) {
      throw std::invalid_argument("an overlap check of a non-array");
    }
  }
  for (const auto& v : plan->values) if (plan->args[v.position].kind != ArgKind::Array) throw std::invalid_argument("values of a non-array");
  return plan;
}

}  // namespace

// ---- checking a call ------------------------------------------------------------------------

class Checker {
 public:
  Checker(const KernelPlan& plan, napi_env env, Call& call) : plan_(plan), env_(env), call_(call) {}

  void run(napi_value* argv, size_t argc) {
    if (argc != plan_.arity) throw Refusal{true, plan_.countError + std::to_string(argc)};
    call_.kernel_ = plan_.kernel.c_str();
    call_.arity_ = plan_.arity;
    for (size_t i = 0; i < plan_.arity; ++i) argument(plan_.args[i], argv[i], call_.slots_[i]);
    for (size_t k = 0; k < plan_.derived.size(); ++k) {
      Call::Slot& s = call_.slots_[plan_.arity + k];
      s = Call::Slot{nullptr, 0, eval(plan_.derived[k]), Kind::Index, false};
    }
    for (const RequirePlan& r : plan_.requires) {
      if (r.hasWhen && eval(r.when) == 0) continue;
      if (eval(r.that) == 0) throw Refusal{false, render(r.message)};
    }
    for (const LengthPlan& l : plan_.lengths) length(l);
    for (const DisjointPlan& d : plan_.disjoint) {
      const Call::Slot& a = call_.slots_[d.output];
      const Call::Slot& b = call_.slots_[d.other];
      if (d.same && a.data == b.data) continue;
      if (overlap(a.data, bytes(d.output), b.data, bytes(d.other))) throw Refusal{false, d.error};
    }
    for (size_t i = 0; i < plan_.arity; ++i) {
      if (plan_.args[i].kind == ArgKind::List && plan_.args[i].output) listDisjoint(plan_.args[i]);
    }
    for (const ValuesPlan& v : plan_.values) values(v);
  }

 private:
  static bool overlap(const void* a, size_t aBytes, const void* b, size_t bBytes) {
    const char* x = static_cast<const char*>(a);
    const char* y = static_cast<const char*>(b);
    return aBytes != 0 && bBytes != 0 && x < y + bBytes && y < x + aBytes;
  }
  size_t bytes(size_t i) const { return call_.slots_[i].length * plan_.args[i].elementSize; }

  std::string received(napi_value v) const { return describe(env_, v); }

  void argument(const ArgPlan& a, napi_value v, Call::Slot& s) {
    s.data = nullptr;
    s.length = 0;
    s.number = 0;
    s.writable = a.output;
    switch (a.kind) {
      case ArgKind::Array: {
        napi_typedarray_type type;
        if (napi_get_typedarray_info(env_, v, &type, &s.length, &s.data, nullptr, nullptr) != napi_ok || type != a.type) {
          throw Refusal{true, a.typeError + received(v)};
        }
        s.kind = a.element;
        return;
      }
      case ArgKind::List:
        list(a, v, s);
        return;
      case ArgKind::Index: {
        double d;
        if (napi_get_value_double(env_, v, &d) != napi_ok) throw Refusal{true, a.typeError + received(v)};
        if (!(d >= 0) || d > kMaxSafe || std::floor(d) != d) throw Refusal{false, a.rangeError + received(v)};
        if (d < a.min || d > a.max) throw Refusal{false, a.boundError + received(v)};
        s.number = d;
        s.kind = Kind::Index;
        return;
      }
      case ArgKind::Flag: {
        bool b;
        if (napi_get_value_bool(env_, v, &b) != napi_ok) throw Refusal{true, a.typeError + received(v)};
        s.number = b ? 1 : 0;
        s.kind = Kind::Flag;
        return;
      }
      case ArgKind::Number: {
        double d;
        if (napi_get_value_double(env_, v, &d) != napi_ok) throw Refusal{true, a.typeError + received(v)};
        if (!std::isfinite(d) || (a.float32 && std::fabs(d) > static_cast<double>(FLT_MAX))) {
          throw Refusal{false, a.typeError + received(v)};
        }
        const double x = a.round ? static_cast<double>(static_cast<float>(d)) : d;
        const bool inside = (a.minOpen ? x > a.min : x >= a.min) && (a.maxOpen ? x < a.max : x <= a.max);
        if (!inside) throw Refusal{false, a.boundError + received(v)};
        s.number = x;
        s.kind = Kind::Number;
        return;
      }
      case ArgKind::Choice: {
        char buf[32];
        size_t n = 0;
        if (napi_get_value_string_utf8(env_, v, buf, sizeof buf, &n) == napi_ok && n < sizeof buf - 1) {
          for (size_t c = 0; c < a.choices.size(); ++c) {
            if (a.choices[c] == std::string(buf, n)) {
              s.number = static_cast<double>(c);
              s.kind = Kind::Choice;
              return;
            }
          }
        }
        throw Refusal{true, a.typeError + received(v)};
      }
    }
  }

  // An Array of typed arrays. The elements are read first and their memory taken after, so no
  // JavaScript (an index getter, say) runs between taking a pointer and using it.
  void list(const ArgPlan& a, napi_value v, Call::Slot& s) {
    bool isArray = false;
    if (napi_is_array(env_, v, &isArray) != napi_ok || !isArray) throw Refusal{true, a.typeError + received(v)};
    uint32_t count = 0;
    napi_get_array_length(env_, v, &count);
    std::vector<napi_value> elements(count);
    for (uint32_t k = 0; k < count; ++k) {
      if (napi_get_element(env_, v, k, &elements[k]) != napi_ok) throw Refusal{true, a.typeError + received(v)};
    }
    call_.lists_.clear();
    call_.lists_.reserve(count);
    for (uint32_t k = 0; k < count; ++k) {
      napi_typedarray_type type;
      Span span{nullptr, 0};
      if (napi_get_typedarray_info(env_, elements[k], &type, &span.length, &span.data, nullptr, nullptr) != napi_ok ||
          type != a.type) {
        throw Refusal{true, a.elementError[0] + std::to_string(k) + a.elementError[1] + received(elements[k])};
      }
      call_.lists_.push_back(span);
    }
    s.length = count;
    s.kind = Kind::List;
  }

  // Arrays written in place must not share memory: sorted by address, neighbours must not overlap.
  void listDisjoint(const ArgPlan& a) const {
    struct Entry { const char* data; size_t bytes; size_t index; };
    std::vector<Entry> order;
    for (size_t k = 0; k < call_.lists_.size(); ++k) {
      const Span& g = call_.lists_[k];
      if (g.length != 0) order.push_back({static_cast<const char*>(g.data), g.length * a.elementSize, k});
    }
    std::sort(order.begin(), order.end(), [](const Entry& x, const Entry& y) { return x.data < y.data; });
    for (size_t k = 1; k < order.size(); ++k) {
      if (order[k - 1].data + order[k - 1].bytes > order[k].data) {
        const size_t first = std::min(order[k - 1].index, order[k].index);
        const size_t second = std::max(order[k - 1].index, order[k].index);
        throw Refusal{false, a.overlapError[0] + std::to_string(second) + a.overlapError[1] + std::to_string(first) +
                                 a.overlapError[2]};
      }
    }
  }

  void length(const LengthPlan& l) {
    const size_t actual = call_.slots_[l.position].length;
    if (l.mode == LengthMode::EmptyWhen && eval(l.when) != 0) {
      if (actual != 0) throw Refusal{false, l.emptyError + std::to_string(actual)};
      return;
    }
    const double expected = eval(l.expected);
    if (static_cast<double>(actual) != expected && !(l.mode == LengthMode::OrEmpty && actual == 0)) {
      throw Refusal{false, l.error[0] + formatNumber(expected) + l.error[1] + std::to_string(actual)};
    }
  }

  double element(const Call::Slot& s, size_t i) const {
    switch (s.kind) {
      case Kind::F32: return static_cast<const float*>(s.data)[i];
      case Kind::F64: return static_cast<const double*>(s.data)[i];
      case Kind::I32: return static_cast<const int32_t*>(s.data)[i];
      case Kind::U32: return static_cast<const uint32_t*>(s.data)[i];
      case Kind::BF16: {
        const uint32_t bits = static_cast<uint32_t>(static_cast<const uint16_t*>(s.data)[i]) << 16;
        float f;
        std::memcpy(&f, &bits, sizeof f);
        return f;
      }
      default: return 0;
    }
  }

  void values(const ValuesPlan& v) {
    const Call::Slot& s = call_.slots_[v.position];
    const double min = eval(v.min), max = eval(v.max);
    for (size_t i = 0; i < s.length; ++i) {
      const double x = element(s, i);
      const bool inside = (v.minOpen ? x > min : x >= min) && (v.maxOpen ? x < max : x <= max);
      if (!inside && !(v.nanPasses && std::isnan(x))) {
        throw Refusal{false, render(v.message) + v.item + "[" + std::to_string(i) + "] is " + formatNumber(x)};
      }
    }
  }

  std::string render(const Template& t) {
    std::string out = t.text[0];
    for (size_t i = 0; i < t.values.size(); ++i) out += formatNumber(eval(t.values[i])) + t.text[i + 1];
    return out;
  }

  double eval(const Program& p) {
    double stack[kStack];
    size_t top = 0;
    for (size_t pc = 0; pc < p.size(); ++pc) {
      const int op = static_cast<int>(p[pc]);
      switch (op) {
        case kConst: stack[top++] = p[++pc]; continue;
        case kValue: stack[top++] = call_.slots_[static_cast<size_t>(p[++pc])].number; continue;
        case kLength: stack[top++] = static_cast<double>(call_.slots_[static_cast<size_t>(p[++pc])].length); continue;
        case kNot: stack[top - 1] = stack[top - 1] == 0 ? 1 : 0; continue;
        default: break;
      }
      const double b = stack[--top];
      const double a = stack[top - 1];
      double r = 0;
      switch (op) {
        case kAdd: r = a + b; break;
        case kSub: r = a - b; break;
        case kMul: r = a * b; break;
        case kDiv:
          if (b == 0) throw Refusal{false, plan_.strings[static_cast<size_t>(p[pc + 1])] + formatNumber(b)};
          r = std::floor(a / b);
          break;
        case kLt: r = a < b; break;
        case kLe: r = a <= b; break;
        case kGt: r = a > b; break;
        case kGe: r = a >= b; break;
        case kEq: r = a == b; break;
        case kNe: r = a != b; break;
        case kAnd: r = a != 0 && b != 0; break;
        case kOr: r = a != 0 || b != 0; break;
      }
      if ((op == kAdd || op == kMul) && r > kMaxSafe) {
        throw Refusal{false, plan_.strings[static_cast<size_t>(p[pc + 1])] + formatNumber(r)};
      }
      if (op == kAdd || op == kMul || op == kDiv) ++pc;
      stack[top - 1] = r;
    }
    return stack[0];
  }

  const KernelPlan& plan_;
  napi_env env_;
  Call& call_;
};

namespace {

napi_value throwError(napi_env env, napi_status (*thrower)(napi_env, const char*, const char*), const std::string& message) {
  thrower(env, nullptr, message.c_str());
  return nullptr;
}

// Every bound kernel: check, then run the entry with subnormals flushed if asked (denormals.h).
napi_value CallKernel(napi_env env, napi_callback_info info) {
  napi_value argv[kMaxSlots];
  size_t argc = kMaxSlots;
  void* data = nullptr;
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, &data) != napi_ok) return nullptr;
  const KernelPlan& plan = *static_cast<const KernelPlan*>(data);
  Call call;
  try {
    Checker(plan, env, call).run(argv, argc);
    const DenormalScope denormals(flushDenormals());
    plan.entry(call);
  } catch (const Refusal& r) {
    return throwError(env, r.type ? napi_throw_type_error : napi_throw_range_error, r.message);
  } catch (const KernelRangeError& e) {
    return throwError(env, napi_throw_range_error, e.what());
  } catch (const std::bad_alloc&) {
    return throwError(env, napi_throw_range_error, "tensorgrad: out of memory in a native kernel");
  } catch (const std::exception& e) {
    return throwError(env, napi_throw_error, std::string("tensorgrad: native error: ") + e.what());
  }
  if (!plan.returns) return nullptr;
  napi_value result;
  napi_create_double(env, call.result(), &result);
  return result;
}

// bindKernel(entry, plan): the kernel as a function, its plan freed with it.
Napi::Value BindKernel(const Napi::CallbackInfo& info) {
  Args args(info, "bindKernel", 2);
  const std::string key = info[0].As<Napi::String>().Utf8Value();
  const Entry entry = findEntry(key);
  if (entry == nullptr) throw Napi::RangeError::New(info.Env(), "bindKernel: no C++ entry " + key);
  std::unique_ptr<KernelPlan> plan;
  try {
    plan = readPlan(info[1].As<Napi::Object>(), entry);
  } catch (const std::invalid_argument& e) {
    throw Napi::TypeError::New(info.Env(), "bindKernel: the plan of " + key + " is malformed: " + e.what());
  }
  napi_value fn;
  NAPI_THROW_IF_FAILED(info.Env(), napi_create_function(info.Env(), plan->kernel.c_str(), NAPI_AUTO_LENGTH, CallKernel, plan.get(), &fn),
                       Napi::Value());
  NAPI_THROW_IF_FAILED(info.Env(),
                       napi_add_finalizer(info.Env(), fn, plan.get(), [](napi_env, void* p, void*) { delete static_cast<KernelPlan*>(p); },
                                          nullptr, nullptr),
                       Napi::Value());
  plan.release();  // owned by the function now
  return Napi::Value(info.Env(), fn);
}

Napi::Value KernelEntries(const Napi::CallbackInfo& info) {
  Args args(info, "kernelEntries", 0);
  const std::vector<std::string> names = entryNames();
  Napi::Array out = Napi::Array::New(info.Env(), names.size());
  for (size_t i = 0; i < names.size(); ++i) out.Set(static_cast<uint32_t>(i), names[i]);
  return out;
}

}  // namespace

void registerKernels(Napi::Env env, Napi::Object exports) {
  define<BindKernel>(env, exports, "bindKernel");
  define<KernelEntries>(env, exports, "kernelEntries");
}

}  // namespace tg
