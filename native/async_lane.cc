// See async_lane.h.
#include "async_lane.h"

#include <condition_variable>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#if defined(__linux__)
#include <pthread.h>
#endif

#include "thread_pool.h"

namespace tfe {
namespace {

// Per JS environment (the main thread, or a worker thread that loads the addon): the
// thread-safe function through which finished jobs come back, referenced only while jobs are
// out so that an idle process can exit. Shared with the jobs, so it outlives an environment
// torn down while its jobs are queued.
struct EnvLane {
  Napi::ThreadSafeFunction done;
  int pending = 0;  // JS thread only
  // Guards `closed` and `running`. Once the environment's cleanup hook sets `closed`, no
  // executor thread touches `done` again, and queued jobs of the environment are dropped.
  std::mutex mu;
  std::condition_variable idle;
  bool closed = false;
  int running = 0;  // jobs of this environment inside work()
};

struct Job {
  std::shared_ptr<EnvLane> lane;
  std::function<void()> work;
  Napi::Promise::Deferred deferred;
  std::vector<Napi::ObjectReference> keep;
  Napi::ObjectReference result;
  std::string error;
  bool failed = false;
};

// Settles a finished job on the JS thread. A null env means the environment is going away:
// nothing may touch N-API then, so the job is left (its references die with the environment).
void Finish(Napi::Env env, Napi::Function, Job* raw) {
  if (env == nullptr) return;
  std::unique_ptr<Job> job(raw);
  EnvLane& lane = *job->lane;
  if (--lane.pending == 0) lane.done.Unref(env);
  Napi::HandleScope scope(env);
  try {
    if (job->failed) job->deferred.Reject(Napi::Error::New(env, job->error).Value());
    else job->deferred.Resolve(job->result.Value());
  } catch (const Napi::Error&) {
    // Settling fails only while the environment terminates; nothing is left to tell.
  }
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
#if defined(__linux__)
    pthread_setname_np(pthread_self(), "tfe-async");  // told apart from V8's threads in profiles
#endif
    for (;;) {
      Job* job;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [this] { return !queue_.empty(); });
        job = queue_.front();
        queue_.pop_front();
      }
      EnvLane& lane = *job->lane;
      {
        std::lock_guard<std::mutex> lock(lane.mu);
        // A closed environment's job is dropped unrun; its JS references cannot be released
        // off the JS thread, so it is not freed either (once, at teardown).
        if (lane.closed) continue;
        lane.running++;
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
      std::lock_guard<std::mutex> lock(lane.mu);
      if (!lane.closed) lane.done.NonBlockingCall(job, Finish);
      if (--lane.running == 0) lane.idle.notify_all();
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

// Runs first at environment teardown (cleanup hooks run in reverse order, and the
// thread-safe function registered its own before this one): closes the lane and waits for
// the jobs inside work(), so none writes to an output block the teardown hands back.
void CloseLane(std::shared_ptr<EnvLane>* holder) {
  EnvLane& lane = **holder;
  std::unique_lock<std::mutex> lock(lane.mu);
  lane.closed = true;
  lane.idle.wait(lock, [&] { return lane.running == 0; });
}

std::shared_ptr<EnvLane> LaneOf(Napi::Env env) {
  auto* holder = env.GetInstanceData<std::shared_ptr<EnvLane>>();
  if (holder == nullptr) {
    holder = new std::shared_ptr<EnvLane>(std::make_shared<EnvLane>());
    (*holder)->done = Napi::ThreadSafeFunction::New(env, Napi::Function(), "tfe-native", 0, 1);
    (*holder)->done.Unref(env);
    env.AddCleanupHook(CloseLane, holder);
    env.SetInstanceData<std::shared_ptr<EnvLane>>(holder);  // deleted with the environment
  }
  return *holder;
}

}  // namespace

Napi::Promise QueueOnLane(Napi::Env env, std::vector<Napi::Value> keep, Napi::Value result,
                          std::function<void()> work) {
  std::shared_ptr<EnvLane> lane = LaneOf(env);
  auto job = std::make_unique<Job>(Job{lane, std::move(work), Napi::Promise::Deferred::New(env), {}, {}, {}, false});
  for (auto& v : keep) {
    if (v.IsObject()) job->keep.push_back(Napi::Persistent(v.As<Napi::Object>()));
  }
  job->result = Napi::Persistent(result.As<Napi::Object>());
  Napi::Promise promise = job->deferred.Promise();
  if (lane->pending++ == 0) lane->done.Ref(env);
  GetExecutor().Push(job.release());
  return promise;
}

}  // namespace tfe
