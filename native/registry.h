// How a C++ kernel joins the addon: one entry per kernel and dtype, registered where it is
// defined, reading its arguments from a Call that native/plan.cc has already checked against
// the kernel's declaration (lib/backend/kernels/<area>.ts). No list names the kernels: the
// TypeScript side binds every declaration to the entry of the same name when the addon loads.
//
//   TG_KERNEL(transpose) {
//     transpose(call.in<float>(0), call.index(1), call.index(2), call.out<float>(3));
//   }
//
// The accessors check that the declaration gives the argument the kind they read (reading a
// float array as an index, or writing into an input, throws instead of touching memory).
// Nothing here includes N-API: entries stay plain C++.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace tg {

// What a checked argument holds.
enum class Kind : uint8_t { None, F32, F64, BF16, I32, U32, List, Index, Flag, Number, Choice };

// An array of a list argument.
struct Span {
  void* data;
  size_t length;
};

// A refusal of an entry's own (the checks only the kernel can make): a RangeError in JavaScript.
class KernelRangeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Arity and derived sizes together: no kernel comes near it.
constexpr size_t kMaxSlots = 32;

class Call {
 public:
  bool flag(size_t i) const { return slot(i, Kind::Flag).number != 0; }
  uint64_t index(size_t i) const { return static_cast<uint64_t>(slot(i, Kind::Index).number); }
  // A 'float' argument, already rounded to float32.
  float single(size_t i) const { return static_cast<float>(slot(i, Kind::Number).number); }
  // A 'double' argument.
  double real(size_t i) const { return slot(i, Kind::Number).number; }
  // The position of a 'choice' argument's string among the declared choices.
  int choice(size_t i) const { return static_cast<int>(slot(i, Kind::Choice).number); }
  // A derived size (the declaration's `derive`, in order).
  double derived(size_t k) const { return slots_[arity_ + k].number; }

  template <typename T>
  const T* in(size_t i) const {
    return static_cast<const T*>(slot(i, kindOf<T>()).data);
  }
  // An array the declaration lets the kernel write (an output or in-out).
  template <typename T>
  T* out(size_t i) const {
    const Slot& s = slot(i, kindOf<T>());
    if (!s.writable) misread(i, "written");
    return static_cast<T*>(s.data);
  }
  // An optional array (empty when absent): null when empty.
  template <typename T>
  const T* inOrNull(size_t i) const {
    return length(i) == 0 ? nullptr : in<T>(i);
  }
  template <typename T>
  T* outOrNull(size_t i) const {
    return length(i) == 0 ? nullptr : out<T>(i);
  }
  size_t length(size_t i) const {
    if (i >= arity_) misread(i, "read as an array");
    const Slot& s = slots_[i];
    if (s.kind == Kind::Index || s.kind == Kind::Flag || s.kind == Kind::Number ||
        s.kind == Kind::Choice || s.kind == Kind::None) {
      misread(i, "read as an array");
    }
    return s.length;
  }
  const std::vector<Span>& list(size_t i) const {
    slot(i, Kind::List);
    return lists_;
  }

  void result(double value) { result_ = value; }
  double result() const { return result_; }
  // "<kernel>: <message>" as a RangeError.
  [[noreturn]] void rangeError(const std::string& message) const;
  const char* kernel() const { return kernel_; }

 private:
  friend class Checker;
  // Left uninitialized: the checker writes every slot an entry may read.
  struct Slot {
    void* data;
    size_t length;
    double number;
    Kind kind;
    bool writable;
  };
  template <typename T>
  static constexpr Kind kindOf();
  const Slot& slot(size_t i, Kind kind) const {
    if (i >= arity_ || slots_[i].kind != kind) misread(i, "read as another kind");
    return slots_[i];
  }
  [[noreturn]] void misread(size_t i, const char* how) const;

  const char* kernel_ = "";
  size_t arity_ = 0;
  Slot slots_[kMaxSlots];
  std::vector<Span> lists_;  // the one list argument's arrays (the gradient kernels)
  double result_ = 0;
};

template <>
constexpr Kind Call::kindOf<float>() { return Kind::F32; }
template <>
constexpr Kind Call::kindOf<double>() { return Kind::F64; }
template <>
constexpr Kind Call::kindOf<uint16_t>() { return Kind::BF16; }
template <>
constexpr Kind Call::kindOf<int32_t>() { return Kind::I32; }
template <>
constexpr Kind Call::kindOf<uint32_t>() { return Kind::U32; }

using Entry = void (*)(Call& call);

// Registers entry `name` for `dtype` ("float32", "bfloat16"); returns true (for a static).
bool registerEntry(const char* name, const char* dtype, Entry entry);
// The entry for "name:dtype", or nullptr.
Entry findEntry(const std::string& key);
// Every "name:dtype" registered.
std::vector<std::string> entryNames();

}  // namespace tg

#define TG_KERNEL_FOR(name, dtype)                                                      \
  static void tgEntry_##name##_##dtype(::tg::Call& call);                              \
  [[maybe_unused]] static const bool tgRegistered_##name##_##dtype =                   \
      ::tg::registerEntry(#name, #dtype, tgEntry_##name##_##dtype);                    \
  static void tgEntry_##name##_##dtype(::tg::Call& call)

// The float32 entry of a kernel.
#define TG_KERNEL(name) TG_KERNEL_FOR(name, float32)
