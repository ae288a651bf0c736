// The arguments every broadcast binary entry point shares, read and checked in one place:
// info[1] = a, info[2] = b, info[3] = outShape, info[4] = aStrides, info[5] = bStrides.
#pragma once
#include <vector>

#include "napi_util.h"
#include "nd_iter.h"

namespace tfe {

// Inputs at least this large run on a worker when the caller asks for the async form.
constexpr int64_t kBroadcastAsyncMin = 1 << 16;

struct BroadcastArgs {
  Arr a, b;
  Plan plan;
};

inline BroadcastArgs GetBroadcastArgs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Arr a = GetArr(info, 1, "a"), b = GetArr(info, 2, "b");
  if (a.u64 != b.u64) Fail(env, "`a` and `b` must have the same element type");
  std::vector<int64_t> shape = GetInts(info, 3, "outShape");
  std::vector<int64_t> sa = GetInts(info, 4, "aStrides"), sb = GetInts(info, 5, "bStrides");
  if (shape.size() > kMaxRank || sa.size() != shape.size() || sb.size() != shape.size()) {
    Fail(env, "`aStrides` and `bStrides` must have one entry per output axis (rank <= 16)");
  }
  if (!SpanFits(shape, sa, a.length) || !SpanFits(shape, sb, b.length)) Fail(env, "strides read outside `a` or `b`");
  return {a, b, MakePlan(shape, {&sa, &sb})};
}

}  // namespace tfe
