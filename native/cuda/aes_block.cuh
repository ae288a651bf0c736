// AES-128 on 32-bit words with one T-table, for the device PRG (and the host checks, which
// compare its CTR stream with node:crypto's bit for bit). The tables are computed at compile
// time from GF(2^8) arithmetic; the stream layout is the PrgUniform contract
// (src/kernels/kernel_names.ts): counter block i = nonce (8 bytes big-endian) ‖ offset + i
// (8 bytes big-endian), the 128-bit counter carrying from the low half into the nonce.
//
// State words are little-endian columns: word c holds state bytes 4c..4c+3 (byte 4c + r is
// row r), so a keystream block is the 4 words stored little-endian.
#pragma once
#include <cstdint>

#include "hd.cuh"

namespace tfe_cuda {

struct AesTables {
  uint8_t sbox[256];
  // t0[x] = bytes (2·S[x], S[x], S[x], 3·S[x]): one MixColumns column of SubBytes(x) in row 0;
  // rows 1..3 use t0 rotated left by 8, 16, 24 bits.
  uint32_t t0[256];
};

TFE_HD_CONSTEXPR uint8_t GfDouble(uint8_t x) { return static_cast<uint8_t>((x << 1) ^ ((x & 0x80) ? 0x1b : 0)); }

TFE_HD_CONSTEXPR uint8_t GfMul(uint8_t a, uint8_t b) {
  uint8_t p = 0;
  for (int i = 0; i < 8; i++) {
    if (b & 1) p ^= a;
    a = GfDouble(a);
    b >>= 1;
  }
  return p;
}

TFE_HD_CONSTEXPR uint8_t Rotl8(uint8_t x, int s) { return static_cast<uint8_t>((x << s) | (x >> (8 - s))); }

// The S-box: multiplicative inverse in GF(2^8) (x^254), then the affine map.
TFE_HD_CONSTEXPR AesTables MakeAesTables() {
  AesTables t{};
  for (int x = 0; x < 256; x++) {
    uint8_t inv = 1, base = static_cast<uint8_t>(x);
    for (int e = 254; e > 0; e >>= 1) {  // square-and-multiply x^254
      if (e & 1) inv = GfMul(inv, base);
      base = GfMul(base, base);
    }
    if (x == 0) inv = 0;
    const uint8_t s = static_cast<uint8_t>(inv ^ Rotl8(inv, 1) ^ Rotl8(inv, 2) ^ Rotl8(inv, 3) ^ Rotl8(inv, 4) ^ 0x63);
    t.sbox[x] = s;
    t.t0[x] = uint32_t(GfDouble(s)) | (uint32_t(s) << 8) | (uint32_t(s) << 16) | (uint32_t(GfMul(s, 3)) << 24);
  }
  return t;
}

TFE_HD uint32_t Rotl32(uint32_t x, int s) { return (x << s) | (x >> (32 - s)); }

// The 44 round-key words of a 16-byte key (FIPS-197 §5.2), little-endian words.
TFE_HD void AesExpandKey(const AesTables& t, const uint8_t key[16], uint32_t rk[44]) {
  for (int i = 0; i < 4; i++) {
    rk[i] = uint32_t(key[4 * i]) | (uint32_t(key[4 * i + 1]) << 8) | (uint32_t(key[4 * i + 2]) << 16) |
            (uint32_t(key[4 * i + 3]) << 24);
  }
  uint8_t rcon = 1;
  for (int i = 4; i < 44; i++) {
    uint32_t w = rk[i - 1];
    if (i % 4 == 0) {
      w = (w >> 8) | (w << 24);  // RotWord on little-endian bytes
      w = uint32_t(t.sbox[w & 0xff]) | (uint32_t(t.sbox[(w >> 8) & 0xff]) << 8) |
          (uint32_t(t.sbox[(w >> 16) & 0xff]) << 16) | (uint32_t(t.sbox[w >> 24]) << 24);
      w ^= rcon;
      rcon = GfDouble(rcon);
    }
    rk[i] = rk[i - 4] ^ w;
  }
}

// Encrypts one block held as 4 little-endian column words, in place.
TFE_HD void AesEncryptWords(const AesTables& t, const uint32_t rk[44], uint32_t s[4]) {
  uint32_t a0 = s[0] ^ rk[0], a1 = s[1] ^ rk[1], a2 = s[2] ^ rk[2], a3 = s[3] ^ rk[3];
#define TFE_AES_COL(x0, x1, x2, x3, k)                                                          \
  (t.t0[(x0) & 0xff] ^ Rotl32(t.t0[((x1) >> 8) & 0xff], 8) ^ Rotl32(t.t0[((x2) >> 16) & 0xff], 16) ^ \
   Rotl32(t.t0[(x3) >> 24], 24) ^ (k))
  for (int r = 1; r < 10; r++) {
    const uint32_t* k = rk + 4 * r;
    const uint32_t b0 = TFE_AES_COL(a0, a1, a2, a3, k[0]);
    const uint32_t b1 = TFE_AES_COL(a1, a2, a3, a0, k[1]);
    const uint32_t b2 = TFE_AES_COL(a2, a3, a0, a1, k[2]);
    const uint32_t b3 = TFE_AES_COL(a3, a0, a1, a2, k[3]);
    a0 = b0; a1 = b1; a2 = b2; a3 = b3;
  }
#undef TFE_AES_COL
#define TFE_AES_LAST(x0, x1, x2, x3, k)                                                        \
  ((uint32_t(t.sbox[(x0) & 0xff]) | (uint32_t(t.sbox[((x1) >> 8) & 0xff]) << 8) |              \
    (uint32_t(t.sbox[((x2) >> 16) & 0xff]) << 16) | (uint32_t(t.sbox[(x3) >> 24]) << 24)) ^ (k))
  s[0] = TFE_AES_LAST(a0, a1, a2, a3, rk[40]);
  s[1] = TFE_AES_LAST(a1, a2, a3, a0, rk[41]);
  s[2] = TFE_AES_LAST(a2, a3, a0, a1, rk[42]);
  s[3] = TFE_AES_LAST(a3, a0, a1, a2, rk[43]);
#undef TFE_AES_LAST
}

TFE_HD uint32_t Bswap32(uint32_t x) {
  return (x >> 24) | ((x >> 8) & 0xff00) | ((x << 8) & 0xff0000) | (x << 24);
}

// The counter block `i` of the stream at (nonce, offset) as 4 little-endian column words:
// bytes nonce' (big-endian) ‖ offset + i (big-endian), nonce' = nonce + carry.
TFE_HD void AesCounterWords(uint64_t nonce, uint64_t offset, uint64_t i, uint32_t s[4]) {
  const uint64_t lo = offset + i;
  const uint64_t hi = nonce + (lo < offset ? 1 : 0);
  s[0] = Bswap32(static_cast<uint32_t>(hi >> 32));
  s[1] = Bswap32(static_cast<uint32_t>(hi));
  s[2] = Bswap32(static_cast<uint32_t>(lo >> 32));
  s[3] = Bswap32(static_cast<uint32_t>(lo));
}

// Keystream block `i`: 16 bytes, as the 4 little-endian words of the encrypted counter.
TFE_HD void AesCtrBlock(const AesTables& t, const uint32_t rk[44], uint64_t nonce, uint64_t offset, uint64_t i,
                        uint32_t out[4]) {
  AesCounterWords(nonce, offset, i, out);
  AesEncryptWords(t, rk, out);
}

}  // namespace tfe_cuda
