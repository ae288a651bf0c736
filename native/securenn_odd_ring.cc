// AddModOdd: addition in SecureNN's odd ring Z_N, N = 2^64 − 1 (see kernel_names.ts).
#include "napi_util.h"
#include "thread_pool.h"

namespace tfe {
namespace {

constexpr int64_t kGrain = 1 << 15;
constexpr int64_t kAsyncMin = 1 << 16;

// (a + b) mod N: 2^64 ≡ 1, so a carry out adds 1 (the sum is then ≤ 2^64 − 2, no new carry);
// the one remaining non-canonical value, N itself, becomes 0.
inline uint64_t AddOdd(uint64_t a, uint64_t b) {
  uint64_t s = a + b;
  s += uint64_t(s < a);
  return s == ~uint64_t(0) ? 0 : s;
}

// addModOdd(a, b, async, out?) -> BigUint64Array; b has a's length or length 1
Napi::Value AddModOdd(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Arr a = GetU64(info, 0, "a"), b = GetU64(info, 1, "b");
  if (b.length != 1) CheckLength(env, b, a.length, "b");
  bool async = GetBool(info, 2, "async");
  Arr outArr = OutArr(info, 3, true, a.length);
  uint64_t* o = outArr.u();
  Napi::Value out = outArr.value;
  const uint64_t* x = a.u();
  const uint64_t* y = b.u();
  const bool scalar = b.length == 1 && a.length != 1;
  const int64_t n = static_cast<int64_t>(a.length);
  return RunWork(env, async && n >= kAsyncMin, {a.value, b.value}, out, [=] {
    ParallelRange(n, kGrain, [&](int64_t lo, int64_t hi) {
      if (scalar) {
        const uint64_t c = y[0];
        for (int64_t i = lo; i < hi; i++) o[i] = AddOdd(x[i], c);
      } else {
        for (int64_t i = lo; i < hi; i++) o[i] = AddOdd(x[i], y[i]);
      }
    });
  });
}

}  // namespace

void InitSecureNNOddRing(Napi::Env env, Napi::Object exports) {
  exports.Set("addModOdd", Napi::Function::New(env, AddModOdd));
}

}  // namespace tfe
