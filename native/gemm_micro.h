// The GEMM micro-kernel: an MR x NR tile of C from split-packed panels of A and B.
#pragma once
#include <cstdint>

#include "gemm_impl.h"

#if defined(__AVX512F__) && defined(__AVX512IFMA__)
#include <immintrin.h>
#define TFE_GEMM_IFMA 1
#endif

namespace tfe {

// Products mod 2^64 from 52-bit multiplies (vpmadd52lo/hi). Split x = x0 + x1·2^52 with
// x0 < 2^52, x1 < 2^12. Then a·b ≡ a0·b0 + (a0·b1 + a1·b0)·2^52 (mod 2^64), and only the
// low 12 bits of the cross term matter, so a0, b0 may be cut to 12 bits (a0l, b0l) there.
// With a' = a0l + a1·2^40 and b' = b0l + b1·2^40 the product a'·b' holds a0l·b0l (< 2^24)
// below bit 40 and the cross term a0l·b1 + a1·b0l from bit 40 on, so per k:
//   L += lo52(a0·b0),  H += hi52(a0·b0),  X += lo52(a'·b')
// and C = L + ((H + (X >> 40)) << 52), exact while the sum of the a0l·b0l stays below 2^40
// (any kc < 2^16). Packed panels hold [x0 for the MR (NR) lanes][x' for them] per k.

// c[MR x NR] (+)= sum over k of a[k] * b[k], panels in the split layout above.
#if TFE_GEMM_IFMA
template <bool kAccumulate>
inline void Micro(int64_t kc, const uint64_t* a, const uint64_t* b, uint64_t* c, int64_t ldc) {
  __m512i L[kMR][2], H[kMR][2], X[kMR][2];
#pragma GCC unroll 4
  for (int r = 0; r < kMR; r++) {
    _mm_prefetch(reinterpret_cast<const char*>(c + r * ldc), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(c + r * ldc + 8), _MM_HINT_T0);
    L[r][0] = L[r][1] = H[r][0] = H[r][1] = X[r][0] = X[r][1] = _mm512_setzero_si512();
  }
  for (int64_t k = 0; k < kc; k++) {
    const uint64_t* bk = b + k * 2 * kNR;
    const uint64_t* ak = a + k * 2 * kMR;
    __m512i b0 = _mm512_load_si512(bk), b1 = _mm512_load_si512(bk + 8);
    __m512i x0 = _mm512_load_si512(bk + kNR), x1 = _mm512_load_si512(bk + kNR + 8);
#pragma GCC unroll 4
    for (int r = 0; r < kMR; r++) {
      __m512i a0 = _mm512_set1_epi64(static_cast<long long>(ak[r]));
      __m512i ax = _mm512_set1_epi64(static_cast<long long>(ak[kMR + r]));
      L[r][0] = _mm512_madd52lo_epu64(L[r][0], a0, b0);
      L[r][1] = _mm512_madd52lo_epu64(L[r][1], a0, b1);
      H[r][0] = _mm512_madd52hi_epu64(H[r][0], a0, b0);
      H[r][1] = _mm512_madd52hi_epu64(H[r][1], a0, b1);
      X[r][0] = _mm512_madd52lo_epu64(X[r][0], ax, x0);
      X[r][1] = _mm512_madd52lo_epu64(X[r][1], ax, x1);
    }
  }
#pragma GCC unroll 4
  for (int r = 0; r < kMR; r++) {
    uint64_t* row = c + r * ldc;
    for (int v = 0; v < 2; v++) {
      __m512i hi = _mm512_add_epi64(H[r][v], _mm512_srli_epi64(X[r][v], 40));
      __m512i res = _mm512_add_epi64(L[r][v], _mm512_slli_epi64(hi, 52));
      if (kAccumulate) res = _mm512_add_epi64(res, _mm512_loadu_si512(row + 8 * v));
      _mm512_storeu_si512(row + 8 * v, res);
    }
  }
}
#else
// Portable form: rebuild each value from its split (x = x0 | (x' >> 40) << 52) and multiply.
template <bool kAccumulate>
inline void Micro(int64_t kc, const uint64_t* a, const uint64_t* b, uint64_t* c, int64_t ldc) {
  uint64_t acc[kMR][kNR] = {};
  for (int64_t k = 0; k < kc; k++) {
    const uint64_t* bk = b + k * 2 * kNR;
    const uint64_t* ak = a + k * 2 * kMR;
    for (int r = 0; r < kMR; r++) {
      uint64_t av = ak[r] | ((ak[kMR + r] >> 40) << 52);
      for (int j = 0; j < kNR; j++) acc[r][j] += av * (bk[j] | ((bk[kNR + j] >> 40) << 52));
    }
  }
  for (int r = 0; r < kMR; r++) {
    for (int j = 0; j < kNR; j++) c[r * ldc + j] = (kAccumulate ? c[r * ldc + j] : 0) + acc[r][j];
  }
}
#endif

}  // namespace tfe
