// The bit gather behind the bit-packed prefix trees (BitUnzipPack and Pond's tree levels).
#pragma once
#include <cstdint>
#if defined(__BMI2__)
#include <immintrin.h>
#endif

namespace tfe {

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

// Word j of one unzip level of the n words a: the even (shift 0) or odd (shift 1) bits of
// a[2j] in bits 0..31 and of a[2j + 1] (0 past the end) in bits 32..63.
inline uint64_t UnzipPair(const uint64_t* a, int64_t n, int64_t j, int shift) {
  const uint64_t w0 = a[2 * j] >> shift;
  const uint64_t w1 = 2 * j + 1 < n ? a[2 * j + 1] >> shift : 0;
  return EvenBits(w0) | (EvenBits(w1) << 32);
}

}  // namespace tfe
