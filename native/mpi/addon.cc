// tensorgrad_mpi.node: the collectives of lib/distributed on MPI. Each collective is queued to
// the communication thread (comm.h) and returns a number; wait(number) blocks until it is done
// and throws what went wrong. The buffers are JavaScript's: a reference keeps each one alive
// until its collective has been waited for, and no other collective may use it meanwhile.
#include <napi.h>

#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "comm.h"
#include "preload.h"

namespace tgmpi {

namespace {

struct Pending {
  std::shared_ptr<Job> job;
  std::vector<Napi::Reference<Napi::Value>> keep;  // the buffers, alive until waited for
  std::vector<std::pair<const char*, const char*>> ranges;
};

// The environment (main thread or worker) that initialized MPI owns the group: MPI starts once a
// process. Its instance data holds the collectives not yet waited for.
struct EnvironmentState {
  std::map<uint32_t, Pending> pending;
  uint32_t nextId = 1;
};

napi_env gOwner = nullptr;

std::string describe(const Napi::Value& value) {
  if (value.IsUndefined()) return "undefined";
  if (value.IsNull()) return "null";
  if (value.IsBoolean()) return value.As<Napi::Boolean>().Value() ? "true" : "false";
  if (value.IsNumber()) {
    char text[32];
    std::snprintf(text, sizeof text, "%g", value.As<Napi::Number>().DoubleValue());
    return text;
  }
  if (value.IsString()) return "a string";
  if (value.IsTypedArray()) {
    const auto array = value.As<Napi::TypedArray>();
    const char* name = array.TypedArrayType() == napi_float32_array   ? "Float32Array"
                       : array.TypedArrayType() == napi_float64_array ? "Float64Array"
                                                                      : "typed array of another kind";
    return std::string("a ") + name + " of length " + std::to_string(array.ElementLength());
  }
  if (value.IsArray()) return "an Array";
  if (value.IsFunction()) return "a function";
  return "an object";
}

[[noreturn]] void typeError(Napi::Env env, const std::string& fn, const std::string& what, const std::string& name,
                            const Napi::Value& value) {
  throw Napi::TypeError::New(env, fn + ": Expected " + what + " for " + name + " but received " + describe(value));
}

void requireCount(const Napi::CallbackInfo& info, const char* fn, size_t count) {
  if (info.Length() != count) {
    throw Napi::TypeError::New(info.Env(), std::string(fn) + ": Expected " + std::to_string(count) + " arguments but received " +
                                               std::to_string(info.Length()));
  }
}

EnvironmentState& ownerState(Napi::Env env, const char* fn) {
  if (gOwner == nullptr) {
    throw Napi::Error::New(env, std::string(fn) + ": the process group is not initialized (call distributed.init() first)");
  }
  if (gOwner != static_cast<napi_env>(env)) {
    throw Napi::Error::New(env, std::string(fn) + ": the process group belongs to the thread that called init(); MPI starts once per process");
  }
  return *env.GetInstanceData<EnvironmentState>();
}

struct Buffer {
  void* data;
  size_t count;
  DType dtype;
  const char* begin;
  const char* end;
};

// The buffer a collective reads (and, but for allgather, writes in place).
void setData(Job& job, const Buffer& buffer) {
  job.dtype = buffer.dtype;
  job.data = buffer.data;
  job.count = buffer.count;
}

Buffer floatBuffer(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* name) {
  const Napi::Value value = info[i];
  if (!value.IsTypedArray()) typeError(info.Env(), fn, "a Float32Array or Float64Array", name, value);
  const auto array = value.As<Napi::TypedArray>();
  const napi_typedarray_type type = array.TypedArrayType();
  if (type != napi_float32_array && type != napi_float64_array) {
    typeError(info.Env(), fn, "a Float32Array or Float64Array", name, value);
  }
  const DType dtype = type == napi_float64_array ? DType::kFloat64 : DType::kFloat32;
  auto* bytes = static_cast<char*>(array.ArrayBuffer().Data()) + array.ByteOffset();
  const size_t count = array.ElementLength();
  return Buffer{bytes, count, dtype, bytes, bytes + count * elementSize(dtype)};
}

bool flag(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* name) {
  if (!info[i].IsBoolean()) typeError(info.Env(), fn, "true or false", name, info[i]);
  return info[i].As<Napi::Boolean>().Value();
}

// A finite number of seconds in (0, 10^7].
double seconds(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* name) {
  if (!info[i].IsNumber()) typeError(info.Env(), fn, "a number of seconds", name, info[i]);
  const double s = info[i].As<Napi::Number>().DoubleValue();
  if (!(s > 0 && s <= 1e7)) {
    throw Napi::RangeError::New(info.Env(), std::string(fn) + ": Expected a number of seconds in (0, 1e7] for " + name + " but received " +
                                                describe(info[i]));
  }
  return s;
}

// Queues the job and keeps its buffers; refuses a buffer that a collective still in flight uses.
Napi::Value enqueue(const Napi::CallbackInfo& info, const char* fn, const std::shared_ptr<Job>& job,
                    const std::vector<std::pair<Buffer, Napi::Value>>& buffers) {
  EnvironmentState& state = ownerState(info.Env(), fn);
  Pending pending;
  for (const auto& [buffer, value] : buffers) {
    if (buffer.begin == buffer.end) continue;
    for (const auto& [id, other] : state.pending) {
      for (const auto& [begin, end] : other.ranges) {
        if (buffer.begin < end && begin < buffer.end) {
          throw Napi::Error::New(info.Env(), std::string(fn) + ": the buffer is in use by a collective still in flight (" +
                                                 kindName(other.job->kind) + " #" + std::to_string(other.job->seq) +
                                                 "); wait for it first");
        }
      }
    }
    pending.ranges.emplace_back(buffer.begin, buffer.end);
  }
  for (const auto& [buffer, value] : buffers) pending.keep.push_back(Napi::Persistent(value));
  pending.job = job;
  Comm::instance().submit(job);
  const uint32_t id = state.nextId++;
  state.pending.emplace(id, std::move(pending));
  return Napi::Number::New(info.Env(), id);
}

Napi::Value Init(const Napi::CallbackInfo& info) {
  requireCount(info, "init", 2);
  const double timeout = seconds(info, 0, "init", "timeout");
  const double grace = seconds(info, 1, "init", "grace");
  Napi::Env env = info.Env();
  if (gOwner != nullptr && gOwner != static_cast<napi_env>(env)) {
    throw Napi::Error::New(env, "init: the process group belongs to another thread of this process; MPI starts once per process");
  }
  if (Comm::instance().finalized()) throw Napi::Error::New(env, "init: the process group was finalized; MPI cannot start again in this process");
  makeMpiSymbolsGlobal();
  Info mpi;
  try {
    mpi = Comm::instance().start(timeout, grace);
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, std::string("init: ") + e.what());
  }
  if (gOwner == nullptr) {
    gOwner = env;
    env.SetInstanceData(new EnvironmentState());
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("rank", mpi.rank);
  out.Set("size", mpi.size);
  out.Set("threadLevel", mpi.threadLevel);
  out.Set("library", mpi.library);
  out.Set("version", std::to_string(mpi.version) + "." + std::to_string(mpi.subversion));
  return out;
}

// allreduce(buffer, op, fixedOrder, verify): op "sum", "mean", "max" or "min".
Napi::Value Allreduce(const Napi::CallbackInfo& info) {
  requireCount(info, "allreduce", 4);
  const Buffer buffer = floatBuffer(info, 0, "allreduce", "buffer");
  if (!info[1].IsString()) typeError(info.Env(), "allreduce", "\"sum\", \"mean\", \"max\" or \"min\"", "op", info[1]);
  const std::string name = info[1].As<Napi::String>().Utf8Value();
  auto job = std::make_shared<Job>();
  if (name == "sum") {
    job->op = ReduceOp::kSum;
  } else if (name == "mean") {
    job->op = ReduceOp::kMean;
  } else if (name == "max") {
    job->op = ReduceOp::kMax;
  } else if (name == "min") {
    job->op = ReduceOp::kMin;
  } else {
    throw Napi::RangeError::New(info.Env(), "allreduce: Expected \"sum\", \"mean\", \"max\" or \"min\" for op but received \"" + name + "\"");
  }
  job->kind = Kind::kAllreduce;
  job->fixedOrder = flag(info, 2, "allreduce", "fixedOrder");
  job->verify = flag(info, 3, "allreduce", "verify");
  setData(*job, buffer);
  return enqueue(info, "allreduce", job, {{buffer, info[0]}});
}

// broadcast(buffer, root, verify)
Napi::Value Broadcast(const Napi::CallbackInfo& info) {
  requireCount(info, "broadcast", 3);
  const Buffer buffer = floatBuffer(info, 0, "broadcast", "buffer");
  const int size = Comm::instance().info().size;
  if (!info[1].IsNumber()) typeError(info.Env(), "broadcast", "a rank", "root", info[1]);
  const double root = info[1].As<Napi::Number>().DoubleValue();
  if (!(root >= 0 && root < size) || std::floor(root) != root) {
    throw Napi::RangeError::New(info.Env(), "broadcast: Expected an integer rank from 0 to " + std::to_string(size - 1) +
                                                " for root but received " + describe(info[1]));
  }
  auto job = std::make_shared<Job>();
  job->kind = Kind::kBroadcast;
  job->root = static_cast<int>(root);
  job->verify = flag(info, 2, "broadcast", "verify");
  setData(*job, buffer);
  return enqueue(info, "broadcast", job, {{buffer, info[0]}});
}

// allgather(send, recv, verify): recv holds send.length × world size elements, in rank order.
Napi::Value Allgather(const Napi::CallbackInfo& info) {
  requireCount(info, "allgather", 3);
  const Buffer send = floatBuffer(info, 0, "allgather", "send");
  const Buffer recv = floatBuffer(info, 1, "allgather", "recv");
  const size_t size = static_cast<size_t>(Comm::instance().info().size);
  if (recv.dtype != send.dtype) {
    throw Napi::TypeError::New(info.Env(), std::string("allgather: Expected recv of the dtype of send (") + dtypeName(send.dtype) +
                                               ") but received " + describe(info[1]));
  }
  if (recv.count != send.count * size) {
    throw Napi::RangeError::New(info.Env(), "allgather: Expected recv of length send.length × world size = " +
                                                std::to_string(send.count * size) + " but received " + describe(info[1]));
  }
  if (send.begin < recv.end && recv.begin < send.end) {
    throw Napi::RangeError::New(info.Env(), "allgather: Expected send and recv not to overlap");
  }
  auto job = std::make_shared<Job>();
  job->kind = Kind::kAllgather;
  job->verify = flag(info, 2, "allgather", "verify");
  setData(*job, send);
  job->out = recv.data;
  return enqueue(info, "allgather", job, {{send, info[0]}, {recv, info[1]}});
}

Napi::Value Barrier(const Napi::CallbackInfo& info) {
  requireCount(info, "barrier", 0);
  auto job = std::make_shared<Job>();
  job->kind = Kind::kBarrier;
  return enqueue(info, "barrier", job, {});
}

Pending* findPending(const Napi::CallbackInfo& info, const char* fn, uint32_t* id) {
  requireCount(info, fn, 1);
  EnvironmentState& state = ownerState(info.Env(), fn);
  if (!info[0].IsNumber()) typeError(info.Env(), fn, "the number a collective returned", "work", info[0]);
  *id = static_cast<uint32_t>(info[0].As<Napi::Number>().Uint32Value());
  auto it = state.pending.find(*id);
  if (it == state.pending.end()) {
    throw Napi::RangeError::New(info.Env(), std::string(fn) + ": no collective " + describe(info[0]) + " is in flight (each is waited for once)");
  }
  return &it->second;
}

// wait(work): blocks until the collective is done; throws its error.
Napi::Value Wait(const Napi::CallbackInfo& info) {
  uint32_t id = 0;
  Pending* pending = findPending(info, "wait", &id);
  std::shared_ptr<Job> job = pending->job;
  Comm::instance().wait(job);
  ownerState(info.Env(), "wait").pending.erase(id);  // releases the buffers
  if (!job->error.empty()) throw Napi::Error::New(info.Env(), job->error);
  return info.Env().Undefined();
}

Napi::Value Test(const Napi::CallbackInfo& info) {
  uint32_t id = 0;
  Pending* pending = findPending(info, "test", &id);
  return Napi::Boolean::New(info.Env(), Comm::instance().isDone(pending->job));
}

Napi::Value PendingCount(const Napi::CallbackInfo& info) {
  requireCount(info, "pending", 0);
  if (gOwner != static_cast<napi_env>(info.Env())) return Napi::Number::New(info.Env(), 0);
  return Napi::Number::New(info.Env(), static_cast<double>(info.Env().GetInstanceData<EnvironmentState>()->pending.size()));
}

Napi::Value BrokenReason(const Napi::CallbackInfo& info) {
  requireCount(info, "brokenReason", 0);
  const std::string reason = Comm::instance().brokenReason();
  if (reason.empty()) return info.Env().Null();
  return Napi::String::New(info.Env(), reason);
}

// abort(why, code): tells the other ranks, then MPI_Abort. Does not return.
Napi::Value Abort(const Napi::CallbackInfo& info) {
  requireCount(info, "abort", 2);
  if (!info[0].IsString()) typeError(info.Env(), "abort", "a string", "why", info[0]);
  if (!info[1].IsNumber()) typeError(info.Env(), "abort", "an exit code", "code", info[1]);
  const int code = info[1].As<Napi::Number>().Int32Value();
  Comm::instance().abort(info[0].As<Napi::String>().Utf8Value(), code >= 1 && code <= 255 ? code : 1);
}

// finalize(): waits for the collectives in flight, then MPI_Finalize. False when that did not
// finish within the timeout.
Napi::Value Finalize(const Napi::CallbackInfo& info) {
  requireCount(info, "finalize", 0);
  const bool ok = Comm::instance().finalize();
  if (gOwner == static_cast<napi_env>(info.Env())) info.Env().GetInstanceData<EnvironmentState>()->pending.clear();
  return Napi::Boolean::New(info.Env(), ok);
}

template <Napi::Value (*Fn)(const Napi::CallbackInfo&)>
Napi::Value Guarded(const Napi::CallbackInfo& info) {
  try {
    return Fn(info);
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::bad_alloc&) {
    throw Napi::RangeError::New(info.Env(), "tensorgrad distributed: out of memory");
  } catch (const std::exception& e) {
    throw Napi::Error::New(info.Env(), std::string("tensorgrad distributed: native error: ") + e.what());
  }
}

template <Napi::Value (*Fn)(const Napi::CallbackInfo&)>
void define(Napi::Env env, Napi::Object exports, const char* name) {
  exports.Set(name, Napi::Function::New(env, Guarded<Fn>, name));
}

}  // namespace

}  // namespace tgmpi

static Napi::Object InitTensorgradMpi(Napi::Env env, Napi::Object exports) {
  using namespace tgmpi;
  define<Init>(env, exports, "init");
  define<Allreduce>(env, exports, "allreduce");
  define<Broadcast>(env, exports, "broadcast");
  define<Allgather>(env, exports, "allgather");
  define<Barrier>(env, exports, "barrier");
  define<Wait>(env, exports, "wait");
  define<Test>(env, exports, "test");
  define<PendingCount>(env, exports, "pending");
  define<BrokenReason>(env, exports, "brokenReason");
  define<Abort>(env, exports, "abort");
  define<Finalize>(env, exports, "finalize");
  return exports;
}

NODE_API_MODULE(tensorgrad_mpi, InitTensorgradMpi)
