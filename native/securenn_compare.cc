// SecureNN's PrivateCompare as two fused kernels (see src/kernels/kernel_names.ts):
// PrivateCompareMask (one server's blinded, rotated vector d_j, in one pass per element, no
// [n, 64] temporaries) and PrivateCompareZeroTest (server2: does d0 + d1 have a zero?).
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

// Barrett reduction mod p for x < 2^32 / p (ModM's rule), written so loops over it vectorise.
inline uint32_t Reduce(uint32_t x, uint32_t p, uint64_t inv) {
  const uint32_t q = static_cast<uint32_t>((uint64_t(x) * inv) >> 32);
  return x - q * p;
}

// One element, in passes over 64 lanes that the compiler vectorises: w_i and ρ_i − x_i, the
// suffix sums Σ_{k>i} w_k (one scalar scan), c_i, then d_i = (s_i + 1)·c_i ± z_i stored at
// (i + rot) mod 64. Unreduced, w_i ≤ p + 1, the suffix sum < 64·(p + 1) and
// σ·(ρ_i − x_i) + suffix + 1 < p² + 65·(p + 1) < 2^17, where Reduce is exact.
inline void MaskOne(const MaskArgs& a, int64_t e, uint64_t inv) {
  const uint32_t p = a.p;
  const uint8_t* x = a.x + e * kBits;
  const uint8_t* s = a.s + e * kBits;
  const uint8_t* z = a.z + e * kBits;
  const bool beta = a.beta[e] & 1;
  const uint64_t rho = beta ? a.r[e] + 1 : a.r[e];
  const uint32_t sigma = beta ? p - 1 : 1;
  const uint32_t one = a.first ? 1 : 0;
  uint32_t w[kBits], diff[kBits], c[kBits];
  uint8_t d[kBits];
  for (int i = 0; i < kBits; i++) {
    const uint32_t flip = uint32_t((rho >> i) & 1);  // no branches: ρ's bits are random
    const uint32_t xi = x[i];
    w[i] = xi + flip * (one + p - 2 * xi);      // share of x_i ⊕ ρ_i: ρ_i ? 1 − x_i : x_i
    diff[i] = (flip & one) + p - xi;            // share of ρ_i − x_i
  }
  uint32_t suffix = 0;
  for (int i = kBits - 1; i >= 0; i--) {
    c[i] = suffix;
    suffix += w[i];
  }
  for (int i = 0; i < kBits; i++) c[i] = Reduce(sigma * diff[i] + c[i] + one, p, inv);
  if (a.edgeCase && beta && a.r[e] == ~uint64_t(0)) {
    for (int i = 0; i < kBits; i++) c[i] = (a.first && i != 0) ? 1 : 0;
  }
  for (int i = 0; i < kBits; i++) {
    const uint32_t zi = a.first ? z[i] : p - z[i];
    d[i] = uint8_t(Reduce((uint32_t(s[i]) + 1) * c[i] + zi, p, inv));
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
    const uint64_t inv = (uint64_t(1) << 32) / a.p + 1;
    ParallelRange(total, kGrain, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; i++) MaskOne(a, i, inv);
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

}  // namespace

void InitSecureNNCompare(Napi::Env env, Napi::Object exports) {
  exports.Set("privateCompareMask", Napi::Function::New(env, PrivateCompareMask));
  exports.Set("privateCompareZeroTest", Napi::Function::New(env, PrivateCompareZeroTest));
}

}  // namespace tfe
