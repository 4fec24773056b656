// One small persistent pool of worker threads for the kernels. The calling thread works too, so
// a pool of n threads starts n - 1 workers (lazily, on the first parallel call). One call at a
// time: a second JavaScript thread (worker_threads) waits for the first instead of sharing the
// workers, so concurrent callers never see each other's jobs. After a job, workers watch for the
// next one for 100 µs, then sleep; the caller watches for the workers to finish their parts for as
// long before it sleeps. When most recent jobs took longer than the caller alone would have
// (workers preempted by other processes on a busy machine), the next jobs run on the calling
// thread for a while. The workers are joined when the last environment that loaded the addon is
// torn down (releasePool), or at process exit.
#pragma once

#include <cstddef>

namespace tg {

constexpr size_t kMaxThreads = 256;

// The number of threads parallel kernels use (the caller included): setNumThreads(), else
// TENSORGRAD_NUM_THREADS (an integer 1..256), else the number of cores.
size_t numThreads();
// The threads a parallel call made from here would get: numThreads(), or 1 inside a task of a
// parallel call (where nested calls run on the calling thread). Kernels size their partitions by it.
size_t availableThreads();
// n in 1..kMaxThreads (checked by the caller). Waits for a running parallel call to finish.
void setNumThreads(size_t n);

// Runs task(context, i) once for every i in [0, count), spread over the pool and the calling
// thread (which claim runs of consecutive indices); returns when all are done. Called from
// inside a task, it runs every i on that thread. Which thread runs which i is up to timing, so
// a task must write results that depend on i only. An exception from a task is rethrown here.
// Every Node environment (the main thread, each worker_thread) that loads the addon holds one
// lease on the pool (addon.cc, per-environment instance data). Releasing the last lease joins the
// workers, so no pool thread runs on after the environments that used it are gone; the next
// parallel call starts them again.
void retainPool();
void releasePool();

using ParallelTask = void (*)(void* context, size_t i);
void parallelFor(size_t count, ParallelTask task, void* context);

}  // namespace tg
