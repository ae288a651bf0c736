// Unary kernels over contiguous inputs: Neg, BitwiseNot, the shifts.
#include "elementwise_impl.h"
#include "napi_util.h"
#include "thread_pool.h"

namespace tfe {
namespace {

constexpr int64_t kGrain = 1 << 16;
constexpr int64_t kAsyncMin = 1 << 16;  // smaller inputs run inline even when async

template <class TA, class TO, class Op>
void Par(const TA* a, TO* o, int64_t n, Op op) {
  ParallelRange(n, kGrain, [&](int64_t b, int64_t e) { Row1(a + b, o + b, e - b, op); });
}

enum UnOp { kNeg, kNot };

// unary(op, x, modulus, async, out?) -> Neg: -x mod m; BitwiseNot: ~x (u64) or (1 - x) mod m (u8)
Napi::Value Unary(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int op = static_cast<int>(GetInt(info, 0, "op", 0, 1));
  Arr x = GetArr(info, 1, "x");
  uint32_t m = static_cast<uint32_t>(GetInt(info, 2, "modulus", 0, 256));
  bool async = GetBool(info, 3, "async");
  if (!x.u64 && m < 2) Fail(env, "`modulus` must be in [2, 256] for u8 operands");
  int64_t n = static_cast<int64_t>(x.length);
  Arr o = OutArr(info, 4, x.u64, x.length);
  return RunWork(env, async && n >= kAsyncMin, {x.value}, o.value, [=] {
    if (x.u64) {
      if (op == kNeg) Par(x.u(), o.u(), n, [](uint64_t v) { return uint64_t(0) - v; });
      else Par(x.u(), o.u(), n, [](uint64_t v) { return ~v; });
    } else {
      uint32_t k = op == kNeg ? 0 : 1;  // result = (k - v) mod m
      Par(x.b(), o.b(), n, [m, k](uint8_t v) {
        uint32_t s = k + m - v;
        return uint8_t(s >= m ? s - m : s);
      });
    }
  });
}

enum ShiftOp { kShl, kShrLogical, kShrArith };

// shift(op, x, bits, async, out?) -> u64 shifted by a public amount in [0, 63]
Napi::Value Shift(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int op = static_cast<int>(GetInt(info, 0, "op", 0, 2));
  Arr x = GetU64(info, 1, "x");
  int s = static_cast<int>(GetInt(info, 2, "bits", 0, 63));
  bool async = GetBool(info, 3, "async");
  int64_t n = static_cast<int64_t>(x.length);
  Arr outArr = OutArr(info, 4, true, x.length);
  uint64_t* o = outArr.u();
  Napi::Value out = outArr.value;
  const uint64_t* a = x.u();
  return RunWork(env, async && n >= kAsyncMin, {x.value}, out, [=] {
    if (op == kShl) {
      Par(a, o, n, [s](uint64_t v) { return v << s; });
    } else if (op == kShrLogical) {
      Par(a, o, n, [s](uint64_t v) { return v >> s; });
    } else {
      Par(reinterpret_cast<const int64_t*>(a), reinterpret_cast<int64_t*>(o), n, [s](int64_t v) { return v >> s; });
    }
  });
}

}  // namespace

void InitUnary(Napi::Env env, Napi::Object exports) {
  exports.Set("unary", Napi::Function::New(env, Unary));
  exports.Set("shift", Napi::Function::New(env, Shift));
}

}  // namespace tfe
