// See async_lane.h.
#include "async_lane.h"

#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <string>
#include <thread>

#include "thread_pool.h"

namespace tfe {
namespace {

struct Job;

// Per JS environment (the main thread, or a worker thread that loads the addon): the
// thread-safe function through which finished jobs come back, referenced only while jobs are
// out so that an idle process can exit.
struct EnvLane {
  Napi::ThreadSafeFunction done;
  int pending = 0;  // JS thread only
};

struct Job {
  EnvLane* lane;
  std::function<void()> work;
  Napi::Promise::Deferred deferred;
  std::vector<Napi::ObjectReference> keep;
  Napi::ObjectReference result;
  std::string error;
  bool failed = false;
};

// Settles a finished job on the JS thread.
void Finish(Napi::Env env, Napi::Function, Job* job) {
  EnvLane* lane = job->lane;
  if (--lane->pending == 0) lane->done.Unref(env);
  if (env != nullptr) {
    Napi::HandleScope scope(env);
    if (job->failed) job->deferred.Reject(Napi::Error::New(env, job->error).Value());
    else job->deferred.Resolve(job->result.Value());
  }
  delete job;
}

class Executor {
 public:
  Executor() {
    for (int i = 0; i < PoolThreads(); i++) threads_.emplace_back([this] { Loop(); });
    for (auto& t : threads_) t.detach();  // process-wide; they sleep on the queue until exit
  }
  void Push(Job* job) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      queue_.push_back(job);
    }
    cv_.notify_one();
  }

 private:
  void Loop() {
    for (;;) {
      Job* job;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [this] { return !queue_.empty(); });
        job = queue_.front();
        queue_.pop_front();
      }
      try {
        job->work();
      } catch (const std::exception& e) {
        job->failed = true;
        job->error = e.what();
      } catch (...) {
        job->failed = true;
        job->error = "native kernel failed";
      }
      // Fails only once the environment is closing: the job then stays unsettled and is not
      // freed (its JS references cannot be released off the JS thread).
      job->lane->done.BlockingCall(job, Finish);
    }
  }

  std::vector<std::thread> threads_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job*> queue_;
};

Executor& GetExecutor() {
  static Executor* executor = new Executor();  // never destroyed: its threads outlive teardown
  return *executor;
}

EnvLane* LaneOf(Napi::Env env) {
  EnvLane* lane = env.GetInstanceData<EnvLane>();
  if (lane == nullptr) {
    lane = new EnvLane();
    lane->done = Napi::ThreadSafeFunction::New(env, Napi::Function(), "tfe-native", 0, 1);
    lane->done.Unref(env);
    env.SetInstanceData<EnvLane>(lane);  // deleted with the environment
  }
  return lane;
}

}  // namespace

Napi::Promise QueueOnLane(Napi::Env env, std::vector<Napi::Value> keep, Napi::Value result,
                          std::function<void()> work) {
  EnvLane* lane = LaneOf(env);
  Job* job = new Job{lane, std::move(work), Napi::Promise::Deferred::New(env), {}, {}, {}, false};
  for (auto& v : keep) {
    if (v.IsObject()) job->keep.push_back(Napi::Persistent(v.As<Napi::Object>()));
  }
  job->result = Napi::Persistent(result.As<Napi::Object>());
  if (lane->pending++ == 0) lane->done.Ref(env);
  Napi::Promise promise = job->deferred.Promise();
  GetExecutor().Push(job);
  return promise;
}

}  // namespace tfe
