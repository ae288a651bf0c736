// SecureNN's PrivateCompare pipeline as fused kernels (see src/kernels/kernel_names.ts):
// PrivateCompareMask (one server's blinded, rotated vector d_j, in one pass per element, no
// [n, 64] temporaries), PrivateCompareZeroTest (server2: does d0 + d1 have a zero?) and
// BitDecomposeSub (server2 dealing Z_p shares of a value's bits).
#include <cstring>

#include "napi_util.h"
#include "thread_pool.h"

namespace tfe {
namespace {

constexpr int kBits = 64;
constexpr int64_t kGrain = 1 << 10;         // elements per task (64 field values each)
constexpr int64_t kAsyncMin = 1 << 10;      // elements below which async runs inline

struct MaskArgs {
  const uint8_t* x;      // [n, 64] bit shares mod p
  const uint64_t* r;     // [n]
  const uint8_t* beta;   // [n] bits
  const uint8_t* s;      // [n, 64] mod p − 1
  const uint8_t* z;      // [n, 64] mod p
  const uint8_t* rot;    // [n] mod 64
  uint8_t* out;          // [n, 64] mod p
  uint32_t p;
  bool first;            // server0 (adds the public terms)
  bool edgeCase;
};

// x mod p for x < 2^20, in float lanes (x and x/p are exact to well under one unit, so the
// quotient is off by at most one, which the two corrections fix). Vectorises, unlike `%`.
struct FloatMod {
  int32_t p;
  float inv;
  explicit FloatMod(uint32_t m) : p(int32_t(m)), inv(1.0f / float(m)) {}
  inline uint32_t operator()(uint32_t x) const {
    int32_t r = int32_t(x) - int32_t(float(x) * inv) * p;
    r += r < 0 ? p : 0;
    r -= r >= p ? p : 0;
    return uint32_t(r);
  }
};

// The 64 bits of v as 0/1 lanes (two 32-bit halves: variable 32-bit shifts vectorise).
inline void Bits(uint64_t v, uint32_t* out) {
  const uint32_t lo = uint32_t(v), hi = uint32_t(v >> 32);
  for (int i = 0; i < 32; i++) out[i] = (lo >> i) & 1;
  for (int i = 0; i < 32; i++) out[32 + i] = (hi >> i) & 1;
}

// One element, in passes over 64 lanes that the compiler vectorises (no branches on ρ's
// random bits): w_i and ρ_i − x_i, the suffix sums Σ_{k>i} w_k (one scalar scan), c_i, then
// d_i = (s_i + 1)·c_i ± z_i stored at (i + rot) mod 64. σ·(ρ_i − x_i) is ρ_i − x_i or
// 2p − (ρ_i − x_i) (≡ −(ρ_i − x_i)), so every lane stays non-negative; unreduced, w_i ≤ p + 1,
// the suffix sum < 64·(p + 1), c_i's sum < 2p + 65·(p + 1) and d_i's < p² + p, all < 2^20.
inline void MaskOne(const MaskArgs& a, int64_t e, const FloatMod& mod) {
  const uint32_t p = a.p;
  const uint8_t* x = a.x + e * kBits;
  const uint8_t* s = a.s + e * kBits;
  const uint8_t* z = a.z + e * kBits;
  const bool beta = a.beta[e] & 1;
  const uint64_t rho = beta ? a.r[e] + 1 : a.r[e];
  const uint32_t one = a.first ? 1 : 0;
  const uint32_t neg = beta ? 1 : 0;
  uint32_t flip[kBits], w[kBits], c[kBits];
  uint8_t d[kBits];
  Bits(rho, flip);
  for (int i = 0; i < kBits; i++) w[i] = x[i] + flip[i] * (one + p - 2 * uint32_t(x[i]));  // ρ_i ? 1 − x_i : x_i
  uint32_t suffix = 0;
  for (int i = kBits - 1; i >= 0; i--) {
    c[i] = suffix;
    suffix += w[i];
  }
  for (int i = 0; i < kBits; i++) {
    const uint32_t diff = (flip[i] & one) + p - x[i];  // share of ρ_i − x_i, in [1, p + 1]
    const uint32_t signedDiff = diff + neg * (2 * p - 2 * diff);
    c[i] = mod(signedDiff + c[i] + one);
  }
  if (a.edgeCase && beta && a.r[e] == ~uint64_t(0)) {
    for (int i = 0; i < kBits; i++) c[i] = (a.first && i != 0) ? 1 : 0;
  }
  for (int i = 0; i < kBits; i++) {
    const uint32_t zi = one ? z[i] : p - z[i];
    d[i] = uint8_t(mod((uint32_t(s[i]) + 1) * c[i] + zi));
  }
  const unsigned rot = a.rot[e] & (kBits - 1);
  uint8_t* o = a.out + e * kBits;
  std::memcpy(o + rot, d, kBits - rot);         // d_i → position i + rot, no wrap
  std::memcpy(o, d + (kBits - rot), rot);       // the wrapped tail
}

// privateCompareMask(x, r, beta, s, z, rot, first, modulus, edgeCase, async) -> Uint8Array [n, 64]
Napi::Value PrivateCompareMask(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Arr x = GetU8(info, 0, "x"), r = GetU64(info, 1, "r"), beta = GetU8(info, 2, "beta");
  Arr s = GetU8(info, 3, "s"), z = GetU8(info, 4, "z"), rot = GetU8(info, 5, "rot");
  const size_t n = r.length;
  CheckLength(env, x, n * kBits, "x");
  CheckLength(env, beta, n, "beta");
  CheckLength(env, s, n * kBits, "s");
  CheckLength(env, z, n * kBits, "z");
  CheckLength(env, rot, n, "rot");
  MaskArgs a;
  a.first = GetBool(info, 6, "first");
  a.p = static_cast<uint32_t>(GetInt(info, 7, "modulus", 3, 255));
  a.edgeCase = GetBool(info, 8, "edgeCase");
  bool async = GetBool(info, 9, "async");
  a.x = x.b(); a.r = r.u(); a.beta = beta.b(); a.s = s.b(); a.z = z.b(); a.rot = rot.b();
  Napi::Value out = NewU8(env, n * kBits, false, &a.out);
  const int64_t total = static_cast<int64_t>(n);
  return RunWork(env, async && total >= kAsyncMin, {x.value, r.value, beta.value, s.value, z.value, rot.value}, out, [=] {
    const FloatMod mod(a.p);
    ParallelRange(total, kGrain, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; i++) MaskOne(a, i, mod);
    });
  });
}

// privateCompareZeroTest(d0, d1, modulus, async) -> Uint8Array [n]: 1 where some
// (d0 + d1) mod p of the row is 0, i.e. d0 + d1 ∈ {0, p}.
Napi::Value PrivateCompareZeroTest(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Arr d0 = GetU8(info, 0, "d0"), d1 = GetU8(info, 1, "d1");
  CheckLength(env, d1, d0.length, "d1");
  if (d0.length % kBits != 0) Fail(env, "`d0` length must be a multiple of 64");
  const uint32_t p = static_cast<uint32_t>(GetInt(info, 2, "modulus", 3, 255));
  bool async = GetBool(info, 3, "async");
  const int64_t n = static_cast<int64_t>(d0.length / kBits);
  uint8_t* o;
  Napi::Value out = NewU8(env, static_cast<size_t>(n), false, &o);
  const uint8_t* a = d0.b();
  const uint8_t* b = d1.b();
  return RunWork(env, async && n >= kAsyncMin, {d0.value, d1.value}, out, [=] {
    ParallelRange(n, kGrain * 4, [&](int64_t lo, int64_t hi) {
      for (int64_t e = lo; e < hi; e++) {
        const uint8_t* u = a + e * kBits;
        const uint8_t* v = b + e * kBits;
        uint8_t hit = 0;
        for (int i = 0; i < kBits; i++) {
          const uint32_t sum = uint32_t(u[i]) + v[i];
          hit |= uint8_t(sum == 0) | uint8_t(sum == p);
        }
        o[e] = hit;
      }
    });
  });
}

// bitDecomposeSub(x, s, modulus, async) -> Uint8Array [n, 64]: (bit_i(x) − s_i) mod m, the second
// share of x's bits when s is the first (server2 dealing bit shares: BitDecompose and Sub in one
// pass, one output).
Napi::Value BitDecomposeSub(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Arr x = GetU64(info, 0, "x"), s = GetU8(info, 1, "s");
  CheckLength(env, s, x.length * kBits, "s");
  const uint32_t m = static_cast<uint32_t>(GetInt(info, 2, "modulus", 2, 256));
  bool async = GetBool(info, 3, "async");
  const int64_t n = static_cast<int64_t>(x.length);
  uint8_t* o;
  Napi::Value out = NewU8(env, x.length * kBits, false, &o);
  const uint64_t* xv = x.u();
  const uint8_t* sv = s.b();
  return RunWork(env, async && n >= kAsyncMin, {x.value, s.value}, out, [=] {
    ParallelRange(n, kGrain * 4, [&](int64_t lo, int64_t hi) {
      uint32_t bits[kBits];
      for (int64_t e = lo; e < hi; e++) {
        Bits(xv[e], bits);
        const uint8_t* se = sv + e * kBits;
        uint8_t* oe = o + e * kBits;
        for (int i = 0; i < kBits; i++) {
          const uint32_t v = bits[i] + m - se[i];  // in [1, m + 1]
          oe[i] = uint8_t(v >= m ? v - m : v);
        }
      }
    });
  });
}

}  // namespace

void InitSecureNNCompare(Napi::Env env, Napi::Object exports) {
  exports.Set("privateCompareMask", Napi::Function::New(env, PrivateCompareMask));
  exports.Set("privateCompareZeroTest", Napi::Function::New(env, PrivateCompareZeroTest));
  exports.Set("bitDecomposeSub", Napi::Function::New(env, BitDecomposeSub));
}

}  // namespace tfe
