// The addon's entry point. Kernels register themselves (registry.h) and are bound to the plans
// of their declarations by lib/backend/native.ts (plan.cc checks every argument), then run on
// JavaScript-owned memory; nothing keeps a pointer after it returns.
#include <napi.h>

#include "exports/export.h"
#include "threadpool.h"

namespace {

// What one Node environment (the main thread or a worker_thread) owns of the addon, kept as its
// napi instance data: Node finalizes it when the environment is torn down (a worker that exits
// or is terminated, the main thread at exit), which releases the environment's lease on the
// shared kernel thread pool. Everything else the kernels touch lives in the caller's arrays.
class EnvironmentState {
 public:
  EnvironmentState() { tg::retainPool(); }
  ~EnvironmentState() { tg::releasePool(); }
  EnvironmentState(const EnvironmentState&) = delete;
  EnvironmentState& operator=(const EnvironmentState&) = delete;
};

}  // namespace

static Napi::Object InitTensorgrad(Napi::Env env, Napi::Object exports) {
  // The same environment can load the addon twice (two paths to one file); keep one lease.
  if (env.GetInstanceData<EnvironmentState>() == nullptr) env.SetInstanceData(new EnvironmentState());
  tg::registerKernels(env, exports);
  tg::registerInfo(env, exports);
  tg::registerThreads(env, exports);
  return exports;
}

NODE_API_MODULE(tensorgrad, InitTensorgrad)
