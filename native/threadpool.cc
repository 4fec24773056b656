// The pool behind threadpool.h: workers sleep on a condition variable until a new generation of
// work is published, join it while it is open, claim indices from an atomic counter, and report
// back on another condition variable. The caller claims indices too and closes the job when none
// are left, so it never waits for a worker that has not started.
#include "threadpool.h"

#include "denormals.h"
#include "platform.h"
#ifdef TG_X86
#include <immintrin.h>  // _mm_pause (SSE2, every x86-64)
#endif

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace tg {

namespace {

// How long a worker that finished a job keeps watching for the next one before it sleeps: kernels
// called back to back (a training step) then start without a wake-up, which on a virtual machine
// can cost as much as a small product.
constexpr std::chrono::microseconds kSpin{100};

// Runs of indices a thread claims, on average, in one parallel call (work()).
constexpr size_t kClaimsPerThread = 8;

// Set while this thread runs a task of a parallel call: a kernel that parallelises its outer loop
// can call kernels that parallelise their own (a convolution's GEMMs), and the inner calls then
// run on this thread alone instead of waiting for the pool the outer call holds.
thread_local bool insideTask = false;

struct TaskScope {
  bool saved;
  TaskScope() : saved(insideTask) { insideTask = true; }
  ~TaskScope() { insideTask = saved; }
};

void pause() {
#ifdef TG_X86
  _mm_pause();
#else
  std::this_thread::yield();
#endif
}

size_t defaultThreads() {
  if (const char* env = std::getenv("TENSORGRAD_NUM_THREADS")) {
    char* end = nullptr;
    const long value = std::strtol(env, &end, 10);
    if (end != env && *end == '\0' && value >= 1 && value <= static_cast<long>(kMaxThreads)) {
      return static_cast<size_t>(value);
    }
  }
  const unsigned cores = std::thread::hardware_concurrency();
  if (cores == 0) return 1;
  return cores < kMaxThreads ? cores : kMaxThreads;
}

class ThreadPool {
 public:
  ThreadPool() : size_(defaultThreads()) {}
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;
  // At process exit: wake the workers with stop set and join them.
  ~ThreadPool() {
    std::lock_guard<std::mutex> call(callMutex_);
    stopWorkers();
  }

  size_t size() const { return size_.load(); }

  void retain() {
    std::lock_guard<std::mutex> call(callMutex_);
    ++users_;
  }

  void release() {
    std::lock_guard<std::mutex> call(callMutex_);
    if (users_ > 0 && --users_ == 0) {
      stopWorkers();
      // The next environment starts with fresh workers and judges them afresh, as after resize.
      losses_ = 0.0;
      solo_ = 0;
    }
  }

  void resize(size_t n) {
    std::lock_guard<std::mutex> call(callMutex_);
    if (n == size_.load()) return;
    stopWorkers();  // restarted at the right size by the next parallel call
    size_.store(n);
    losses_ = 0.0;
    solo_ = 0;
  }

  void run(size_t count, ParallelTask task, void* context) {
    if (insideTask) {  // nested: this thread alone (exceptions propagate to the outer task)
      for (size_t i = 0; i < count; ++i) task(context, i);
      return;
    }
    std::lock_guard<std::mutex> call(callMutex_);
    const size_t wanted = size_.load() - 1;
    if (count <= 1 || wanted == 0 || solo_ > 0) {
      if (count > 1 && solo_ > 0) --solo_;
      const TaskScope scope;
      for (size_t i = 0; i < count; ++i) task(context, i);
      return;
    }
    if (workers_.size() != wanted) startWorkers(wanted);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      task_ = task;
      context_ = context;
      count_ = count;
      next_.store(0);
      flush_ = flushDenormals();
      open_ = true;
      error_ = nullptr;
      ++generation_;
      published_.store(generation_, std::memory_order_release);
    }
    wake_.notify_all();
    const auto start = std::chrono::steady_clock::now();
    const size_t own = work(false);
    const auto ownEnd = std::chrono::steady_clock::now();
    // Every index is claimed: close the job to workers not yet awake (on a busy machine they
    // may not run for a while, and need not), and wait only for those that joined: watching
    // for a while first, as the workers do, since a wake-up through the condition variable can
    // cost as much as the part a worker computed.
    std::unique_lock<std::mutex> lock(mutex_);
    open_ = false;
    if (active_.load() != 0) {
      lock.unlock();
      const auto until = std::chrono::steady_clock::now() + kSpin;
      for (unsigned i = 1; active_.load(std::memory_order_acquire) != 0; ++i) {
        pause();
        if (i % 64 == 0 && std::chrono::steady_clock::now() > until) break;
      }
      lock.lock();
    }
    done_.wait(lock, [this] { return active_.load() == 0; });
    task_ = nullptr;
    judge(own, count, ownEnd - start, std::chrono::steady_clock::now() - start);
    if (error_) std::rethrow_exception(error_);
  }

 private:
  // On a machine whose cores other processes keep busy, a worker is often preempted inside its
  // part and the caller waits for it to be scheduled again, which costs more than doing every
  // part itself. After each parallel job: was it slower than the caller alone would have been
  // (its own time per index times the count)? When most recent jobs were, the next kSoloJobs
  // jobs run on the calling thread, then workers are tried again. Only who runs a part changes,
  // never the parts, so the bits stay the same.
  static constexpr size_t kSoloJobs = 256;
  void judge(size_t own, size_t count, std::chrono::steady_clock::duration ownTime,
             std::chrono::steady_clock::duration total) {
    if (own == 0) return;  // the caller ran nothing: no estimate
    const bool lost = total.count() * static_cast<double>(own) >
                      ownTime.count() * static_cast<double>(count);
    losses_ = 0.875 * losses_ + (lost ? 0.125 : 0.0);
    if (losses_ > 0.5) {
      solo_ = kSoloJobs;
      losses_ = 0.25;  // a few more losses after the probe send it back to solo
    }
  }

  // Claims and runs indices until none are left; the first exception is kept for the caller.
  // A worker takes the caller's subnormal mode for the job (the caller's own is already set).
  // Returns how many indices this thread ran.
  size_t work(bool worker) {
    const DenormalScope denormals(worker && flush_);
    const TaskScope scope;
    // Indices are claimed a run at a time, about kClaimsPerThread runs per thread: thousands of
    // small tasks (a pooling kernel's planes) would otherwise spend more time passing the
    // counter's cache line between cores than in the tasks.
    const size_t run = std::max<size_t>(1, count_ / (kClaimsPerThread * size_.load()));
    size_t ran = 0;
    for (size_t i = next_.fetch_add(run); i < count_; i = next_.fetch_add(run)) {
      const size_t end = std::min(count_, i + run);
      for (; i < end; ++i, ++ran) {
        try {
          task_(context_, i);
        } catch (...) {
          std::lock_guard<std::mutex> lock(mutex_);
          if (!error_) error_ = std::current_exception();
        }
      }
    }
    return ran;
  }

  // `seen`: the generation current when the worker started, so it waits for the next one.
  void workerLoop(uint64_t seen) {
    for (;;) {
      const auto until = std::chrono::steady_clock::now() + kSpin;
      for (unsigned i = 1; published_.load(std::memory_order_acquire) == seen; ++i) {
        pause();
        if (i % 64 == 0 && std::chrono::steady_clock::now() > until) break;
      }
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
        if (stop_) return;
        seen = generation_;
        if (!open_) continue;  // woke after the caller finished the job alone
        ++active_;
      }
      work(true);
      std::lock_guard<std::mutex> lock(mutex_);
      if (--active_ == 0) done_.notify_one();
    }
  }

  void startWorkers(size_t n) {
    stopWorkers();
    uint64_t current;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      current = generation_;
    }
    workers_.reserve(n);
    for (size_t i = 0; i < n; ++i) workers_.emplace_back([this, current] { workerLoop(current); });
  }

  void stopWorkers() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    for (std::thread& worker : workers_) worker.join();
    workers_.clear();
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = false;
  }

  std::atomic<size_t> size_;
  std::mutex callMutex_;  // one parallel call (or resize) at a time
  size_t users_ = 0;      // environments holding a lease (guarded by callMutex_)
  std::mutex mutex_;      // guards what follows
  std::condition_variable wake_, done_;
  std::vector<std::thread> workers_;
  uint64_t generation_ = 0;
  std::atomic<uint64_t> published_{0};  // generation_, for the spinning workers
  bool stop_ = false;
  bool open_ = false;   // the current job still takes workers
  std::atomic<size_t> active_{0};  // workers inside the current job (changed under mutex_)
  std::exception_ptr error_;
  ParallelTask task_ = nullptr;
  void* context_ = nullptr;
  size_t count_ = 0;
  bool flush_ = false;  // the caller's flushDenormals() for this job
  std::atomic<size_t> next_{0};
  // judge()'s record, under callMutex_: a moving share of recent jobs that lost, and how many
  // jobs are left to run on the calling thread alone.
  double losses_ = 0.0;
  size_t solo_ = 0;
};

ThreadPool& pool() {
  static ThreadPool instance;  // destroyed (workers joined) at process exit
  return instance;
}

}  // namespace

size_t numThreads() { return pool().size(); }

size_t availableThreads() { return insideTask ? 1 : pool().size(); }

void setNumThreads(size_t n) { pool().resize(n); }

void retainPool() { pool().retain(); }

void releasePool() { pool().release(); }

void parallelFor(size_t count, ParallelTask task, void* context) {
  pool().run(count, task, context);
}

}  // namespace tg
