// A small persistent thread pool: one worker per extra core, the caller helps.
#pragma once
#include <cstdint>
#include <functional>

namespace tfe {

// Runs fn(i) for i in [0, n) on the pool and the calling thread; returns when all are done.
// When the pool is busy with another caller's job, the caller runs the loop alone, so two
// callers never wait on each other.
void ParallelFor(int64_t n, const std::function<void(int64_t)>& fn);

// Splits [0, total) into chunks of at least `grain` and runs fn(begin, end) on the pool.
void ParallelRange(int64_t total, int64_t grain, const std::function<void(int64_t, int64_t)>& fn);

// Number of threads a ParallelFor may use (workers + caller).
int PoolThreads();

}  // namespace tfe
