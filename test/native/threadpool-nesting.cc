// The pool's nested calls (threadpool.h): a parallelFor made inside a task runs every index on
// that task's thread, without waiting for the pool the outer call holds, and availableThreads()
// says 1 there; an exception from a nested task reaches the outer caller. Built and run by
// threadpool-nesting.test.ts.
#include <atomic>
#include <cstdio>
#include <stdexcept>
#include <thread>
#include <vector>

#include "../../native/threadpool.h"

using namespace tg;

namespace {

int checks = 0, failures = 0;

void check(bool ok, const char* what) {
  ++checks;
  if (!ok) {
    ++failures;
    std::printf("FAILED: %s\n", what);
  }
}

struct Outer {
  std::vector<std::atomic<int>>* hits;
  std::atomic<int>* wrongWidth;
  std::atomic<int>* otherThread;
  size_t inner;
};

struct Inner {
  std::vector<std::atomic<int>>* hits;
  size_t row, inner;
  std::thread::id owner;
  std::atomic<int>* otherThread;
};

void innerTask(void* p, size_t j) {
  auto* c = static_cast<Inner*>(p);
  if (std::this_thread::get_id() != c->owner) c->otherThread->fetch_add(1);
  (*c->hits)[c->row * c->inner + j].fetch_add(1);
}

void outerTask(void* p, size_t i) {
  auto* c = static_cast<Outer*>(p);
  if (availableThreads() != 1) c->wrongWidth->fetch_add(1);
  Inner inner{c->hits, i, c->inner, std::this_thread::get_id(), c->otherThread};
  parallelFor(c->inner, innerTask, &inner);
}

void throwingInner(void*, size_t j) {
  if (j == 3) throw std::runtime_error("inner");
}

void throwingOuter(void*, size_t) { parallelFor(5, throwingInner, nullptr); }

}  // namespace

int main() {
  for (size_t threads : {1, 2, 3}) {
    setNumThreads(threads);
    check(availableThreads() == threads, "availableThreads() outside a task is numThreads()");
    const size_t outer = 17, inner = 13;
    std::vector<std::atomic<int>> hits(outer * inner);
    for (auto& h : hits) h.store(0);
    std::atomic<int> wrongWidth{0}, otherThread{0};
    Outer context{&hits, &wrongWidth, &otherThread, inner};
    parallelFor(outer, outerTask, &context);
    bool once = true;
    for (auto& h : hits) once = once && h.load() == 1;
    check(once, "every nested index runs exactly once");
    check(wrongWidth.load() == 0, "availableThreads() is 1 inside a task");
    check(otherThread.load() == 0, "nested indices run on the outer task's thread");
    bool caught = false;
    try {
      parallelFor(4, throwingOuter, nullptr);
    } catch (const std::runtime_error&) {
      caught = true;
    }
    check(caught, "an exception from a nested task reaches the outer caller");
    // The pool still works after the exception.
    std::atomic<int> after{0};
    struct Count {
      static void task(void* p, size_t) { static_cast<std::atomic<int>*>(p)->fetch_add(1); }
    };
    parallelFor(9, Count::task, &after);
    check(after.load() == 9, "the pool runs the next call after a nested exception");
  }
  std::printf("%d checks, %d failures\n", checks, failures);
  return failures == 0 ? 0 : 1;
}
