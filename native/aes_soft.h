// Portable AES-128 block encryption for builds without AES-NI: byte-wise rounds over an
// S-box computed at start-up (inverse in GF(2^8), then the affine map). Slow but exact.
#pragma once
#include <cstdint>
#include <cstring>

namespace tfe {

struct SoftAes {
  uint8_t sbox[256];
  SoftAes() {
    uint8_t p = 1, q = 1;
    do {  // p walks GF(2^8)* by 3, q by 3^-1, so q = p^-1
      p = p ^ uint8_t(p << 1) ^ (p & 0x80 ? 0x1b : 0);
      q ^= q << 1;
      q ^= q << 2;
      q ^= q << 4;
      if (q & 0x80) q ^= 0x09;
      auto rot = [](uint8_t x, int s) { return uint8_t((x << s) | (x >> (8 - s))); };
      sbox[p] = q ^ rot(q, 1) ^ rot(q, 2) ^ rot(q, 3) ^ rot(q, 4) ^ 0x63;
    } while (p != 1);
    sbox[0] = 0x63;
  }
  static uint8_t Xt(uint8_t x) { return uint8_t(x << 1) ^ (x & 0x80 ? 0x1b : 0); }
  // Round keys of a 16-byte key, 11 x 16 bytes.
  void Expand(const uint8_t key[16], uint8_t rk[11][16]) const {
    std::memcpy(rk[0], key, 16);
    uint8_t rcon = 1;
    for (int r = 1; r < 11; r++) {
      const uint8_t* prev = rk[r - 1];
      uint8_t t[4] = {uint8_t(sbox[prev[13]] ^ rcon), sbox[prev[14]], sbox[prev[15]], sbox[prev[12]]};
      for (int i = 0; i < 16; i++) {
        rk[r][i] = prev[i] ^ (i < 4 ? t[i] : rk[r][i - 4]);
      }
      rcon = Xt(rcon);
    }
  }
  void Encrypt(const uint8_t rk[11][16], const uint8_t in[16], uint8_t out[16]) const {
    uint8_t s[16];
    for (int i = 0; i < 16; i++) s[i] = in[i] ^ rk[0][i];
    for (int r = 1; r < 11; r++) {
      uint8_t t[16];
      for (int i = 0; i < 16; i++) t[i] = sbox[s[(i + 4 * (i % 4)) % 16]];  // SubBytes + ShiftRows
      if (r < 10) {
        for (int c = 0; c < 4; c++) {  // MixColumns
          uint8_t* col = t + 4 * c;
          uint8_t a0 = col[0], a1 = col[1], a2 = col[2], a3 = col[3], all = a0 ^ a1 ^ a2 ^ a3;
          col[0] ^= all ^ Xt(a0 ^ a1);
          col[1] ^= all ^ Xt(a1 ^ a2);
          col[2] ^= all ^ Xt(a2 ^ a3);
          col[3] ^= all ^ Xt(a3 ^ a0);
        }
      }
      for (int i = 0; i < 16; i++) s[i] = t[i] ^ rk[r][i];
    }
    std::memcpy(out, s, 16);
  }
};

}  // namespace tfe
