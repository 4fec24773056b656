// The communication thread (comm.h): MPI_Init_thread, the collectives in submission order, the
// failure notices and the timeout, MPI_Finalize or MPI_Abort.
#include "comm.h"

#include <mpi.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cinttypes>
#include <climits>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace tgmpi {

namespace {

using Clock = std::chrono::steady_clock;

// Failure notices travel on a communicator of their own, so they never match a collective.
constexpr int kNoticeTag = 7;
constexpr int kNoticeBytes = 2048;

MPI_Comm gCollectives = MPI_COMM_NULL;
MPI_Comm gNotices = MPI_COMM_NULL;
MPI_Request gNoticeRecv = MPI_REQUEST_NULL;
char gNoticeBuffer[kNoticeBytes];

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string mpiError(int code) {
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  if (MPI_Error_string(code, text, &length) != MPI_SUCCESS) return "MPI error " + std::to_string(code);
  return std::string(text, static_cast<size_t>(length));
}

MPI_Datatype mpiType(DType dtype) { return dtype == DType::kFloat64 ? MPI_DOUBLE : MPI_FLOAT; }

MPI_Op mpiOp(ReduceOp op) {
  switch (op) {
    case ReduceOp::kMax:
      return MPI_MAX;
    case ReduceOp::kMin:
      return MPI_MIN;
    default:
      return MPI_SUM;  // mean is a sum divided afterwards
  }
}

const char* opName(ReduceOp op) {
  switch (op) {
    case ReduceOp::kSum:
      return "sum";
    case ReduceOp::kMean:
      return "mean";
    case ReduceOp::kMax:
      return "max";
    case ReduceOp::kMin:
      return "min";
  }
  return "?";
}

// Adds the world's contributions (gathered rank after rank) in rank order into out.
template <typename T>
void sumInRankOrder(const T* gathered, size_t count, int size, T* out) {
  for (size_t i = 0; i < count; i++) out[i] = gathered[i];
  for (int r = 1; r < size; r++) {
    const T* part = gathered + static_cast<size_t>(r) * count;
    for (size_t i = 0; i < count; i++) out[i] += part[i];
  }
}

template <typename T>
void divide(T* data, size_t count, int size) {
  const T n = static_cast<T>(size);
  for (size_t i = 0; i < count; i++) data[i] /= n;
}

void printLine(const std::string& line) {
  // One write, so lines of ranks sharing a terminal do not interleave mid-line.
  const std::string text = line + "\n";
  ssize_t written = ::write(STDERR_FILENO, text.data(), text.size());
  (void)written;
}

}  // namespace

const char* kindName(Kind kind) {
  switch (kind) {
    case Kind::kAllreduce:
      return "allreduce";
    case Kind::kBroadcast:
      return "broadcast";
    case Kind::kAllgather:
      return "allgather";
    case Kind::kBarrier:
      return "barrier";
  }
  return "?";
}

const char* dtypeName(DType dtype) { return dtype == DType::kFloat64 ? "float64" : "float32"; }

size_t elementSize(DType dtype) { return dtype == DType::kFloat64 ? 8 : 4; }

Comm& Comm::instance() {
  // Never destroyed: the thread may still be ending when static destructors run.
  static Comm* comm = new Comm();
  return *comm;
}

Info Comm::start(double timeoutSeconds, double graceSeconds) {
  std::unique_lock<std::mutex> lock(mu_);
  if (started_) return info_;
  if (startFailed_) throw std::runtime_error(startError_);
  timeout_ = timeoutSeconds;
  grace_ = graceSeconds;
  thread_ = std::thread([this] { run(); });
  // MPI_Init may wait for the other ranks (wire-up); the timeout bounds that as any collective.
  const bool ready = done_.wait_for(lock, std::chrono::duration<double>(timeoutSeconds + 30),
                                    [this] { return started_ || startFailed_; });
  if (!ready) {
    startFailed_ = true;
    startError_ = "MPI_Init_thread did not return within " + std::to_string(static_cast<int>(timeoutSeconds + 30)) + " s";
    thread_.detach();
  }
  if (startFailed_) throw std::runtime_error(startError_);
  return info_;
}

void Comm::submit(const std::shared_ptr<Job>& job) {
  std::lock_guard<std::mutex> lock(mu_);
  job->seq = nextSeq_++;
  if (!started_ || finalized_ || stop_) {
    job->error = "the process group is not running (call init() first; finalize() ends it)";
    job->done = true;
    return;
  }
  queue_.push_back(job);
  work_.notify_one();
}

void Comm::wait(const std::shared_ptr<Job>& job) {
  std::unique_lock<std::mutex> lock(mu_);
  done_.wait(lock, [&] { return job->done; });
}

bool Comm::isDone(const std::shared_ptr<Job>& job) {
  std::lock_guard<std::mutex> lock(mu_);
  return job->done;
}

std::string Comm::brokenReason() {
  std::lock_guard<std::mutex> lock(mu_);
  return broken_;
}

void Comm::abort(const std::string& why, int code) {
  bool running;
  {
    std::lock_guard<std::mutex> lock(mu_);
    running = started_ && !finalized_;
    if (running) {
      abortRequested_ = true;
      abortWhy_ = why;
      abortCode_ = code;
      work_.notify_one();
    }
  }
  // A rank failing because another did has said so already (breakGroup).
  if (brokenReason().empty()) {
    printLine("tensorgrad distributed: rank " + std::to_string(info_.rank) + " of " + std::to_string(info_.size) + " failed: " + why +
              "; ending the job");
  }
  if (!running) _exit(code);
  // The communication thread sends the notices and calls MPI_Abort, which ends this process;
  // should it be stuck, end the process from here (the launcher then ends the others).
  std::this_thread::sleep_for(std::chrono::duration<double>(grace_ + 5));
  printLine("tensorgrad distributed: MPI_Abort did not end the process; exiting");
  _exit(code);
}

bool Comm::finalize() {
  std::unique_lock<std::mutex> lock(mu_);
  if (!started_ || finalized_) return true;
  stop_ = true;
  work_.notify_one();
  // MPI_Finalize waits for every rank to finalize: bounded, in case one never does.
  const bool ended = done_.wait_for(lock, std::chrono::duration<double>(timeout_), [this] { return finalized_; });
  lock.unlock();
  if (ended) {
    thread_.join();
  } else {
    thread_.detach();
  }
  return ended;
}

void Comm::run() {
  int provided = 0;
  int rc = MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
  if (rc == MPI_SUCCESS) {
    // Errors come back as codes (and become JavaScript errors) instead of ending the process.
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    rc = MPI_Comm_dup(MPI_COMM_WORLD, &gCollectives);
  }
  if (rc == MPI_SUCCESS) rc = MPI_Comm_dup(MPI_COMM_WORLD, &gNotices);
  if (rc == MPI_SUCCESS) {
    MPI_Comm_set_errhandler(gCollectives, MPI_ERRORS_RETURN);
    MPI_Comm_set_errhandler(gNotices, MPI_ERRORS_RETURN);
    MPI_Comm_rank(gCollectives, &info_.rank);
    MPI_Comm_size(gCollectives, &info_.size);
    char library[MPI_MAX_LIBRARY_VERSION_STRING];
    int length = 0;
    MPI_Get_library_version(library, &length);
    info_.library.assign(library, static_cast<size_t>(length));
    MPI_Get_version(&info_.version, &info_.subversion);
    info_.threadLevel = provided;
    rc = MPI_Irecv(gNoticeBuffer, kNoticeBytes, MPI_CHAR, MPI_ANY_SOURCE, kNoticeTag, gNotices, &gNoticeRecv);
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (rc != MPI_SUCCESS) {
      startFailed_ = true;
      startError_ = "MPI could not start: " + mpiError(rc);
    } else {
      started_ = true;
    }
    done_.notify_all();
  }
  if (rc != MPI_SUCCESS) return;

  for (;;) {
    std::shared_ptr<Job> job;
    bool aborting = false;
    bool stopping = false;
    {
      std::unique_lock<std::mutex> lock(mu_);
      // Idle: wake every few milliseconds to read failure notices.
      work_.wait_for(lock, std::chrono::milliseconds(5), [this] { return !queue_.empty() || stop_ || abortRequested_; });
      aborting = abortRequested_;
      if (!aborting && !queue_.empty()) {
        job = queue_.front();
        queue_.pop_front();
      }
      stopping = stop_ && queue_.empty() && !job;
    }
    if (aborting) {
      std::string why;
      int code;
      {
        std::lock_guard<std::mutex> lock(mu_);
        why = abortWhy_;
        code = abortCode_;
      }
      // A rank that fails because another did passes nothing on: that rank told everyone.
      if (brokenReason().empty()) sendNotices(why);
      abortNow(code);
    }
    pollNotices();
    if (job) {
      execute(*job);
      std::lock_guard<std::mutex> lock(mu_);
      job->done = true;
      done_.notify_all();
      continue;
    }
    std::string broken = brokenReason();
    // A broken group ends the job after the grace period even if JavaScript carries on.
    if (!broken.empty() && secondsSince(brokenAt_) > grace_) abortNow(1);
    if (stopping) break;
  }

  if (brokenReason().empty()) {
    MPI_Cancel(&gNoticeRecv);
    MPI_Wait(&gNoticeRecv, MPI_STATUS_IGNORE);
    MPI_Comm_free(&gNotices);
    MPI_Comm_free(&gCollectives);
    MPI_Finalize();
  } else {
    abortNow(1);  // collectives are stuck half done: MPI_Finalize would wait forever
  }
  std::lock_guard<std::mutex> lock(mu_);
  finalized_ = true;
  done_.notify_all();
}

std::string Comm::describe(const Job& job) const {
  std::string what = std::string(kindName(job.kind)) + " #" + std::to_string(job.seq);
  if (job.kind != Kind::kBarrier) what += " of " + std::to_string(job.count) + " " + dtypeName(job.dtype);
  return what;
}

void Comm::execute(Job& job) {
  const std::string broken = brokenReason();
  if (!broken.empty()) {
    job.error = broken;
    return;
  }
  if (job.verify && !agree(job)) return;
  if (job.count > static_cast<size_t>(INT_MAX)) {
    job.error = std::string(kindName(job.kind)) + ": Expected at most 2^31 - 1 elements but received " + std::to_string(job.count);
    return;
  }
  const int count = static_cast<int>(job.count);
  const MPI_Datatype type = mpiType(job.dtype);
  const int size = info_.size;
  MPI_Request request = MPI_REQUEST_NULL;
  int rc = MPI_SUCCESS;
  bool gatheredForSum = false;
  switch (job.kind) {
    case Kind::kAllreduce:
      if (job.fixedOrder && size > 1 && job.op != ReduceOp::kMax && job.op != ReduceOp::kMin) {
        scratch_.resize(job.count * static_cast<size_t>(size) * elementSize(job.dtype));
        rc = MPI_Iallgather(job.data, count, type, scratch_.data(), count, type, gCollectives, &request);
        gatheredForSum = true;
      } else {
        rc = MPI_Iallreduce(MPI_IN_PLACE, job.data, count, type, mpiOp(job.op), gCollectives, &request);
      }
      break;
    case Kind::kBroadcast:
      rc = MPI_Ibcast(job.data, count, type, job.root, gCollectives, &request);
      break;
    case Kind::kAllgather:
      rc = MPI_Iallgather(job.data, count, type, job.out, count, type, gCollectives, &request);
      break;
    case Kind::kBarrier:
      rc = MPI_Ibarrier(gCollectives, &request);
      break;
  }
  const std::string what = describe(job);
  if (rc != MPI_SUCCESS) {
    breakGroup(what + " failed to start: " + mpiError(rc));
    job.error = brokenReason();
    return;
  }
  if (!progress(&request, what)) {
    job.error = brokenReason();
    if (job.error.empty()) job.error = what + " was interrupted: the job is ending";
    return;
  }
  if (job.kind != Kind::kAllreduce) return;
  if (gatheredForSum) {
    if (job.dtype == DType::kFloat64) {
      sumInRankOrder(reinterpret_cast<const double*>(scratch_.data()), job.count, size, static_cast<double*>(job.data));
    } else {
      sumInRankOrder(reinterpret_cast<const float*>(scratch_.data()), job.count, size, static_cast<float*>(job.data));
    }
    if (scratch_.size() > (size_t{64} << 20)) std::vector<unsigned char>().swap(scratch_);
  }
  if (job.op == ReduceOp::kMean) {
    if (job.dtype == DType::kFloat64) {
      divide(static_cast<double*>(job.data), job.count, size);
    } else {
      divide(static_cast<float*>(job.data), job.count, size);
    }
  }
}

// Every rank contributes (v, −v) for each field and takes the maximum: a field agrees when
// max(v) = −max(−v), that is when its maximum and minimum are equal. All ranks see the same
// result, so all of them report the same mismatch.
bool Comm::agree(Job& job) {
  const int64_t param = job.kind == Kind::kAllreduce ? static_cast<int64_t>(job.op) * 2 + (job.fixedOrder ? 1 : 0)
                        : job.kind == Kind::kBroadcast ? job.root
                                                        : 0;
  const int64_t mine[5] = {static_cast<int64_t>(job.kind), static_cast<int64_t>(job.dtype),
                           static_cast<int64_t>(job.count), param, static_cast<int64_t>(job.seq)};
  int64_t header[10];
  for (int i = 0; i < 5; i++) {
    header[2 * i] = mine[i];
    header[2 * i + 1] = -mine[i];
  }
  MPI_Request request = MPI_REQUEST_NULL;
  const std::string what = describe(job);
  const int rc = MPI_Iallreduce(MPI_IN_PLACE, header, 10, MPI_INT64_T, MPI_MAX, gCollectives, &request);
  if (rc != MPI_SUCCESS) {
    breakGroup(what + ": the length check failed to start: " + mpiError(rc));
    job.error = brokenReason();
    return false;
  }
  if (!progress(&request, what + " (checking that every rank called it alike)")) {
    job.error = brokenReason();
    if (job.error.empty()) job.error = what + " was interrupted: the job is ending";
    return false;
  }
  const auto lo = [&](int i) { return -header[2 * i + 1]; };
  const auto hi = [&](int i) { return header[2 * i]; };
  const std::string self = "rank " + std::to_string(info_.rank) + " of " + std::to_string(info_.size);
  const std::string name = kindName(job.kind);
  if (lo(0) != hi(0)) {
    job.error = name + ": the ranks called different collectives at once (" + self + " called " + name + ")";
  } else if (lo(4) != hi(4)) {
    job.error = name + ": the ranks are at different collectives: numbers " + std::to_string(lo(4)) + " to " + std::to_string(hi(4)) +
                " (" + self + " is at #" + std::to_string(job.seq) + ")";
  } else if (lo(1) != hi(1)) {
    job.error = name + ": Expected the same dtype on every rank but the ranks passed both float32 and float64 (" + self + " passed " +
                dtypeName(job.dtype) + ")";
  } else if (lo(2) != hi(2)) {
    job.error = name + ": Expected buffers of the same length on every rank but the lengths range from " + std::to_string(lo(2)) + " to " +
                std::to_string(hi(2)) + " (" + self + " passed " + std::to_string(job.count) + ")";
  } else if (lo(3) != hi(3)) {
    if (job.kind == Kind::kBroadcast) {
      job.error = name + ": Expected the same root on every rank but the roots range from " + std::to_string(lo(3)) + " to " +
                  std::to_string(hi(3)) + " (" + self + " passed " + std::to_string(job.root) + ")";
    } else {
      job.error = name + ": Expected the same op and order on every rank (" + self + " passed op " + opName(job.op) +
                  (job.fixedOrder ? ", order fixed" : ", order any") + ")";
    }
  }
  return job.error.empty();
}

bool Comm::progress(void* requestPointer, const std::string& what) {
  auto* request = static_cast<MPI_Request*>(requestPointer);
  const auto start = Clock::now();
  // Data moves only while MPI is polled. Poll hard for the first millisecond (a collective that
  // is just moving data), and afterwards as long as polls do work (a slow MPI_Test is one that
  // copied or sent something); a quick one means waiting for another rank, and then the thread
  // sleeps, backing off to 0.5 ms, leaving the CPU to ranks that compute (oversubscribed nodes
  // included: a yielding spinner still takes its full share of a core).
  double backoff = 10e-6;
  for (uint64_t i = 0;; i++) {
    int flag = 0;
    const auto before = Clock::now();
    const int rc = MPI_Test(request, &flag, MPI_STATUS_IGNORE);
    const auto after = Clock::now();
    if (rc != MPI_SUCCESS) {
      breakGroup(what + " failed: " + mpiError(rc));
      return false;
    }
    if (flag) return true;
    const double waited = std::chrono::duration<double>(after - start).count();
    if ((i & 63) == 63) {
      if (pollNotices()) return false;
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (abortRequested_) return false;
      }
      if (waited > timeout_) {
        char seconds[32];
        std::snprintf(seconds, sizeof seconds, "%g", timeout_);
        breakGroup(what + " did not complete within the timeout of " + seconds +
                   " s: a rank is stuck outside the collectives or has died");
        return false;
      }
    }
    const bool working = std::chrono::duration<double>(after - before).count() > 5e-6;
    if (waited < 1e-3 || working) {
      backoff = 10e-6;
      sched_yield();
    } else {
      std::this_thread::sleep_for(std::chrono::duration<double>(backoff));
      backoff = std::min(backoff * 2, 500e-6);
    }
  }
}

void Comm::sendNotices(const std::string& why) {
  const int size = info_.size;
  const std::string text = why.substr(0, kNoticeBytes - 1);
  std::vector<MPI_Request> sends;
  for (int r = 0; r < size; r++) {
    if (r == info_.rank) continue;
    MPI_Request request = MPI_REQUEST_NULL;
    if (MPI_Isend(text.c_str(), static_cast<int>(text.size() + 1), MPI_CHAR, r, kNoticeTag, gNotices, &request) == MPI_SUCCESS) {
      sends.push_back(request);
    }
  }
  // Drive the sends out, for at most a second; then a short pause for them to be read.
  const auto start = Clock::now();
  int all = 0;
  while (!all && secondsSince(start) < 1.0) {
    if (MPI_Testall(static_cast<int>(sends.size()), sends.data(), &all, MPI_STATUSES_IGNORE) != MPI_SUCCESS) break;
    if (!all) sched_yield();
  }
  const auto settle = Clock::now();
  while (secondsSince(settle) < 0.2) {
    int flag = 0;
    MPI_Test(&gNoticeRecv, &flag, MPI_STATUS_IGNORE);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

bool Comm::pollNotices() {
  if (gNoticeRecv == MPI_REQUEST_NULL) return !brokenReason().empty();
  int flag = 0;
  MPI_Status status;
  if (MPI_Test(&gNoticeRecv, &flag, &status) != MPI_SUCCESS || !flag) return !brokenReason().empty();
  gNoticeBuffer[kNoticeBytes - 1] = '\0';
  breakGroup(std::string("rank ") + std::to_string(status.MPI_SOURCE) + " failed: " + gNoticeBuffer);
  gNoticeRecv = MPI_REQUEST_NULL;
  return true;
}

void Comm::breakGroup(const std::string& reason) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!broken_.empty()) return;
    broken_ = reason;
    brokenAt_ = Clock::now();
  }
  char grace[32];
  std::snprintf(grace, sizeof grace, "%g", grace_);
  printLine("tensorgrad distributed: rank " + std::to_string(info_.rank) + " of " + std::to_string(info_.size) + ": " + reason +
            "; ending the job (MPI_Abort within " + grace + " s)");
}

void Comm::abortNow(int code) {
  MPI_Abort(MPI_COMM_WORLD, code);
  _exit(code);  // MPI_Abort does not return; should it, the process still ends
}

}  // namespace tgmpi
