// AES-128 in counter mode with AES-NI / VAES: the keystream node:crypto's 'aes-128-ctr'
// produces for the IV nonce (8 bytes big-endian) ‖ counter (8 bytes big-endian).
#pragma once
#include <cstddef>
#include <cstdint>

namespace tfe {

struct AesKey {
  alignas(16) uint8_t rk[11][16];
};

// Expands a 16-byte AES-128 key.
AesKey AesExpand(const uint8_t key[16]);

// Writes the keystream blocks [first, first + count) of the stream that starts at counter
// (nonce, offset) to out (16·count bytes). The 128-bit counter increments big-endian, so a
// carry out of the low 8 bytes reaches the nonce, as in OpenSSL.
void AesCtrBlocks(const AesKey& key, uint64_t nonce, uint64_t offset, uint64_t first, size_t count, uint8_t* out);

// Keystream bytes [byteStart, byteStart + len) of the stream, split across the pool when long.
void AesCtrBytes(const AesKey& key, uint64_t nonce, uint64_t offset, uint64_t byteStart, size_t len, uint8_t* out);

// AES-128 of `count` independent 16-byte blocks (ECB), 32 at a time; in and out may alias.
void AesEncryptBlocks(const AesKey& key, const uint8_t* in, uint8_t* out, size_t count);

}  // namespace tfe
