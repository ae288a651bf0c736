// AES-128 key schedule and the CTR keystream, 32 blocks at a time: VAES on 512-bit lanes where
// the compiler targets it, AES-NI on 128-bit lanes otherwise, portable code as a last resort.
#include "aes_impl.h"

#include <cstring>

#include "aes_soft.h"
#include "thread_pool.h"

#if defined(__AES__)
#include <immintrin.h>
#endif

namespace tfe {
namespace {

#if !defined(__AES__)
const SoftAes& Soft() {
  static const SoftAes soft;
  return soft;
}
#endif

#if defined(__AES__)
inline __m128i ExpandStep(__m128i k, __m128i assist) {
  assist = _mm_shuffle_epi32(assist, 0xff);
  k = _mm_xor_si128(k, _mm_slli_si128(k, 4));
  k = _mm_xor_si128(k, _mm_slli_si128(k, 4));
  k = _mm_xor_si128(k, _mm_slli_si128(k, 4));
  return _mm_xor_si128(k, assist);
}
#endif

// Counter block i (from the stream start) as 16 big-endian bytes.
inline void CounterBlock(uint64_t nonce, uint64_t offset, uint64_t i, uint8_t* dst) {
  uint64_t lo = offset + i;
  uint64_t hi = nonce + (lo < offset ? 1 : 0);
  uint64_t bh = __builtin_bswap64(hi), bl = __builtin_bswap64(lo);
  std::memcpy(dst, &bh, 8);
  std::memcpy(dst + 8, &bl, 8);
}

constexpr size_t kBatch = 32;  // blocks per batch

#if defined(__VAES__) && defined(__AVX512F__)
// 8 zmm registers of 4 blocks each in flight.
void EncryptBatch(const AesKey& key, const uint8_t* in, uint8_t* out) {
  constexpr size_t kLanes = kBatch / 4;
  __m512i rk[11];
  for (int r = 0; r < 11; r++) rk[r] = _mm512_broadcast_i32x4(_mm_load_si128(reinterpret_cast<const __m128i*>(key.rk[r])));
  __m512i s[kLanes];
  for (size_t l = 0; l < kLanes; l++) s[l] = _mm512_xor_si512(_mm512_loadu_si512(in + 64 * l), rk[0]);
  for (int r = 1; r < 10; r++) {
    for (size_t l = 0; l < kLanes; l++) s[l] = _mm512_aesenc_epi128(s[l], rk[r]);
  }
  for (size_t l = 0; l < kLanes; l++) _mm512_storeu_si512(out + 64 * l, _mm512_aesenclast_epi128(s[l], rk[10]));
}
#elif defined(__AES__)
// 8 xmm blocks in flight, 4 times.
void EncryptBatch(const AesKey& key, const uint8_t* in, uint8_t* out) {
  __m128i rk[11];
  for (int r = 0; r < 11; r++) rk[r] = _mm_load_si128(reinterpret_cast<const __m128i*>(key.rk[r]));
  for (size_t g = 0; g < kBatch; g += 8) {
    __m128i s[8];
    for (int l = 0; l < 8; l++) {
      s[l] = _mm_xor_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(in + 16 * (g + l))), rk[0]);
    }
    for (int r = 1; r < 10; r++) {
      for (int l = 0; l < 8; l++) s[l] = _mm_aesenc_si128(s[l], rk[r]);
    }
    for (int l = 0; l < 8; l++) {
      _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 16 * (g + l)), _mm_aesenclast_si128(s[l], rk[10]));
    }
  }
}
#else
void EncryptBatch(const AesKey& key, const uint8_t* in, uint8_t* out) {
  for (size_t i = 0; i < kBatch; i++) Soft().Encrypt(key.rk, in + 16 * i, out + 16 * i);
}
#endif

}  // namespace

AesKey AesExpand(const uint8_t key[16]) {
  AesKey out;
#if !defined(__AES__)
  Soft().Expand(key, out.rk);
  return out;
#else
  __m128i k = _mm_loadu_si128(reinterpret_cast<const __m128i*>(key));
  _mm_store_si128(reinterpret_cast<__m128i*>(out.rk[0]), k);
#define TFE_AES_STEP(i, rcon)                                  \
  k = ExpandStep(k, _mm_aeskeygenassist_si128(k, rcon));       \
  _mm_store_si128(reinterpret_cast<__m128i*>(out.rk[i]), k);
  TFE_AES_STEP(1, 0x01) TFE_AES_STEP(2, 0x02) TFE_AES_STEP(3, 0x04) TFE_AES_STEP(4, 0x08)
  TFE_AES_STEP(5, 0x10) TFE_AES_STEP(6, 0x20) TFE_AES_STEP(7, 0x40) TFE_AES_STEP(8, 0x80)
  TFE_AES_STEP(9, 0x1b) TFE_AES_STEP(10, 0x36)
#undef TFE_AES_STEP
  return out;
#endif
}

namespace {

#if defined(__VAES__) && defined(__AVX512BW__)
// Keystream blocks [0, count) with count a multiple of kBatch for the counters (hi, lo + i),
// where lo + count does not wrap: the counters are built in registers (byte-swapped to
// big-endian with one shuffle), so no counter block goes through memory.
void CtrRunNoCarry(const AesKey& key, uint64_t hi, uint64_t lo, size_t count, uint8_t* out) {
  constexpr size_t kLanes = kBatch / 4;
  __m512i rk[11];
  for (int r = 0; r < 11; r++) rk[r] = _mm512_broadcast_i32x4(_mm_load_si128(reinterpret_cast<const __m128i*>(key.rk[r])));
  // Reverses the bytes of each 64-bit half of every 128-bit lane.
  const __m512i swap = _mm512_broadcast_i32x4(_mm_set_epi8(8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7));
  // The high half (bytes 0..7 of each block) is the same for every block: pre-xored with rk[0].
  const __m512i high = _mm512_xor_si512(
      _mm512_set_epi64(0, static_cast<long long>(__builtin_bswap64(hi)), 0, static_cast<long long>(__builtin_bswap64(hi)), 0,
                       static_cast<long long>(__builtin_bswap64(hi)), 0, static_cast<long long>(__builtin_bswap64(hi))),
      rk[0]);
  const __m512i step = _mm512_set_epi64(4, 0, 4, 0, 4, 0, 4, 0);
  __m512i v = _mm512_set_epi64(static_cast<long long>(lo + 3), 0, static_cast<long long>(lo + 2), 0,
                               static_cast<long long>(lo + 1), 0, static_cast<long long>(lo), 0);
  for (size_t done = 0; done < count; done += kBatch) {
    __m512i s[kLanes];
    for (size_t l = 0; l < kLanes; l++) {
      s[l] = _mm512_xor_si512(_mm512_shuffle_epi8(v, swap), high);
      v = _mm512_add_epi64(v, step);
    }
    for (int r = 1; r < 10; r++) {
      for (size_t l = 0; l < kLanes; l++) s[l] = _mm512_aesenc_epi128(s[l], rk[r]);
    }
    uint8_t* o = out + 16 * done;
    for (size_t l = 0; l < kLanes; l++) _mm512_storeu_si512(o + 64 * l, _mm512_aesenclast_epi128(s[l], rk[10]));
  }
}
#endif

}  // namespace

void AesCtrBlocks(const AesKey& key, uint64_t nonce, uint64_t offset, uint64_t first, size_t count, uint8_t* out) {
  alignas(64) uint8_t ctr[kBatch * 16];
  alignas(64) uint8_t tmp[kBatch * 16];
  size_t done = 0;
#if defined(__VAES__) && defined(__AVX512BW__)
  {
    // Whole batches whose low counter words do not wrap take the register path.
    uint64_t lo = offset + first, hi = nonce + (lo < offset ? 1 : 0);
    size_t whole = count / kBatch * kBatch;
    if (whole > 0 && lo + whole - 1 >= lo) {
      CtrRunNoCarry(key, hi, lo, whole, out);
      done = whole;
    }
  }
#endif
  while (done < count) {
    size_t n = count - done < kBatch ? count - done : kBatch;
    for (size_t i = 0; i < kBatch; i++) CounterBlock(nonce, offset, first + done + i, ctr + 16 * i);
    if (n == kBatch) {
      EncryptBatch(key, ctr, out + 16 * done);
    } else {
      EncryptBatch(key, ctr, tmp);
      std::memcpy(out + 16 * done, tmp, 16 * n);
    }
    done += n;
  }
}

void AesCtrBytes(const AesKey& key, uint64_t nonce, uint64_t offset, uint64_t byteStart, size_t len, uint8_t* out) {
  if (len == 0) return;
  uint64_t b0 = byteStart / 16, skip = byteStart % 16;
  uint64_t b1 = (byteStart + len + 15) / 16;
  // Whole blocks go straight to `out`; a partial first or last block goes through a buffer.
  auto part = [&](uint64_t blk, uint8_t* dst, size_t from, size_t n) {
    alignas(16) uint8_t t[16];
    AesCtrBlocks(key, nonce, offset, blk, 1, t);
    std::memcpy(dst, t + from, n);
  };
  size_t pos = 0;
  uint64_t blk = b0;
  if (skip) {
    size_t n = 16 - skip < len ? 16 - skip : len;
    part(blk++, out, skip, n);
    pos += n;
  }
  uint64_t whole = (len - pos) / 16;
  uint8_t* base = out + pos;
  uint64_t first = blk;
  ParallelRange(static_cast<int64_t>(whole), 1 << 12, [&](int64_t b, int64_t e) {
    AesCtrBlocks(key, nonce, offset, first + b, static_cast<size_t>(e - b), base + 16 * b);
  });
  pos += whole * 16;
  blk += whole;
  if (pos < len) part(blk, out + pos, 0, len - pos);
  (void)b1;
}

void AesEncryptBlocks(const AesKey& key, const uint8_t* in, uint8_t* out, size_t count) {
  size_t done = 0;
  for (; done + kBatch <= count; done += kBatch) EncryptBatch(key, in + 16 * done, out + 16 * done);
  if (done < count) {
    alignas(64) uint8_t tmp[16 * kBatch] = {};
    std::memcpy(tmp, in + 16 * done, 16 * (count - done));
    EncryptBatch(key, tmp, tmp);
    std::memcpy(out + 16 * done, tmp, 16 * (count - done));
  }
}

}  // namespace tfe
