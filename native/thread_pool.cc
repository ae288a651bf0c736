// The persistent pool behind ParallelFor. Workers sleep on a condition variable between jobs.
#include "thread_pool.h"

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__linux__)
#include <pthread.h>
#endif

namespace tfe {
namespace {

class Pool {
 public:
  Pool() {
    // TFE_NATIVE_THREADS caps the threads (workers + caller); default: one per core.
    int hw = static_cast<int>(std::thread::hardware_concurrency());
    if (const char* env = std::getenv("TFE_NATIVE_THREADS")) {
      int want = std::atoi(env);
      if (want > 0 && (hw <= 0 || want < hw)) hw = want;
    }
    int workers = hw > 1 ? hw - 1 : 0;
    for (int i = 0; i < workers; i++) threads_.emplace_back([this] { Loop(); });
  }
  ~Pool() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_) t.join();
  }
  int Threads() const { return static_cast<int>(threads_.size()) + 1; }

  void Run(int64_t n, const std::function<void(int64_t)>& fn) {
    bool idle = false;
    if (threads_.empty() || n == 1 || !busy_.compare_exchange_strong(idle, true)) {
      for (int64_t i = 0; i < n; i++) fn(i);
      return;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      fn_ = &fn;
      n_ = n;
      next_.store(0);
      open_ = true;
      generation_++;
    }
    cv_.notify_all();
    Work();
    // The caller has run out of items. A worker that has not woken yet is not waited for: the
    // job closes, so it will not join; only workers already inside are waited for. (Waiting
    // for every worker made a short job cost a full wake-up, often a scheduler time slice
    // when the cores are busy.)
    std::exception_ptr error;
    {
      std::unique_lock<std::mutex> lock(mu_);
      open_ = false;
      done_cv_.wait(lock, [this] { return joined_ == 0; });
      fn_ = nullptr;
      std::swap(error, error_);
    }
    busy_.store(false);
    if (error) std::rethrow_exception(error);
  }

 private:
  // Runs items until none are left; the first exception stops the job and is rethrown by Run.
  void Work() {
    try {
      for (int64_t i = next_.fetch_add(1); i < n_; i = next_.fetch_add(1)) (*fn_)(i);
    } catch (...) {
      std::lock_guard<std::mutex> lock(mu_);
      if (!error_) error_ = std::current_exception();
      next_.store(n_);
    }
  }
  void Loop() {
#if defined(__linux__)
    pthread_setname_np(pthread_self(), "tfe-pool");  // told apart from V8's threads in profiles
#endif
    uint64_t seen = 0;
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] { return stop_ || generation_ != seen; });
        if (stop_) return;
        seen = generation_;
        if (!open_) continue;  // the caller finished this job without us
        joined_++;
      }
      Work();
      std::lock_guard<std::mutex> lock(mu_);
      if (--joined_ == 0) done_cv_.notify_one();
    }
  }

  std::vector<std::thread> threads_;
  std::mutex mu_;
  std::atomic<bool> busy_{false};
  std::condition_variable cv_, done_cv_;
  const std::function<void(int64_t)>* fn_ = nullptr;
  int64_t n_ = 0;
  std::atomic<int64_t> next_{0};
  bool open_ = false;  // a job is running and workers may still join it
  int joined_ = 0;     // workers inside the current job
  std::exception_ptr error_;
  uint64_t generation_ = 0;
  bool stop_ = false;
};

Pool& GetPool() {
  static Pool* pool = new Pool();  // never destroyed: workers may outlive static teardown
  return *pool;
}

}  // namespace

void ParallelFor(int64_t n, const std::function<void(int64_t)>& fn) {
  if (n <= 0) return;
  GetPool().Run(n, fn);
}

void ParallelRange(int64_t total, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
  if (total <= 0) return;
  if (grain < 1) grain = 1;
  int64_t chunks = (total + grain - 1) / grain;
  int64_t maxChunks = static_cast<int64_t>(PoolThreads()) * 4;
  if (chunks > maxChunks) chunks = maxChunks;
  if (chunks <= 1) {
    fn(0, total);
    return;
  }
  int64_t step = (total + chunks - 1) / chunks;
  ParallelFor(chunks, [&](int64_t c) {
    int64_t b = c * step, e = b + step < total ? b + step : total;
    if (b < e) fn(b, e);
  });
}

int PoolThreads() { return GetPool().Threads(); }

}  // namespace tfe
