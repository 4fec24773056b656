// forEach(count, body): parallelFor (threadpool.h) with a lambda; body(i) for every i in
// [0, count), each i once, on whichever thread takes it (so body's results must depend on i only).
#pragma once

#include <cstddef>
#include <type_traits>

#include "../threadpool.h"

namespace tg {

template <typename F>
void forEach(size_t count, F&& body) {
  struct Context {
    std::remove_reference_t<F>* body;  // F is a reference type when body is an lvalue
  } context{&body};
  parallelFor(
      count, [](void* p, size_t i) { (*static_cast<Context*>(p)->body)(i); }, &context);
}

}  // namespace tg
