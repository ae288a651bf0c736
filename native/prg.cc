// PrgUniform: uniform ring elements from the AES-128-CTR keystream (see kernel_names.ts).
#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#if defined(__AVX512VBMI__) && defined(__AVX512VBMI2__)
#include <immintrin.h>
#endif

#include "aes_impl.h"
#include "napi_util.h"
#include "thread_pool.h"

namespace tfe {
namespace {

struct PrgJob {
  AesKey key;
  uint64_t nonce, offset;
  size_t n;
  uint32_t m;  // 0 for u64
  void* out;
};

void Run(const PrgJob& j) {
  if (j.m == 0) return AesCtrBytes(j.key, j.nonce, j.offset, 0, j.n * 8, static_cast<uint8_t*>(j.out));
  uint8_t* o = static_cast<uint8_t*>(j.out);
  if (j.m == 2) {
    // Bit k is bit (k mod 8) of keystream byte floor(k / 8).
    std::vector<uint8_t> ks((j.n + 7) / 8);
    AesCtrBytes(j.key, j.nonce, j.offset, 0, ks.size(), ks.data());
    ParallelRange(static_cast<int64_t>(j.n), 1 << 16, [&](int64_t b, int64_t e) {
      for (int64_t k = b; k < e; k++) o[k] = (ks[k >> 3] >> (k & 7)) & 1;
    });
    return;
  }
  uint32_t limit = 256 - (256 % j.m);
  if (limit == 256) {
    // m divides 256, so it is a power of two.
    AesCtrBytes(j.key, j.nonce, j.offset, 0, j.n, o);
    const uint8_t mask = uint8_t(j.m - 1);
    for (size_t k = 0; k < j.n; k++) o[k] &= mask;
    return;
  }
  // Rejection sampling in keystream order, chunk by chunk.
  uint8_t table[256];
  for (uint32_t b = 0; b < 256; b++) table[b] = b < limit ? uint8_t(b % j.m) : 0xFF;
  const size_t cap = std::min<size_t>(j.n + j.n / 2 + 64, 1 << 20);
  std::unique_ptr<uint8_t[]> ks(new uint8_t[cap]);  // uninitialised: the keystream overwrites it
#if defined(__AVX512VBMI__) && defined(__AVX512VBMI2__)
  const __m512i t0 = _mm512_loadu_si512(table), t1 = _mm512_loadu_si512(table + 64);
  const __m512i t2 = _mm512_loadu_si512(table + 128), t3 = _mm512_loadu_si512(table + 192);
  const __m512i rejected = _mm512_set1_epi8(static_cast<char>(0xFF));
#endif
  size_t filled = 0;
  uint64_t at = 0;
  while (filled < j.n) {
    size_t want = j.n - filled;
    size_t chunk = std::min(want + want / 2 + 64, cap);
    AesCtrBytes(j.key, j.nonce, j.offset, at, chunk, ks.get());
    at += chunk;
    size_t i = 0;
#if defined(__AVX512VBMI__) && defined(__AVX512VBMI2__)
    // 64 bytes at a time: the table through two 128-entry byte permutes (bit 7 picks the
    // half), then the accepted values compressed to the front in keystream order. A full
    // 64-byte store needs 64 free slots, so the last few go through the scalar loop.
    for (; i + 64 <= chunk && j.n - filled >= 64; i += 64) {
      const __m512i b = _mm512_loadu_si512(ks.get() + i);
      const __m512i v = _mm512_mask_blend_epi8(_mm512_movepi8_mask(b), _mm512_permutex2var_epi8(t0, b, t1),
                                               _mm512_permutex2var_epi8(t2, b, t3));
      const __mmask64 ok = _mm512_cmpneq_epi8_mask(v, rejected);
      _mm512_storeu_si512(o + filled, _mm512_maskz_compress_epi8(ok, v));
      filled += static_cast<size_t>(__builtin_popcountll(ok));
    }
#endif
    // Branch-free: a table gives b mod m, or 0xFF for a rejected byte; the write slot only
    // advances on acceptance (o has room: the slot is < j.n whenever we write).
    for (; i < chunk && j.n - filled >= 1; i++) {
      const uint8_t v = table[ks[i]];
      o[filled] = v;
      filled += v != 0xFF;
      if (filled == j.n) { i++; break; }
    }
  }
}

// prgUniform(seed, nonce, offset, n, modulus, async, out?): modulus 0 gives u64 elements
Napi::Value PrgUniform(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Arr seed = GetU8(info, 0, "seed");
  CheckLength(env, seed, 16, "seed");
  if (!info[1].IsBigInt() || !info[2].IsBigInt()) Fail(env, "`nonce` and `offset` must be bigints");
  bool lossless1 = false, lossless2 = false;
  PrgJob j;
  j.nonce = info[1].As<Napi::BigInt>().Uint64Value(&lossless1);
  j.offset = info[2].As<Napi::BigInt>().Uint64Value(&lossless2);
  if (!lossless1 || !lossless2) Fail(env, "`nonce` and `offset` must be in [0, 2^64)");
  j.n = static_cast<size_t>(GetInt(info, 3, "n", 0, int64_t(1) << 40));
  j.m = static_cast<uint32_t>(GetInt(info, 4, "modulus", 0, 256));
  bool async = GetBool(info, 5, "async");
  if (j.m == 1) Fail(env, "`modulus` must be 0 (u64) or in [2, 256]");
  j.key = AesExpand(seed.b());
  Arr o = OutArr(info, 6, j.m == 0, j.n);
  j.out = o.data;
  return RunWork(env, async && j.n >= (1 << 16), {o.value}, o.value, [j] { Run(j); });
}

}  // namespace

void InitPrg(Napi::Env env, Napi::Object exports) {
  exports.Set("prgUniform", Napi::Function::New(env, PrgUniform));
}

}  // namespace tfe
