// Fused kernels of Pond's elementwise chains (see kernel_names.ts): AddN, TruncDealLow,
// TruncDealMsb, TruncFinish. Each reads its inputs once and writes one output, where the chain
// it replaces made and re-read several intermediate tensors.
#include <vector>

#include "napi_util.h"
#include "thread_pool.h"

namespace tfe {
namespace {

constexpr int64_t kGrain = 1 << 15;
constexpr int64_t kAsyncMin = 1 << 16;  // smaller inputs run inline even when async
constexpr int64_t kBlock = 2048;        // AddN sums a block in L1 before moving on

// Reads argument i as an array of u64 arrays of length n (or 1, when `scalars`).
std::vector<Arr> GetU64List(const Napi::CallbackInfo& info, size_t i, const char* name) {
  Napi::Env env = info.Env();
  if (!info[i].IsArray()) Fail(env, std::string("`") + name + "` must be an array of BigUint64Arrays");
  Napi::Array list = info[i].As<Napi::Array>();
  std::vector<Arr> out;
  for (uint32_t k = 0; k < list.Length(); k++) {
    Napi::Value v = list.Get(k);
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_biguint64_array) {
      Fail(env, std::string("`") + name + "` must be an array of BigUint64Arrays");
    }
    Napi::TypedArray t = v.As<Napi::TypedArray>();
    Arr a;
    a.u64 = true;
    a.length = t.ElementLength();
    a.data = static_cast<uint8_t*>(t.ArrayBuffer().Data()) + t.ByteOffset();
    a.value = v;
    out.push_back(a);
  }
  return out;
}

std::vector<Napi::Value> Values(const std::vector<Arr>& xs) {
  std::vector<Napi::Value> v;
  for (const Arr& x : xs) v.push_back(x.value);
  return v;
}

// addN(xs, n, async, out?) -> sum of the xs; each has n elements, or 1 (broadcast).
Napi::Value AddN(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<Arr> xs = GetU64List(info, 0, "xs");
  int64_t n = GetInt(info, 1, "n", 0, int64_t(1) << 40);
  bool async = GetBool(info, 2, "async");
  if (xs.empty()) Fail(env, "`xs` must hold at least one array");
  for (const Arr& x : xs) {
    if (x.length != size_t(n) && x.length != 1) Fail(env, "every `xs` entry must have n or 1 elements");
  }
  Arr outArr = OutArr(info, 3, true, size_t(n));
  uint64_t* o = outArr.u();
  Napi::Value out = outArr.value;
  std::vector<const uint64_t*> ps;
  std::vector<bool> full;
  for (const Arr& x : xs) {
    ps.push_back(x.u());
    full.push_back(x.length == size_t(n));
  }
  return RunWork(env, async && n >= kAsyncMin, Values(xs), out, [=] {
    ParallelRange(n, kGrain, [&](int64_t b, int64_t e) {
      for (int64_t s = b; s < e; s += kBlock) {
        int64_t t = s + kBlock < e ? s + kBlock : e;
        if (full[0]) for (int64_t i = s; i < t; i++) o[i] = ps[0][i];
        else for (int64_t i = s; i < t; i++) o[i] = ps[0][0];
        for (size_t j = 1; j < ps.size(); j++) {
          const uint64_t* p = ps[j];
          if (full[j]) for (int64_t i = s; i < t; i++) o[i] += p[i];
          else for (int64_t i = s; i < t; i++) o[i] += p[0];
        }
      }
    });
  });
}

// Checks `count` u64 arrays of one length starting at argument 0; returns them.
std::vector<Arr> SameLength(const Napi::CallbackInfo& info, std::initializer_list<const char*> names) {
  std::vector<Arr> xs;
  size_t i = 0;
  for (const char* name : names) xs.push_back(GetU64(info, i++, name));
  for (const Arr& x : xs) CheckLength(info.Env(), x, xs[0].length, "every input");
  return xs;
}

// truncDeal(r0, r1, s, bits, msb, async, out?) -> msb ? ((r0 + r1) >> 63) - s
//                                              : (((r0 + r1) mod 2^63) >> bits) - s
Napi::Value TruncDeal(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<Arr> xs = SameLength(info, {"r0", "r1", "s"});
  int k = static_cast<int>(GetInt(info, 3, "bits", 0, 62));
  bool msb = GetBool(info, 4, "msb");
  bool async = GetBool(info, 5, "async");
  int64_t n = static_cast<int64_t>(xs[0].length);
  Arr outArr = OutArr(info, 6, true, size_t(n));
  uint64_t* o = outArr.u();
  Napi::Value out = outArr.value;
  const uint64_t *r0 = xs[0].u(), *r1 = xs[1].u(), *s = xs[2].u();
  return RunWork(env, async && n >= kAsyncMin, Values(xs), out, [=] {
    ParallelRange(n, kGrain, [&](int64_t b, int64_t e) {
      if (msb) {
        for (int64_t i = b; i < e; i++) o[i] = ((r0[i] + r1[i]) >> 63) - s[i];
      } else {
        for (int64_t i = b; i < e; i++) o[i] = (((r0[i] + r1[i]) << 1) >> (k + 1)) - s[i];
      }
    });
  });
}

// truncFinish(cOwn, cOther, t, m, bits, first, async, out?) -> a server's share of the truncation
Napi::Value TruncFinish(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<Arr> xs = SameLength(info, {"cOwn", "cOther", "t", "m"});
  int k = static_cast<int>(GetInt(info, 4, "bits", 1, 62));
  bool first = GetBool(info, 5, "first");
  bool async = GetBool(info, 6, "async");
  int64_t n = static_cast<int64_t>(xs[0].length);
  Arr outArr = OutArr(info, 7, true, size_t(n));
  uint64_t* o = outArr.u();
  Napi::Value out = outArr.value;
  const uint64_t *own = xs[0].u(), *other = xs[1].u(), *t = xs[2].u(), *m = xs[3].u();
  const uint64_t offset = uint64_t(1) << (62 - k);
  return RunWork(env, async && n >= kAsyncMin, Values(xs), out, [=] {
    ParallelRange(n, kGrain, [&](int64_t b, int64_t e) {
      if (first) {
        for (int64_t i = b; i < e; i++) {
          uint64_t c = own[i] + other[i], c63 = c >> 63;
          uint64_t w = m[i] - 2 * c63 * m[i] + c63;
          o[i] = (w << (63 - k)) - t[i] + ((c << 1) >> (k + 1)) - offset;
        }
      } else {
        for (int64_t i = b; i < e; i++) {
          uint64_t c63 = (own[i] + other[i]) >> 63;
          o[i] = ((m[i] - 2 * c63 * m[i]) << (63 - k)) - t[i];
        }
      }
    });
  });
}

}  // namespace

void InitFusedPond(Napi::Env env, Napi::Object exports) {
  exports.Set("addN", Napi::Function::New(env, AddN));
  exports.Set("truncDeal", Napi::Function::New(env, TruncDeal));
  exports.Set("truncFinish", Napi::Function::New(env, TruncFinish));
}

}  // namespace tfe
