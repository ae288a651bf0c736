// The X25519 Montgomery ladder for eight points under one scalar at once, on AVX-512 IFMA
// (vpmadd52luq / vpmadd52huq: eight 52 × 52-bit products per instruction, low or high half).
// Only where the compiler targets IFMA (-march=native on a CPU that has it); x25519.cc runs the
// portable ladder otherwise.
//
// Field GF(2^255 − 19) in radix 2^52: five limbs per element, each limb a 512-bit vector that
// holds that limb of eight elements (lane j: point j). IFMA reads only the low 52 bits of its
// inputs, so every operand of a multiplication is normalized first ({@link Norm}): limbs 0–3
// below 2^52, limb 4 below 2^48, the value below 2^256 (congruent mod p, not reduced).
//
// Products: the 25 partial products give ten columns of at most ten 52-bit halves (< 2^56).
// Columns 5–9 weigh 2^260 · 2^(52(k − 5)) and 2^260 ≡ 32 · 19 = 608 (mod p): they are carried
// into 52-bit limbs h0..h5 (h5 < 2^5), and 608 · h_m is added to column m (< 2^62; h5 goes in
// as 608² · h5 at column 0). Then the five columns are normalized.
//
// The eight ladders share the scalar, so the conditional swaps are the same in every lane: a
// mask from the scalar bit, no branch and no memory access that depends on it.
#pragma once

#if defined(__AVX512IFMA__) && defined(__AVX512F__)
#define TFE_X25519_IFMA 1
#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace tfe {
namespace ifma {

using V = __m512i;
struct Fv { V l[5]; };

inline V Set(uint64_t x) { return _mm512_set1_epi64(static_cast<long long>(x)); }

// Zeroes memory that held secret-dependent values; volatile, so not dropped as a dead store.
inline void WipeSecret(void* p, size_t n) {
  volatile uint8_t* v = static_cast<volatile uint8_t*>(p);
  for (size_t i = 0; i < n; i++) v[i] = 0;
}
inline V Add(V a, V b) { return _mm512_add_epi64(a, b); }
inline V Shr(V a, int n) { return _mm512_srli_epi64(a, n); }
inline V And(V a, V b) { return _mm512_and_si512(a, b); }

// Limbs of any non-negative sizes below 2^62 to the normalized form (see the file comment): the
// bits of limb 4 from 2^47 up weigh 2^255 ≡ 19 and go to limb 0 first, then one carry chain.
inline Fv Norm(Fv a) {
  const V m52 = Set((uint64_t(1) << 52) - 1), m47 = Set((uint64_t(1) << 47) - 1);
  V c = Shr(a.l[4], 47);
  a.l[4] = And(a.l[4], m47);
  a.l[0] = Add(a.l[0], Add(_mm512_slli_epi64(c, 4), Add(_mm512_slli_epi64(c, 1), c)));  // 19 c
  for (int i = 0; i < 4; i++) {
    c = Shr(a.l[i], 52);
    a.l[i] = And(a.l[i], m52);
    a.l[i + 1] = Add(a.l[i + 1], c);
  }
  return a;
}

inline Fv FAdd(const Fv& a, const Fv& b) {
  Fv h;
  for (int i = 0; i < 5; i++) h.l[i] = Add(a.l[i], b.l[i]);
  return Norm(h);
}

// a − b + 16p, limb by limb: 16p's limbs (2^53 − 304, 2^53 − 2 three times, 2^51 − 2) exceed a
// normalized b's, so no limb goes negative.
inline Fv FSub(const Fv& a, const Fv& b) {
  static const uint64_t k16p[5] = {(uint64_t(1) << 53) - 304, (uint64_t(1) << 53) - 2, (uint64_t(1) << 53) - 2,
                                   (uint64_t(1) << 53) - 2, (uint64_t(1) << 51) - 2};
  Fv h;
  for (int i = 0; i < 5; i++) h.l[i] = _mm512_sub_epi64(Add(a.l[i], Set(k16p[i])), b.l[i]);
  return Norm(h);
}

// 608 · x, by shifts (608 = 512 + 64 + 32).
inline V Times608(V x) {
  return Add(_mm512_slli_epi64(x, 9), Add(_mm512_slli_epi64(x, 6), _mm512_slli_epi64(x, 5)));
}

// Columns c[0..9] (each below 2^57) to a normalized element (see the file comment).
inline Fv Reduce(V c[10]) {
  const V m52 = Set((uint64_t(1) << 52) - 1);
  V h[6];
  V carry = _mm512_setzero_si512();
  for (int m = 0; m < 5; m++) {
    const V t = Add(c[5 + m], carry);
    h[m] = And(t, m52);
    carry = Shr(t, 52);
  }
  h[5] = carry;  // < 2^6
  Fv r;
  for (int m = 0; m < 5; m++) r.l[m] = Add(c[m], Times608(h[m]));
  r.l[0] = Add(r.l[0], Times608(Times608(h[5])));
  return Norm(r);
}

inline Fv FMul(const Fv& a, const Fv& b) {
  V c[10];
  for (int k = 0; k < 10; k++) c[k] = _mm512_setzero_si512();
  for (int i = 0; i < 5; i++) {
    for (int j = 0; j < 5; j++) {
      c[i + j] = _mm512_madd52lo_epu64(c[i + j], a.l[i], b.l[j]);
      c[i + j + 1] = _mm512_madd52hi_epu64(c[i + j + 1], a.l[i], b.l[j]);
    }
  }
  return Reduce(c);
}

// a · k for a constant k < 2^52.
inline Fv FMulSmall(const Fv& a, uint64_t k) {
  const V kv = Set(k);
  V c[10];
  for (int m = 0; m < 10; m++) c[m] = _mm512_setzero_si512();
  for (int i = 0; i < 5; i++) {
    c[i] = _mm512_madd52lo_epu64(c[i], a.l[i], kv);
    c[i + 1] = _mm512_madd52hi_epu64(c[i + 1], a.l[i], kv);
  }
  return Reduce(c);
}

inline void CSwap(V mask, Fv& a, Fv& b) {
  for (int i = 0; i < 5; i++) {
    const V t = And(mask, _mm512_xor_si512(a.l[i], b.l[i]));
    a.l[i] = _mm512_xor_si512(a.l[i], t);
    b.l[i] = _mm512_xor_si512(b.l[i], t);
  }
}

// Lane j's value as four little-endian 64-bit words (value < 2^256, not reduced mod p).
inline void ToWords(const Fv& a, uint64_t out[8][4]) {
  alignas(64) uint64_t l[5][8];
  for (int i = 0; i < 5; i++) _mm512_store_si512(reinterpret_cast<void*>(l[i]), a.l[i]);
  for (int j = 0; j < 8; j++) {
    out[j][0] = l[0][j] | (l[1][j] << 52);
    out[j][1] = (l[1][j] >> 12) | (l[2][j] << 40);
    out[j][2] = (l[2][j] >> 24) | (l[3][j] << 28);
    out[j][3] = (l[3][j] >> 36) | (l[4][j] << 16);
  }
  WipeSecret(l, sizeof l);
}

// The ladder of RFC 7748 §5 for points[0..8) (32 bytes each, the top bit masked as
// decodeUCoordinate does) under the clamped scalar k: x2 and z2 of every lane as words.
inline void Ladder8(const uint8_t k[32], const uint8_t* points, uint64_t x2out[8][4], uint64_t z2out[8][4]) {
  alignas(64) uint64_t l[5][8];
  const uint64_t m52 = (uint64_t(1) << 52) - 1;
  for (int j = 0; j < 8; j++) {
    uint64_t w[4];
    std::memcpy(w, points + 32 * j, 32);
    w[3] &= ~(uint64_t(1) << 63);
    l[0][j] = w[0] & m52;
    l[1][j] = ((w[0] >> 52) | (w[1] << 12)) & m52;
    l[2][j] = ((w[1] >> 40) | (w[2] << 24)) & m52;
    l[3][j] = ((w[2] >> 28) | (w[3] << 36)) & m52;
    l[4][j] = w[3] >> 16;
  }
  Fv x1;
  for (int i = 0; i < 5; i++) x1.l[i] = _mm512_load_si512(reinterpret_cast<const void*>(l[i]));
  const V zero = _mm512_setzero_si512();
  Fv x2 = {{Set(1), zero, zero, zero, zero}}, z2 = {{zero, zero, zero, zero, zero}};
  Fv x3 = x1, z3 = {{Set(1), zero, zero, zero, zero}};
  uint64_t swap = 0;
  for (int t = 254; t >= 0; t--) {
    const uint64_t kt = (k[t >> 3] >> (t & 7)) & 1;
    swap ^= kt;
    const V mask = Set(uint64_t(0) - swap);
    CSwap(mask, x2, x3);
    CSwap(mask, z2, z3);
    swap = kt;
    const Fv a = FAdd(x2, z2), aa = FMul(a, a), b = FSub(x2, z2), bb = FMul(b, b), e = FSub(aa, bb);
    const Fv c = FAdd(x3, z3), d = FSub(x3, z3), da = FMul(d, a), cb = FMul(c, b);
    const Fv s = FAdd(da, cb), df = FSub(da, cb);
    x3 = FMul(s, s);
    z3 = FMul(x1, FMul(df, df));
    x2 = FMul(aa, bb);
    z2 = FMul(e, FAdd(aa, FMulSmall(e, 121665)));
  }
  const V mask = Set(uint64_t(0) - swap);
  CSwap(mask, x2, x3);
  CSwap(mask, z2, z3);
  ToWords(x2, x2out);
  ToWords(z2, z2out);
  // the ladder's state, which depends on the scalar (the caller wipes the words)
  WipeSecret(&x2, sizeof x2);
  WipeSecret(&z2, sizeof z2);
  WipeSecret(&x3, sizeof x3);
  WipeSecret(&z3, sizeof z3);
  WipeSecret(&swap, sizeof swap);
}

}  // namespace ifma
}  // namespace tfe
#endif
