// BitUnzipPack: one level of a bit-packed prefix tree (see kernel_names.ts).
#include "napi_util.h"
#include "thread_pool.h"
#if defined(__BMI2__)
#include <immintrin.h>
#endif

namespace tfe {
namespace {

constexpr int64_t kGrain = 1 << 14;
constexpr int64_t kAsyncMin = 1 << 15;

// The 32 even bits of w gathered into bits 0..31 (a perfect unshuffle's low half).
inline uint64_t EvenBits(uint64_t w) {
#if defined(__BMI2__)
  return _pext_u64(w, 0x5555555555555555ULL);
#else
  w &= 0x5555555555555555ULL;
  w = (w | (w >> 1)) & 0x3333333333333333ULL;
  w = (w | (w >> 2)) & 0x0F0F0F0F0F0F0F0FULL;
  w = (w | (w >> 4)) & 0x00FF00FF00FF00FFULL;
  w = (w | (w >> 8)) & 0x0000FFFF0000FFFFULL;
  return (w | (w >> 16)) & 0x00000000FFFFFFFFULL;
#endif
}

// bitUnzipPack(x, odd, async, out?) -> BigUint64Array of ceil(n/2) words
Napi::Value BitUnzipPack(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Arr x = GetU64(info, 0, "x");
  bool odd = GetBool(info, 1, "odd");
  bool async = GetBool(info, 2, "async");
  const int64_t n = static_cast<int64_t>(x.length);
  const int64_t m = (n + 1) / 2;
  Arr outArr = OutArr(info, 3, true, static_cast<size_t>(m));
  uint64_t* o = outArr.u();
  Napi::Value out = outArr.value;
  const uint64_t* a = x.u();
  const int shift = odd ? 1 : 0;
  return RunWork(env, async && n >= kAsyncMin, {x.value}, out, [=] {
    ParallelRange(m, kGrain, [&](int64_t lo, int64_t hi) {
      for (int64_t j = lo; j < hi; j++) {
        const uint64_t w0 = a[2 * j] >> shift;
        const uint64_t w1 = 2 * j + 1 < n ? a[2 * j + 1] >> shift : 0;
        o[j] = EvenBits(w0) | (EvenBits(w1) << 32);
      }
    });
  });
}

}  // namespace

void InitBitPack(Napi::Env env, Napi::Object exports) {
  exports.Set("bitUnzipPack", Napi::Function::New(env, BitUnzipPack));
}

}  // namespace tfe
