// The process group: one communication thread that owns MPI (it calls MPI_Init_thread, every
// collective and MPI_Finalize, so MPI_THREAD_FUNNELED suffices) and runs the collectives the
// JavaScript thread submits, in submission order, on buffers JavaScript owns. Collectives are
// nonblocking MPI calls driven by a polling loop, so the thread also watches for the failure
// notices other ranks send and for collectives that exceed the timeout, and ends the job then.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace tgmpi {

enum class Kind : int { kAllreduce = 1, kBroadcast = 2, kAllgather = 3, kBarrier = 4 };
enum class ReduceOp : int { kSum = 1, kMean = 2, kMax = 3, kMin = 4 };
enum class DType : int { kFloat32 = 1, kFloat64 = 2 };

const char* kindName(Kind kind);
const char* dtypeName(DType dtype);
size_t elementSize(DType dtype);

// One collective. The JavaScript thread fills the request and keeps the buffers alive until the
// job is done; the communication thread writes the outcome.
struct Job {
  Kind kind = Kind::kBarrier;
  DType dtype = DType::kFloat32;
  ReduceOp op = ReduceOp::kSum;
  // allreduce: allgather every contribution and add them in rank order 0, 1, …, so the result
  // is the same bits as a single process adding the same partial results in that order.
  bool fixedOrder = false;
  // Agree first, with a small allreduce, that every rank called the same collective on buffers
  // of the same length (a mismatch is an error on every rank instead of a hang or a crash).
  bool verify = true;
  int root = 0;
  void* data = nullptr;  // allreduce, broadcast: in and out; allgather: this rank's part
  size_t count = 0;
  void* out = nullptr;  // allgather: count × world size elements, in rank order
  uint64_t seq = 0;     // the collective's number on this rank, from 1

  // Written by the communication thread; read after done (under Comm's mutex).
  bool done = false;
  std::string error;
};

struct Info {
  int rank = 0;
  int size = 1;
  int threadLevel = 0;
  std::string library;  // MPI_Get_library_version
  int version = 0, subversion = 0;
};

class Comm {
 public:
  static Comm& instance();

  // Starts the communication thread and MPI; returns when MPI_Init_thread has finished. Throws
  // std::runtime_error if MPI cannot start. timeout: seconds a collective may take before the
  // job is ended; grace: seconds between a failure and MPI_Abort, for the error to be printed.
  Info start(double timeoutSeconds, double graceSeconds);
  bool started() const { return started_; }
  bool finalized() const { return finalized_; }
  const Info& info() const { return info_; }

  // Queues a job (numbering it). Jobs run one at a time in the order they were submitted.
  void submit(const std::shared_ptr<Job>& job);
  // Blocks until the job is done.
  void wait(const std::shared_ptr<Job>& job);
  bool isDone(const std::shared_ptr<Job>& job);
  // The reason the group can no longer be used ("" while it can).
  std::string brokenReason();

  // Tells the other ranks this one failed (with why), then MPI_Abort(code): ends every rank.
  [[noreturn]] void abort(const std::string& why, int code);
  // Runs the queued jobs, then MPI_Finalize. False when that did not finish within the timeout
  // (another rank never finalized): the caller then ends the process.
  bool finalize();

 private:
  Comm() = default;
  void run();
  void execute(Job& job);
  bool agree(Job& job);
  bool progress(void* request, const std::string& what);
  void sendNotices(const std::string& why);
  bool pollNotices();
  void breakGroup(const std::string& reason);
  [[noreturn]] void abortNow(int code);
  std::string describe(const Job& job) const;

  std::mutex mu_;
  std::condition_variable work_;  // the communication thread waits for jobs
  std::condition_variable done_;  // the JavaScript thread waits for results
  std::deque<std::shared_ptr<Job>> queue_;
  std::thread thread_;
  bool started_ = false;
  bool startFailed_ = false;
  std::string startError_;
  bool stop_ = false;
  bool finalized_ = false;
  bool abortRequested_ = false;
  std::string abortWhy_;
  int abortCode_ = 1;
  uint64_t nextSeq_ = 1;

  // Communication-thread state.
  Info info_;
  double timeout_ = 300;
  double grace_ = 2;
  std::string broken_;  // also read under mu_ by brokenReason()
  std::chrono::steady_clock::time_point brokenAt_;
  std::vector<unsigned char> scratch_;
};

}  // namespace tgmpi
