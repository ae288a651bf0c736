// X25519 (RFC 7748 §5) for many u-coordinates under one scalar: ECDH-PSI's blinding
// (src/data/psi.ts). node:crypto needs a KeyObject per peer element, whose creation costs
// over twice the scalar multiplication itself; here an element is 32 bytes in, 32 out.
//
// Field GF(2^255 − 19) in radix 2^51 (five 64-bit limbs, 128-bit products); the Montgomery
// ladder of RFC 7748 §5 with a conditional swap by masks: no branch and no memory access
// depends on the scalar. Inversion by Fermat, z^(p−2), with the usual chain of 254 squarings
// and 11 multiplications, once per batch of points run in lockstep (ScalarMultN). Limbs stay
// below 2^54 between operations, so every sum of products in a multiplication fits in 128 bits.
//
// Where the compiler targets AVX-512 IFMA, the ladders of a batch of eight run in the vector
// lanes instead (x25519_ifma.h, radix 2^52); the inversion and the encoding stay here. Per
// point with two threads on the 2-core bench machine: 24 µs one ladder at a time, 21–23 µs
// with four in lockstep and a shared inversion, 4.4 µs with IFMA.
#include <cstdint>
#include <cstring>
#include <memory>

#include "napi_util.h"
#include "thread_pool.h"
#include "x25519_ifma.h"

namespace tfe {
namespace {

using u64 = uint64_t;
using u128 = unsigned __int128;
constexpr u64 kMask51 = (u64(1) << 51) - 1;

struct Fe {
  u64 v[5];
};

inline Fe FeZero() { return {{0, 0, 0, 0, 0}}; }
inline Fe FeOne() { return {{1, 0, 0, 0, 0}}; }

// One carry round: every limb below 2^51, limb 0 up to 19 · (limb 4's carry) over.
inline void CarryOnce(Fe& h) {
  u64 c;
  c = h.v[0] >> 51; h.v[0] &= kMask51; h.v[1] += c;
  c = h.v[1] >> 51; h.v[1] &= kMask51; h.v[2] += c;
  c = h.v[2] >> 51; h.v[2] &= kMask51; h.v[3] += c;
  c = h.v[3] >> 51; h.v[3] &= kMask51; h.v[4] += c;
  c = h.v[4] >> 51; h.v[4] &= kMask51; h.v[0] += c * 19;
}

inline void Carry(Fe& h) {
  CarryOnce(h);
  CarryOnce(h);
}

inline Fe Add(const Fe& a, const Fe& b) {
  Fe h;
  for (int i = 0; i < 5; i++) h.v[i] = a.v[i] + b.v[i];
  return h;
}

// a − b + 4p (4p in limbs: 2^53 − 76, then 2^53 − 4), so no limb goes negative for b < 2^53.
inline Fe Sub(const Fe& a, const Fe& b) {
  Fe h;
  h.v[0] = a.v[0] + ((u64(1) << 53) - 76) - b.v[0];
  for (int i = 1; i < 5; i++) h.v[i] = a.v[i] + ((u64(1) << 53) - 4) - b.v[i];
  CarryOnce(h);  // limbs below 2^51 + 2^8
  return h;
}

// The carry chain after a multiplication: five 128-bit column sums to limbs below 2^51 (limb 1
// may end a few bits over).
inline Fe Reduce(u128 r0, u128 r1, u128 r2, u128 r3, u128 r4) {
  r1 += (u64)(r0 >> 51);
  r2 += (u64)(r1 >> 51);
  r3 += (u64)(r2 >> 51);
  r4 += (u64)(r3 >> 51);
  Fe h;
  h.v[0] = ((u64)r0 & kMask51) + (u64)(r4 >> 51) * 19;
  h.v[1] = ((u64)r1 & kMask51) + (h.v[0] >> 51);
  h.v[0] &= kMask51;
  h.v[2] = (u64)r2 & kMask51;
  h.v[3] = (u64)r3 & kMask51;
  h.v[4] = (u64)r4 & kMask51;
  return h;
}

inline Fe Mul(const Fe& a, const Fe& b) {
  const u64 a0 = a.v[0], a1 = a.v[1], a2 = a.v[2], a3 = a.v[3], a4 = a.v[4];
  const u64 b0 = b.v[0], b1 = b.v[1], b2 = b.v[2], b3 = b.v[3], b4 = b.v[4];
  const u64 b1_19 = b1 * 19, b2_19 = b2 * 19, b3_19 = b3 * 19, b4_19 = b4 * 19;
  u128 r0 = (u128)a0 * b0 + (u128)a1 * b4_19 + (u128)a2 * b3_19 + (u128)a3 * b2_19 + (u128)a4 * b1_19;
  u128 r1 = (u128)a0 * b1 + (u128)a1 * b0 + (u128)a2 * b4_19 + (u128)a3 * b3_19 + (u128)a4 * b2_19;
  u128 r2 = (u128)a0 * b2 + (u128)a1 * b1 + (u128)a2 * b0 + (u128)a3 * b4_19 + (u128)a4 * b3_19;
  u128 r3 = (u128)a0 * b3 + (u128)a1 * b2 + (u128)a2 * b1 + (u128)a3 * b0 + (u128)a4 * b4_19;
  u128 r4 = (u128)a0 * b4 + (u128)a1 * b3 + (u128)a2 * b2 + (u128)a3 * b1 + (u128)a4 * b0;
  return Reduce(r0, r1, r2, r3, r4);
}

// a² with the cross terms doubled: 15 products instead of 25.
inline Fe Sq(const Fe& a) {
  const u64 a0 = a.v[0], a1 = a.v[1], a2 = a.v[2], a3 = a.v[3], a4 = a.v[4];
  const u64 d0 = 2 * a0, d1 = 2 * a1, d2 = 2 * a2, d3 = 2 * a3;
  const u64 a3_19 = 19 * a3, a4_19 = 19 * a4;
  return Reduce((u128)a0 * a0 + (u128)d1 * a4_19 + (u128)d2 * a3_19,
                (u128)d0 * a1 + (u128)d2 * a4_19 + (u128)a3 * a3_19,
                (u128)d0 * a2 + (u128)a1 * a1 + (u128)d3 * a4_19,
                (u128)d0 * a3 + (u128)d1 * a2 + (u128)a4 * a4_19,
                (u128)d0 * a4 + (u128)d1 * a3 + (u128)a2 * a2);
}

inline Fe SqTimes(Fe a, int n) {
  for (int i = 0; i < n; i++) a = Sq(a);
  return a;
}

inline Fe MulSmall(const Fe& a, u64 k) {
  u128 r[5];
  for (int i = 0; i < 5; i++) r[i] = (u128)a.v[i] * k;
  for (int i = 0; i < 4; i++) {
    r[i + 1] += (u64)(r[i] >> 51);
    r[i] = (u64)r[i] & kMask51;
  }
  Fe h;
  for (int i = 0; i < 5; i++) h.v[i] = (u64)r[i] & kMask51;
  h.v[0] += (u64)(r[4] >> 51) * 19;
  Carry(h);
  return h;
}

// z^(p − 2) = z^(2^255 − 21).
Fe Invert(const Fe& z) {
  Fe z2 = Sq(z);                               // 2
  Fe z9 = Mul(SqTimes(z2, 2), z);              // 9
  Fe z11 = Mul(z9, z2);                        // 11
  Fe z2_5_0 = Mul(Sq(z11), z9);                // 2^5 − 1
  Fe z2_10_0 = Mul(SqTimes(z2_5_0, 5), z2_5_0);
  Fe z2_20_0 = Mul(SqTimes(z2_10_0, 10), z2_10_0);
  Fe z2_40_0 = Mul(SqTimes(z2_20_0, 20), z2_20_0);
  Fe z2_50_0 = Mul(SqTimes(z2_40_0, 10), z2_10_0);
  Fe z2_100_0 = Mul(SqTimes(z2_50_0, 50), z2_50_0);
  Fe z2_200_0 = Mul(SqTimes(z2_100_0, 100), z2_100_0);
  Fe z2_250_0 = Mul(SqTimes(z2_200_0, 50), z2_50_0);
  return Mul(SqTimes(z2_250_0, 5), z11);       // 2^255 − 32 + 11
}

inline u64 Load64(const uint8_t* p) {
  u64 x;
  std::memcpy(&x, p, 8);  // little-endian hosts (x86-64, arm64)
  return x;
}

// RFC 7748 decodeUCoordinate: the top bit of the last byte is masked; values ≥ p are taken mod p.
Fe FromBytes(const uint8_t* s) {
  const u64 w0 = Load64(s), w1 = Load64(s + 8), w2 = Load64(s + 16), w3 = Load64(s + 24) & ~(u64(1) << 63);
  Fe h;
  h.v[0] = w0 & kMask51;
  h.v[1] = ((w0 >> 51) | (w1 << 13)) & kMask51;
  h.v[2] = ((w1 >> 38) | (w2 << 26)) & kMask51;
  h.v[3] = ((w2 >> 25) | (w3 << 39)) & kMask51;
  h.v[4] = (w3 >> 12) & kMask51;
  return h;
}

// The canonical 32-byte encoding (fully reduced mod p).
void ToBytes(uint8_t* out, Fe h) {
  Carry(h);
  // h < 2^255 + small; subtract p when h ≥ p: h + 19 carries out of bit 255 exactly then.
  u64 q = (h.v[0] + 19) >> 51;
  q = (h.v[1] + q) >> 51;
  q = (h.v[2] + q) >> 51;
  q = (h.v[3] + q) >> 51;
  q = (h.v[4] + q) >> 51;
  h.v[0] += 19 * q;
  u64 c;
  c = h.v[0] >> 51; h.v[0] &= kMask51; h.v[1] += c;
  c = h.v[1] >> 51; h.v[1] &= kMask51; h.v[2] += c;
  c = h.v[2] >> 51; h.v[2] &= kMask51; h.v[3] += c;
  c = h.v[3] >> 51; h.v[3] &= kMask51; h.v[4] += c;
  h.v[4] &= kMask51;
  const u64 w0 = h.v[0] | (h.v[1] << 51);
  const u64 w1 = (h.v[1] >> 13) | (h.v[2] << 38);
  const u64 w2 = (h.v[2] >> 26) | (h.v[3] << 25);
  const u64 w3 = (h.v[3] >> 39) | (h.v[4] << 12);
  std::memcpy(out, &w0, 8);
  std::memcpy(out + 8, &w1, 8);
  std::memcpy(out + 16, &w2, 8);
  std::memcpy(out + 24, &w3, 8);
}

// Zeroes secret bytes in a way the compiler may not drop as a dead store.
void Wipe(void* p, size_t n) {
  volatile uint8_t* v = static_cast<volatile uint8_t*>(p);
  for (size_t i = 0; i < n; i++) v[i] = 0;
}

inline void CSwap(u64 swap, Fe& a, Fe& b) {
  const u64 mask = u64(0) - swap;
  for (int i = 0; i < 5; i++) {
    const u64 t = mask & (a.v[i] ^ b.v[i]);
    a.v[i] ^= t;
    b.v[i] ^= t;
  }
}

// A scalar that wipes itself.
struct SecretKey {
  uint8_t bytes[32];
  ~SecretKey() { Wipe(bytes, sizeof bytes); }
};

// The ladder of RFC 7748 §5 for N points u_j under one clamped scalar k: x2 and z2 of each.
// The N ladders share k, so they take the same swaps and run in lockstep: their independent
// multiplications fill the multiplier's pipeline, where one ladder waits on each product.
template <int N>
void LadderN(const uint8_t k[32], const uint8_t* points, Fe x2[N], Fe z2[N]) {
  Fe x1[N], x3[N], z3[N];
  for (int j = 0; j < N; j++) {
    x1[j] = FromBytes(points + 32 * j);
    x2[j] = FeOne(), z2[j] = FeZero(), x3[j] = x1[j], z3[j] = FeOne();
  }
  u64 swap = 0;
  for (int t = 254; t >= 0; t--) {
    const u64 kt = (k[t >> 3] >> (t & 7)) & 1;
    swap ^= kt;
    for (int j = 0; j < N; j++) {
      CSwap(swap, x2[j], x3[j]);
      CSwap(swap, z2[j], z3[j]);
    }
    swap = kt;
    for (int j = 0; j < N; j++) {
      const Fe a = Add(x2[j], z2[j]), aa = Sq(a), b = Sub(x2[j], z2[j]), bb = Sq(b), e = Sub(aa, bb);
      const Fe c = Add(x3[j], z3[j]), d = Sub(x3[j], z3[j]), da = Mul(d, a), cb = Mul(c, b);
      x3[j] = Sq(Add(da, cb));
      z3[j] = Mul(x1[j], Sq(Sub(da, cb)));
      x2[j] = Mul(aa, bb);
      z2[j] = Mul(e, Add(aa, MulSmall(e, 121665)));
    }
  }
  for (int j = 0; j < N; j++) {
    CSwap(swap, x2[j], x3[j]);
    CSwap(swap, z2[j], z3[j]);
  }
  Wipe(&swap, sizeof swap);
  Wipe(x3, sizeof x3);
  Wipe(z3, sizeof z3);
}

// A value below 2^256 given as four little-endian words, in radix 2^51 (limb 4 below 2^52).
inline Fe FromWords(const u64 w[4]) {
  Fe h;
  h.v[0] = w[0] & kMask51;
  h.v[1] = ((w[0] >> 51) | (w[1] << 13)) & kMask51;
  h.v[2] = ((w[1] >> 38) | (w[2] << 26)) & kMask51;
  h.v[3] = ((w[2] >> 25) | (w[3] << 39)) & kMask51;
  h.v[4] = w[3] >> 12;
  return h;
}

// X25519(k, u_j) for N points under one scalar: the ladders (eight at once on AVX-512 IFMA,
// x25519_ifma.h; else the portable lockstep ladder), then x2 / z2 with one inversion for all N
// (Montgomery's trick: 3(N − 1) multiplications instead of N − 1 inversions). A zero z2 (a
// low-order point) zeroes the shared product, so every result of the batch is then 0: the
// caller redoes such a batch one point at a time.
template <int N>
void ScalarMultN(uint8_t* out, const uint8_t* scalar, const uint8_t* points) {
  uint8_t k[32];
  std::memcpy(k, scalar, 32);
  k[0] &= 248;
  k[31] &= 127;
  k[31] |= 64;
  Fe x2[N], z2[N];
#if defined(TFE_X25519_IFMA)
  if constexpr (N == 8) {
    u64 xw[8][4], zw[8][4];
    ifma::Ladder8(k, points, xw, zw);
    for (int j = 0; j < N; j++) x2[j] = FromWords(xw[j]), z2[j] = FromWords(zw[j]);
    Wipe(xw, sizeof xw);
    Wipe(zw, sizeof zw);
  } else {
    LadderN<N>(k, points, x2, z2);
  }
#else
  LadderN<N>(k, points, x2, z2);
#endif
  // prefix[j] = z2[0]···z2[j]; one inversion of the whole product, then back down the chain.
  Fe prefix[N];
  prefix[0] = z2[0];
  for (int j = 1; j < N; j++) prefix[j] = Mul(prefix[j - 1], z2[j]);
  Fe inv = Invert(prefix[N - 1]);
  for (int j = N - 1; j >= 0; j--) {
    const Fe zinv = j > 0 ? Mul(inv, prefix[j - 1]) : inv;
    if (j > 0) inv = Mul(inv, z2[j]);
    ToBytes(out + 32 * j, Mul(x2[j], zinv));
  }
  Wipe(k, sizeof k);
  Wipe(x2, sizeof x2);
  Wipe(z2, sizeof z2);
  Wipe(prefix, sizeof prefix);
  Wipe(&inv, sizeof inv);
}

// X25519(k, u) for one point.
void ScalarMult(uint8_t* out, const uint8_t* scalar, const uint8_t* point) { ScalarMultN<1>(out, scalar, point); }

// Points per lockstep batch: eight IFMA lanes, or four portable ladders.
#if defined(TFE_X25519_IFMA)
constexpr int kLanes = 8;
#else
constexpr int kLanes = 4;
#endif

// X25519(k, u_i) for points [b, e): batches of kLanes, then one at a time. A batch whose
// results are all zero held a low-order point (its z2 zeroed the shared inversion): it is
// redone point by point, so the others keep their own results.
void ScalarMultRange(uint8_t* out, const uint8_t* scalar, const uint8_t* in, int64_t b, int64_t e) {
  int64_t i = b;
  for (; i + kLanes <= e; i += kLanes) {
    ScalarMultN<kLanes>(out + 32 * i, scalar, in + 32 * i);
    bool anyZero = false;
    for (int j = 0; j < kLanes && !anyZero; j++) {
      uint8_t acc = 0;
      for (int q = 0; q < 32; q++) acc |= out[32 * (i + j) + q];
      anyZero = acc == 0;
    }
    if (anyZero) for (int j = 0; j < kLanes; j++) ScalarMult(out + 32 * (i + j), scalar, in + 32 * (i + j));
  }
  for (; i < e; i++) ScalarMult(out + 32 * i, scalar, in + 32 * i);
}

// x25519(scalar: Uint8Array(32), points: Uint8Array(32·n), async): Uint8Array(32·n) of X25519(scalar, point)
Napi::Value X25519(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Arr scalar = GetU8(info, 0, "scalar");
  CheckLength(env, scalar, 32, "scalar");
  Arr points = GetU8(info, 1, "points");
  if (points.length % 32 != 0) Fail(env, "`points` must hold 32-byte u-coordinates");
  const bool async = GetBool(info, 2, "async");
  const size_t n = points.length / 32;
  Arr out = NewArr(env, false, points.length, false);
  // The job holds its own copy of the scalar (the caller may wipe its array meanwhile), wiped
  // when the job is destroyed.
  auto key = std::make_shared<SecretKey>();
  std::memcpy(key->bytes, scalar.b(), 32);
  const uint8_t* in = points.b();
  uint8_t* o = out.b();
  return RunWork(env, async && n >= 64, {scalar.value, points.value}, out.value, [key, in, o, n] {
    ParallelRange(static_cast<int64_t>(n), 64, [&](int64_t b, int64_t e) {
      ScalarMultRange(o, key->bytes, in, b, e);
    });
  });
}

}  // namespace

void InitX25519(Napi::Env env, Napi::Object exports) {
  exports.Set("x25519", Napi::Function::New(env, X25519));
}

}  // namespace tfe
