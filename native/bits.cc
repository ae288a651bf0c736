// Bit and ring conversions: BitExtract, BitDecompose, Cast, OneHot.
#include "elementwise_impl.h"
#include "napi_util.h"
#include "thread_pool.h"

namespace tfe {
namespace {

constexpr int64_t kGrain = 1 << 15;

// bitExtract(x, bit, out?) -> Uint8Array of bit `bit` of each element
Napi::Value BitExtract(const Napi::CallbackInfo& info) {
  Arr x = GetU64(info, 0, "x");
  int bit = static_cast<int>(GetInt(info, 1, "bit", 0, 63));
  Arr outArr = OutArr(info, 2, false, x.length);
  uint8_t* o = outArr.b();
  Napi::Value out = outArr.value;
  const uint64_t* a = x.u();
  ParallelRange(static_cast<int64_t>(x.length), kGrain, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; i++) o[i] = uint8_t((a[i] >> bit) & 1);
  });
  return out;
}

// bitDecompose(x, out?) -> Uint8Array [..., 64] of bits, least significant first
Napi::Value BitDecompose(const Napi::CallbackInfo& info) {
  Arr x = GetU64(info, 0, "x");
  Arr outArr = OutArr(info, 1, false, x.length * 64);
  uint8_t* o = outArr.b();
  Napi::Value out = outArr.value;
  const uint64_t* a = x.u();
  ParallelRange(static_cast<int64_t>(x.length), kGrain / 64, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; i++) {
      uint64_t v = a[i];
      uint8_t* d = o + i * 64;
      for (int k = 0; k < 64; k++) d[k] = uint8_t((v >> k) & 1);
    }
  });
  return out;
}

// cast(x, toU64, modulus) -> u64 copy / value, or u8 value mod `modulus`
Napi::Value Cast(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Arr x = GetArr(info, 0, "x");
  bool toU64 = GetBool(info, 1, "toU64");
  uint32_t m = static_cast<uint32_t>(GetInt(info, 2, "modulus", 0, 256));
  if (!toU64 && m < 2) Fail(env, "`modulus` must be in [2, 256] for a cast to u8");
  int64_t n = static_cast<int64_t>(x.length);
  Arr o = NewArr(env, toU64, x.length, false);
  ParallelRange(n, kGrain, [&](int64_t b, int64_t e) {
    if (toU64 && x.u64) {
      for (int64_t i = b; i < e; i++) o.u()[i] = x.u()[i];
    } else if (toU64) {
      for (int64_t i = b; i < e; i++) o.u()[i] = x.b()[i];
    } else if (x.u64) {
      for (int64_t i = b; i < e; i++) o.b()[i] = uint8_t(x.u()[i] % m);
    } else {
      ModM mod(m);
      for (int64_t i = b; i < e; i++) o.b()[i] = uint8_t(mod(x.b()[i]));
    }
  });
  return o.value;
}

// oneHot(x, depth, toU64) -> [..., depth] with 1 at x (none when x >= depth)
Napi::Value OneHot(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Arr x = GetU64(info, 0, "x");
  int64_t depth = GetInt(info, 1, "depth", 0, int64_t(1) << 40);
  bool toU64 = GetBool(info, 2, "toU64");
  Arr o = NewArr(env, toU64, x.length * depth, true);
  const uint64_t* a = x.u();
  for (size_t i = 0; i < x.length; i++) {
    if (a[i] >= static_cast<uint64_t>(depth)) continue;
    size_t at = i * depth + a[i];
    if (toU64) o.u()[at] = 1; else o.b()[at] = 1;
  }
  return o.value;
}

}  // namespace

void InitBits(Napi::Env env, Napi::Object exports) {
  exports.Set("bitExtract", Napi::Function::New(env, BitExtract));
  exports.Set("bitDecompose", Napi::Function::New(env, BitDecompose));
  exports.Set("cast", Napi::Function::New(env, Cast));
  exports.Set("oneHot", Napi::Function::New(env, OneHot));
}

}  // namespace tfe
