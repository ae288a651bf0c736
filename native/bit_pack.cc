// Packed boolean circuits (see kernel_names.ts): BitUnzipPack, one level of a bit-packed prefix
// tree (Pond's levels run it fused, native/pond_tree.cc), and the carry-tree kernels of ABY3's
// sign circuit (SignLeafTerms, PrefixTerms, PrefixNextG, PrefixNextP, BitUnpackTree, SignBitsTree), each one
// pass over the words instead of 8-20 word ops.
#include "bit_unzip.h"
#include "napi_util.h"
#include "thread_pool.h"

namespace tfe {
namespace {

constexpr int64_t kGrain = 1 << 14;
constexpr int64_t kAsyncMin = 1 << 15;

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
        o[j] = UnzipPair(a, n, j, shift);
      }
    });
  });
}

// The mask of the low s bits of every 2s-bit block, s = 2^(level-1).
constexpr uint64_t kLow[6] = {0x5555555555555555ULL, 0x3333333333333333ULL, 0x0f0f0f0f0f0f0f0fULL,
                              0x00ff00ff00ff00ffULL, 0x0000ffff0000ffffULL, 0x00000000ffffffffULL};

int GetLevel(const Napi::CallbackInfo& info, size_t i, int hi) { return static_cast<int>(GetInt(info, i, "level", 2, hi)); }

// prefixTerms(g0, g1, p0, p1, level, async, out?) -> BigUint64Array: the AND's local cross terms
Napi::Value PrefixTerms(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Arr g0 = GetU64(info, 0, "g0"), g1 = GetU64(info, 1, "g1"), p0 = GetU64(info, 2, "p0"), p1 = GetU64(info, 3, "p1");
  const size_t n = g0.length;
  CheckLength(env, g1, n, "g1");
  CheckLength(env, p0, n, "p0");
  CheckLength(env, p1, n, "p1");
  const int level = GetLevel(info, 4, 6);
  bool async = GetBool(info, 5, "async");
  Arr outArr = OutArr(info, 6, true, n);
  uint64_t* o = outArr.u();
  const uint64_t *a = g0.u(), *b = g1.u(), *c = p0.u(), *d = p1.u();
  const int s = 1 << (level - 1);
  const uint64_t m = kLow[level - 1];
  return RunWork(env, async && int64_t(n) >= kAsyncMin, {g0.value, g1.value, p0.value, p1.value}, outArr.value, [=] {
    ParallelRange(static_cast<int64_t>(n), kGrain, [&](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; i++) {
        const uint64_t ph0 = (c[i] >> s) & m, ph1 = (d[i] >> s) & m;
        const uint64_t x0 = ph0 | (ph0 << s), x1 = ph1 | (ph1 << s);
        const uint64_t y0 = (a[i] & m) | ((c[i] & m) << s), y1 = (b[i] & m) | ((d[i] & m) << s);
        o[i] = (x0 & (y0 ^ y1)) ^ (x1 & y0);
      }
    });
  });
}

// prefixNext(z, g | null, level, async, out?) -> BigUint64Array of half the words: the next
// level's G (with g) or P (without), merged.
Napi::Value PrefixNext(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Arr z = GetU64(info, 0, "z");
  const bool withG = !info[1].IsNull();
  Arr g = withG ? GetU64(info, 1, "g") : z;
  const size_t n = z.length;
  if (withG) CheckLength(env, g, n, "g");
  if (n % 2 != 0) Fail(env, "`z` must have an even number of words");
  const int level = GetLevel(info, 2, 5);
  bool async = GetBool(info, 3, "async");
  const size_t h = n / 2;
  Arr outArr = OutArr(info, 4, true, h);
  uint64_t* o = outArr.u();
  const uint64_t *zp = z.u(), *gp = g.u();
  const int s = 1 << (level - 1);
  const uint64_t m = kLow[level - 1];
  return RunWork(env, async && int64_t(n) >= kAsyncMin, {z.value, g.value}, outArr.value, [=] {
    ParallelRange(static_cast<int64_t>(h), kGrain, [&](int64_t lo, int64_t hi) {
      if (withG) {
        for (int64_t j = lo; j < hi; j++) {
          const uint64_t r0 = ((gp[j] >> s) & m) ^ (zp[j] & m), r1 = ((gp[j + h] >> s) & m) ^ (zp[j + h] & m);
          o[j] = r0 | (r1 << s);
        }
      } else {
        for (int64_t j = lo; j < hi; j++) o[j] = ((zp[j] >> s) & m) | (((zp[j + h] >> s) & m) << s);
      }
    });
  });
}

// signLeafTerms(u, c, v, generate, withV, async, out?) -> BigUint64Array [n/2]: one server's share
// of the first level's G (or P) words, merged
Napi::Value SignLeafTerms(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Arr u = GetU64(info, 0, "u"), c = GetU64(info, 1, "c"), v = GetU64(info, 2, "v");
  const size_t n = u.length;
  CheckLength(env, v, n, "v");
  if (n % 2 != 0) Fail(env, "`u` must have an even number of words");
  const size_t h = n / 2;
  CheckLength(env, c, h, "c");
  const bool generate = GetBool(info, 3, "generate"), withV = GetBool(info, 4, "withV");
  bool async = GetBool(info, 5, "async");
  Arr outArr = OutArr(info, 6, true, h);
  uint64_t* o = outArr.u();
  const uint64_t *up = u.u(), *cp = c.u(), *vp = v.u();
  return RunWork(env, async && int64_t(n) >= kAsyncMin, {u.value, c.value, v.value}, outArr.value, [=] {
    constexpr uint64_t M = 0x5555555555555555ULL, T = uint64_t(1) << 63;
    auto term = [=](uint64_t uu, uint64_t cf, uint64_t v0) {
      const uint64_t vv = v0 & ~T, vs = vv >> 1, us = uu >> 1, vhl = vs & vv & M;
      const uint64_t r = generate ? (us & vs) ^ (cf & vv) ^ (uu & vhl) : (us & vv) ^ (uu & vs) ^ cf ^ (withV ? vhl : 0);
      return r & M;
    };
    ParallelRange(static_cast<int64_t>(h), kGrain, [&](int64_t lo, int64_t hi) {
      for (int64_t j = lo; j < hi; j++) {
        const uint64_t r0 = term(up[j], cp[j] & M, vp[j]);
        const uint64_t r1 = term(up[j + h], (cp[j] >> 1) & M, vp[j + h]);
        o[j] = r0 | (r1 << 1);
      }
    });
  });
}

inline int Rev5(int64_t q) {
  return static_cast<int>(((q & 1) << 4) | ((q & 2) << 2) | (q & 4) | ((q & 8) >> 2) | ((q & 16) >> 4));
}

// bitUnpackTree(h, count, lanes, async, out?) -> BigUint64Array [count]: bit rev5(e / w) of
// h[e % w]; with `lanes` (two 32-bit lanes per word) the elements from 32·w on read the high
// halves: element 32·w + e' is bit 32 + rev5(e' / w) of h[e' % w]
Napi::Value BitUnpackTree(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Arr h = GetU64(info, 0, "h");
  const int64_t w = static_cast<int64_t>(h.length);
  const bool lanes = GetBool(info, 2, "lanes");
  const int64_t count = GetInt(info, 1, "count", 0, (lanes ? 64 : 32) * w);
  bool async = GetBool(info, 3, "async");
  Arr outArr = OutArr(info, 4, true, static_cast<size_t>(count));
  uint64_t* o = outArr.u();
  const uint64_t* hp = h.u();
  return RunWork(env, async && count >= kAsyncMin, {h.value}, outArr.value, [=] {
    // output word e reads bit rev5(q) of h[j], with e = q·w + j (q from 32 on: the high lane)
    ParallelRange(count, kGrain, [&](int64_t lo, int64_t hi) {
      int64_t q = lo / w, j = lo % w;
      for (int64_t e = lo; e < hi; e++) {
        const int bit = Rev5(q & 31) + static_cast<int>(q & 32);
        o[e] = (hp[j] >> bit) & 1;
        if (++j == w) j = 0, q++;
      }
    });
  });
}

// signBitsTree(h, lanes, async, out?) -> BigUint64Array [n/32]: bit rev5(q) of out[j] is bit 63
// of h[q·w + j], w = n/32 (the layout BitUnpackTree reads); with `lanes`, bit rev5(q) is bit 31
// of that word and bit 32 + rev5(q) its bit 63 (each lane's top bit)
Napi::Value SignBitsTree(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Arr h = GetU64(info, 0, "h");
  const int64_t n = static_cast<int64_t>(h.length);
  if (n % 32 != 0) Fail(env, "`h` must have a multiple of 32 words");
  const int64_t w = n / 32;
  const bool lanes = GetBool(info, 1, "lanes");
  bool async = GetBool(info, 2, "async");
  Arr outArr = OutArr(info, 3, true, static_cast<size_t>(w));
  uint64_t* o = outArr.u();
  const uint64_t* hp = h.u();
  return RunWork(env, async && n >= kAsyncMin, {h.value}, outArr.value, [=] {
    ParallelRange(w, kGrain / 32, [&](int64_t lo, int64_t hi) {
      for (int64_t j = lo; j < hi; j++) {
        uint64_t r = 0;
        for (int q = 0; q < 32; q++) {
          const uint64_t x = hp[q * w + j];
          r |= lanes ? (((x >> 31) & 1) << Rev5(q)) | ((x >> 63) << (32 + Rev5(q))) : (x >> 63) << Rev5(q);
        }
        o[j] = r;
      }
    });
  });
}

// lanePack(x, half, async, out?) -> BigUint64Array [half]: x zero past its end; out[e] =
// (x[e] mod 2^32) | x[half + e] << 32 (two 32-bit lanes per word, ABY3's bounded sign circuit)
Napi::Value LanePack(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Arr x = GetU64(info, 0, "x");
  const int64_t n = static_cast<int64_t>(x.length);
  const int64_t half = GetInt(info, 1, "half", (n + 1) / 2, (n + 1) / 2 + 64);  // at most 64 words of padding
  bool async = GetBool(info, 2, "async");
  Arr outArr = OutArr(info, 3, true, static_cast<size_t>(half));
  uint64_t* o = outArr.u();
  const uint64_t* xp = x.u();
  return RunWork(env, async && half >= kAsyncMin, {x.value}, outArr.value, [=] {
    ParallelRange(half, kGrain, [&](int64_t lo, int64_t hi) {
      for (int64_t e = lo; e < hi; e++) {
        const uint64_t high = half + e < n ? xp[half + e] : 0;
        o[e] = (e < n ? xp[e] & 0xffffffffULL : 0) | (high << 32);
      }
    });
  });
}

}  // namespace

void InitBitPack(Napi::Env env, Napi::Object exports) {
  exports.Set("bitUnzipPack", Napi::Function::New(env, BitUnzipPack));
  exports.Set("prefixTerms", Napi::Function::New(env, PrefixTerms));
  exports.Set("prefixNext", Napi::Function::New(env, PrefixNext));
  exports.Set("bitUnpackTree", Napi::Function::New(env, BitUnpackTree));
  exports.Set("signBitsTree", Napi::Function::New(env, SignBitsTree));
  exports.Set("lanePack", Napi::Function::New(env, LanePack));
  exports.Set("signLeafTerms", Napi::Function::New(env, SignLeafTerms));
}

}  // namespace tfe
