// The addon's entry point: each area of kernels adds its exports (native/exports/<area>.cc).
// Every export checks every argument (args.h), then calls a kernel on JavaScript-owned memory;
// nothing keeps a pointer after it returns.
#include <napi.h>

#include "exports/export.h"

static Napi::Object InitTensorgrad(Napi::Env env, Napi::Object exports) {
  tg::registerGemm(env, exports);
  tg::registerElementwise(env, exports);
  tg::registerReduce(env, exports);
  tg::registerLoss(env, exports);
  tg::registerRandom(env, exports);
  tg::registerLayout(env, exports);
  tg::registerNorm(env, exports);
  tg::registerDropout(env, exports);
  tg::registerInfo(env, exports);
  tg::registerThreads(env, exports);
  tg::registerOptim(env, exports);
  tg::registerGradient(env, exports);
  tg::registerHsoftmax(env, exports);
  tg::registerRnn(env, exports);
  return exports;
}

NODE_API_MODULE(tensorgrad, InitTensorgrad)
