// SecureNN's PrivateCompare pipeline as fused kernels (see src/kernels/kernel_names.ts):
// PrivateCompareMask (one server's blinded, rotated vector d_j, in one pass per element, no
// [n, 64] temporaries), PrivateCompareZeroTest (server2: does d0 + d1 have a zero?) and
// BitDecomposeSub (server2 dealing Z_p shares of a value's bits).
#include <cstring>

#if defined(__AVX512BW__) && defined(__AVX512VBMI__)
#include <immintrin.h>
#define TFE_SNN_AVX512 1
#endif

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

#if TFE_SNN_AVX512
// x mod p in 16-bit lanes, x < 2^16 (Barrett with floor(2^16 / p): the quotient is short by at
// most 2, and each min(r, r − p) takes off one p while r ≥ p; r − p wraps above r otherwise).
inline __m512i ModP16(__m512i v, __m512i p, __m512i magic) {
  __m512i r = _mm512_sub_epi16(v, _mm512_mullo_epi16(_mm512_mulhi_epu16(v, magic), p));
  r = _mm512_min_epu16(r, _mm512_sub_epi16(r, p));
  return _mm512_min_epu16(r, _mm512_sub_epi16(r, p));
}

// Inclusive suffix sums of 32 u16 lanes: lane i becomes the sum of lanes i..31.
inline __m512i SuffixSum32(__m512i v) {
  const __m512i iota = _mm512_set_epi16(31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16, 15, 14, 13,
                                        12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
  for (int d = 1; d < 32; d <<= 1) {
    const __mmask32 keep = static_cast<__mmask32>((uint64_t(1) << (32 - d)) - 1);  // lanes with i + d < 32
    v = _mm512_add_epi16(v, _mm512_maskz_permutexvar_epi16(keep, _mm512_add_epi16(iota, _mm512_set1_epi16(short(d))), v));
  }
  return v;
}

// MaskOne in 16-bit lanes, the 64 positions as two halves of 32: the same arithmetic (every
// intermediate stays below 2^16: the suffix sums below 64·(p + 1) + 2p + 1, (s + 1)·c + z below
// p² + p), and the rotation as one byte permute.
inline void MaskOneVec(const MaskArgs& a, int64_t e) {
  const __m512i p = _mm512_set1_epi16(short(a.p)), magic = _mm512_set1_epi16(short(65536 / a.p));
  const bool beta = a.beta[e] & 1;
  const uint64_t rho = beta ? a.r[e] + 1 : a.r[e];
  const short one = a.first ? 1 : 0;
  const __m512i vone = _mm512_set1_epi16(one), onePlusP = _mm512_set1_epi16(short(one + a.p));
  __m512i x[2], w[2], c[2], d[2];
  for (int h = 0; h < 2; h++) {
    x[h] = _mm512_cvtepu8_epi16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(a.x + e * kBits + 32 * h)));
    const __mmask32 flip = static_cast<__mmask32>(rho >> (32 * h));
    w[h] = _mm512_mask_sub_epi16(x[h], flip, onePlusP, x[h]);  // ρ_i ? 1 − x_i : x_i
  }
  const __m512i sHi = SuffixSum32(w[1]);
  const __m512i sLo = _mm512_add_epi16(SuffixSum32(w[0]), _mm512_permutexvar_epi16(_mm512_setzero_si512(), sHi));
  const __m512i sums[2] = {sLo, sHi};
  const bool edge = a.edgeCase && beta && a.r[e] == ~uint64_t(0);
  for (int h = 0; h < 2; h++) {
    const __mmask32 flip = static_cast<__mmask32>(rho >> (32 * h));
    __m512i diff = _mm512_sub_epi16(p, x[h]);
    if (one) diff = _mm512_mask_add_epi16(diff, flip, diff, vone);  // share of ρ_i − x_i
    if (beta) diff = _mm512_sub_epi16(_mm512_add_epi16(p, p), diff);
    c[h] = ModP16(_mm512_add_epi16(_mm512_add_epi16(diff, _mm512_sub_epi16(sums[h], w[h])), vone), p, magic);
    if (edge) c[h] = one ? _mm512_mask_set1_epi16(vone, h == 0 ? __mmask32(1) : __mmask32(0), 0) : _mm512_setzero_si512();
    const __m512i sv = _mm512_cvtepu8_epi16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(a.s + e * kBits + 32 * h)));
    __m512i zv = _mm512_cvtepu8_epi16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(a.z + e * kBits + 32 * h)));
    if (!one) zv = _mm512_sub_epi16(p, zv);
    d[h] = ModP16(_mm512_add_epi16(_mm512_mullo_epi16(_mm512_add_epi16(sv, _mm512_set1_epi16(1)), c[h]), zv), p, magic);
  }
  const __m512i bytes = _mm512_inserti64x4(_mm512_castsi256_si512(_mm512_cvtepi16_epi8(d[0])), _mm512_cvtepi16_epi8(d[1]), 1);
  // out[j] = d[(j − rot) mod 64].
  const __m512i iota8 = _mm512_set_epi8(63, 62, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47, 46, 45, 44, 43,
                                        42, 41, 40, 39, 38, 37, 36, 35, 34, 33, 32, 31, 30, 29, 28, 27, 26, 25, 24, 23,
                                        22, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
  const __m512i idx = _mm512_and_si512(_mm512_sub_epi8(iota8, _mm512_set1_epi8(char(a.rot[e] & (kBits - 1)))), _mm512_set1_epi8(63));
  _mm512_storeu_si512(a.out + e * kBits, _mm512_permutexvar_epi8(idx, bytes));
}
#endif

// privateCompareMask(x, r, beta, s, z, rot, first, modulus, edgeCase, async, out?) -> Uint8Array [n, 64]
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
  Arr outArr = OutArr(info, 10, false, n * kBits);
  a.out = outArr.b();
  Napi::Value out = outArr.value;
  const int64_t total = static_cast<int64_t>(n);
  return RunWork(env, async && total >= kAsyncMin, {x.value, r.value, beta.value, s.value, z.value, rot.value}, out, [=] {
#if TFE_SNN_AVX512
    ParallelRange(total, kGrain, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; i++) MaskOneVec(a, i);
    });
#else
    const FloatMod mod(a.p);
    ParallelRange(total, kGrain, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; i++) MaskOne(a, i, mod);
    });
#endif
  });
}

// privateCompareZeroTest(d0, d1, modulus, async, out?) -> Uint8Array [n]: 1 where some
// (d0 + d1) mod p of the row is 0, i.e. d0 + d1 ∈ {0, p}.
Napi::Value PrivateCompareZeroTest(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Arr d0 = GetU8(info, 0, "d0"), d1 = GetU8(info, 1, "d1");
  CheckLength(env, d1, d0.length, "d1");
  if (d0.length % kBits != 0) Fail(env, "`d0` length must be a multiple of 64");
  const uint32_t p = static_cast<uint32_t>(GetInt(info, 2, "modulus", 3, 255));
  bool async = GetBool(info, 3, "async");
  const int64_t n = static_cast<int64_t>(d0.length / kBits);
  Arr outArr = OutArr(info, 4, false, static_cast<size_t>(n));
  uint8_t* o = outArr.b();
  Napi::Value out = outArr.value;
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

// bitDecomposeSub(x, s, modulus, async, out?) -> Uint8Array [n, 64]: (bit_i(x) − s_i) mod m, the second
// share of x's bits when s is the first (server2 dealing bit shares: BitDecompose and Sub in one
// pass, one output).
Napi::Value BitDecomposeSub(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Arr x = GetU64(info, 0, "x"), s = GetU8(info, 1, "s");
  CheckLength(env, s, x.length * kBits, "s");
  const uint32_t m = static_cast<uint32_t>(GetInt(info, 2, "modulus", 2, 256));
  bool async = GetBool(info, 3, "async");
  const int64_t n = static_cast<int64_t>(x.length);
  Arr outArr = OutArr(info, 4, false, x.length * kBits);
  uint8_t* o = outArr.b();
  Napi::Value out = outArr.value;
  const uint64_t* xv = x.u();
  const uint8_t* sv = s.b();
  return RunWork(env, async && n >= kAsyncMin, {x.value, s.value}, out, [=] {
    ParallelRange(n, kGrain * 4, [&](int64_t lo, int64_t hi) {
#if TFE_SNN_AVX512
      // bit_i − s_i mod m bytewise: the bits as 0/1 bytes from the value as a 64-lane mask, and
      // m added (mod 256) where the subtraction borrowed.
      const __m512i ones = _mm512_set1_epi8(1), mv = _mm512_set1_epi8(char(m & 0xFF));
      for (int64_t e = lo; e < hi; e++) {
        const __m512i bits = _mm512_and_si512(_mm512_movm_epi8(static_cast<__mmask64>(xv[e])), ones);
        const __m512i se = _mm512_loadu_si512(sv + e * kBits);
        const __m512i t = _mm512_sub_epi8(bits, se);
        _mm512_storeu_si512(o + e * kBits, _mm512_mask_add_epi8(t, _mm512_cmplt_epu8_mask(bits, se), t, mv));
      }
#else
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
#endif
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
