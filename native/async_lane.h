// The addon's own executor for asynchronous kernels: a fixed set of threads, one per core, fed
// from one queue. A finished job settles its promise on the JS thread through a thread-safe
// function. libuv's pool is not used: its four threads on a 2-core machine ran four kernels at
// once next to the JS thread and the kernels' own ParallelFor workers, and the contention cost
// about 5% of a training step.
#pragma once
#include <napi.h>

#include <functional>
#include <vector>

namespace tfe {

// Queues `work` on the executor and returns a Promise of `result`; `keep` (the inputs) and
// `result` stay referenced until it settles. An exception thrown by `work` rejects the promise
// with its message. `work` must not touch JS values. Call on the JS thread.
Napi::Promise QueueOnLane(Napi::Env env, std::vector<Napi::Value> keep, Napi::Value result,
                          std::function<void()> work);

}  // namespace tfe
