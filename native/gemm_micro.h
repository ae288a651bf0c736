// The GEMM micro-kernel: an MR x NR tile of C from split-packed panels of A and B.
#pragma once
#include <cstdint>

#include "gemm_impl.h"

#if defined(__AVX512F__) && defined(__AVX512IFMA__) && defined(__AVX512VNNI__)
#include <immintrin.h>
#define TFE_GEMM_IFMA 1
#endif

namespace tfe {

// Products mod 2^64 from 52-bit multiplies (vpmadd52lo/hi) and one 16-bit dot product. Split
// x = x0 + x1·2^52 with x0 < 2^52, x1 < 2^12. Then a·b ≡ a0·b0 + (a0·b1 + a1·b0)·2^52
// (mod 2^64), and only the low 12 bits of the cross term matter, so a0, b0 may be cut to 12
// bits there (a0l, b0l). Per k:
//   L += lo52(a0·b0),  H += hi52(a0·b0)                      (two IFMA per 8 lanes)
//   X += a0l·b1 + a1·b0l                                      (one vpdpwssd per 16 lanes)
// with A's pair (a0l, a1) and B's pair (b1, b0l) as the two int16 halves of a u32 lane
// (all below 2^12, so non-negative as int16). Then C = L + ((H + X) << 52): X may wrap mod
// 2^32 and H, L mod 2^64, since only the low 12 bits of H + X survive the shift. No bound on K.
// Packed panels hold, per k, [x0 for the MR (NR) lanes][the u32 pairs] (gemm_impl.h).

// c[MR x NR] (+)= sum over k of a[k] * b[k], panels in the split layout above.
#if TFE_GEMM_IFMA
template <bool kAccumulate>
inline void Micro(int64_t kc, const uint64_t* a, const uint64_t* b, uint64_t* c, int64_t ldc) {
  __m512i L[kMR][2], H[kMR][2], X[kMR];
#pragma GCC unroll 4
  for (int r = 0; r < kMR; r++) {
    _mm_prefetch(reinterpret_cast<const char*>(c + r * ldc), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(c + r * ldc + 8), _MM_HINT_T0);
    L[r][0] = L[r][1] = H[r][0] = H[r][1] = X[r] = _mm512_setzero_si512();
  }
  for (int64_t k = 0; k < kc; k++) {
    const uint64_t* bk = b + k * kBStride;
    const uint64_t* ak = a + k * kAStride;
    const uint32_t* apair = reinterpret_cast<const uint32_t*>(ak + kMR);
    __m512i b0 = _mm512_load_si512(bk), b1 = _mm512_load_si512(bk + 8);
    __m512i bp = _mm512_load_si512(bk + kNR);
#pragma GCC unroll 4
    for (int r = 0; r < kMR; r++) {
      __m512i a0 = _mm512_set1_epi64(static_cast<long long>(ak[r]));
      __m512i ap = _mm512_set1_epi32(static_cast<int>(apair[r]));
      L[r][0] = _mm512_madd52lo_epu64(L[r][0], a0, b0);
      L[r][1] = _mm512_madd52lo_epu64(L[r][1], a0, b1);
      H[r][0] = _mm512_madd52hi_epu64(H[r][0], a0, b0);
      H[r][1] = _mm512_madd52hi_epu64(H[r][1], a0, b1);
      X[r] = _mm512_dpwssd_epi32(X[r], ap, bp);
    }
  }
#pragma GCC unroll 4
  for (int r = 0; r < kMR; r++) {
    uint64_t* row = c + r * ldc;
    for (int v = 0; v < 2; v++) {
      __m512i x = _mm512_cvtepu32_epi64(v == 0 ? _mm512_castsi512_si256(X[r]) : _mm512_extracti64x4_epi64(X[r], 1));
      __m512i hi = _mm512_add_epi64(H[r][v], x);
      __m512i res = _mm512_add_epi64(L[r][v], _mm512_slli_epi64(hi, 52));
      if (kAccumulate) res = _mm512_add_epi64(res, _mm512_loadu_si512(row + 8 * v));
      _mm512_storeu_si512(row + 8 * v, res);
    }
  }
}
#else
// Portable form: rebuild each value from its split (x = x0 | x1 << 52, x1 from the pair) and
// multiply.
template <bool kAccumulate>
inline void Micro(int64_t kc, const uint64_t* a, const uint64_t* b, uint64_t* c, int64_t ldc) {
  uint64_t acc[kMR][kNR] = {};
  for (int64_t k = 0; k < kc; k++) {
    const uint64_t* bk = b + k * kBStride;
    const uint64_t* ak = a + k * kAStride;
    const uint32_t* apair = reinterpret_cast<const uint32_t*>(ak + kMR);
    const uint32_t* bpair = reinterpret_cast<const uint32_t*>(bk + kNR);
    for (int r = 0; r < kMR; r++) {
      uint64_t av = ak[r] | (uint64_t(apair[r] >> 16) << 52);
      for (int j = 0; j < kNR; j++) acc[r][j] += av * (bk[j] | (uint64_t(bpair[j] & 0xffff) << 52));
    }
  }
  for (int r = 0; r < kMR; r++) {
    for (int j = 0; j < kNR; j++) c[r * ldc + j] = (kAccumulate ? c[r * ldc + j] : 0) + acc[r][j];
  }
}
#endif

}  // namespace tfe
