// PrgUniform on the device: the AES-128-CTR keystream of aes_block.cuh (T-table in shared
// memory, one counter block per thread step), turned into elements by the kernel_names.ts
// rules. Rejection sampling for u8 mod m keeps keystream order: per 1024-byte segment the
// accepted bytes are counted, the counts are scanned, and each segment writes its accepted
// bytes at its offset; chunks repeat until n elements are filled.
#include "aes_block.cuh"
#include "device_common.cuh"
#include "tfe_cuda.h"

namespace tfe_cuda {
namespace {

__constant__ AesTables kAesTables = MakeAesTables();

struct RoundKeys {
  uint32_t w[44];
};

// Keystream bytes [16·first, 16·first + nbytes) into out (16-byte aligned).
__global__ void KeystreamKernel(RoundKeys rk, uint64_t nonce, uint64_t offset, uint64_t first, int64_t nbytes,
                                uint8_t* out) {
  __shared__ AesTables t;
  for (int i = threadIdx.x; i < 256; i += blockDim.x) {
    t.sbox[i] = kAesTables.sbox[i];
    t.t0[i] = kAesTables.t0[i];
  }
  __syncthreads();
  TFE_GRID_LOOP(blk, (nbytes + 15) / 16) {
    uint32_t w[4];
    AesCtrBlock(t, rk.w, nonce, offset, first + blk, w);
    if (16 * (blk + 1) <= nbytes) {
      *reinterpret_cast<uint4*>(out + 16 * blk) = make_uint4(w[0], w[1], w[2], w[3]);
    } else {
      for (int64_t b = 16 * blk; b < nbytes; b++) out[b] = static_cast<uint8_t>(w[(b % 16) / 4] >> (8 * (b % 4)));
    }
  }
}

__global__ void BitsKernel(int64_t n, const uint8_t* ks, uint8_t* out) {
  TFE_GRID_LOOP(k, n) out[k] = (ks[k >> 3] >> (k & 7)) & 1;
}

__global__ void ModKernel(int64_t n, uint32_t m, uint8_t* out) {
  TFE_GRID_LOOP(k, n) out[k] = static_cast<uint8_t>(out[k] % m);
}

constexpr int kSegment = 1024;  // keystream bytes per segment: kThreads threads x 4 bytes

// Exclusive scan of v over the block (kThreads values); returns the block total.
__device__ int BlockExclusiveScan(int v, int* out) {
  __shared__ int buf[kThreads];
  buf[threadIdx.x] = v;
  __syncthreads();
  for (int d = 1; d < kThreads; d <<= 1) {
    const int add = threadIdx.x >= d ? buf[threadIdx.x - d] : 0;
    __syncthreads();
    buf[threadIdx.x] += add;
    __syncthreads();
  }
  *out = buf[threadIdx.x] - v;
  const int total = buf[kThreads - 1];
  __syncthreads();
  return total;
}

__global__ void CountKernel(const uint8_t* ks, uint32_t limit, int64_t* counts) {
  const uint8_t* seg = ks + int64_t(blockIdx.x) * kSegment + 4 * threadIdx.x;
  int c = 0;
  for (int u = 0; u < 4; u++) c += seg[u] < limit;
  int prefix;
  const int total = BlockExclusiveScan(c, &prefix);
  if (threadIdx.x == 0) counts[blockIdx.x] = total;
}

// Exclusive scan of counts in place (one block); counts[segments] receives the total.
__global__ void ScanKernel(int64_t segments, int64_t* counts) {
  __shared__ int64_t carry;
  if (threadIdx.x == 0) carry = 0;
  __syncthreads();
  for (int64_t base = 0; base < segments; base += kThreads) {
    const int64_t i = base + threadIdx.x;
    const int64_t v = i < segments ? counts[i] : 0;
    __shared__ int64_t buf[kThreads];
    buf[threadIdx.x] = v;
    __syncthreads();
    for (int d = 1; d < kThreads; d <<= 1) {
      const int64_t add = threadIdx.x >= d ? buf[threadIdx.x - d] : 0;
      __syncthreads();
      buf[threadIdx.x] += add;
      __syncthreads();
    }
    if (i < segments) counts[i] = carry + buf[threadIdx.x] - v;
    __syncthreads();
    if (threadIdx.x == 0) carry += buf[kThreads - 1];
    __syncthreads();
  }
  if (threadIdx.x == 0) counts[segments] = carry;
}

__global__ void ScatterKernel(const uint8_t* ks, uint32_t limit, uint32_t m, const int64_t* offsets, int64_t room,
                              uint8_t* out) {
  const uint8_t* seg = ks + int64_t(blockIdx.x) * kSegment + 4 * threadIdx.x;
  int c = 0;
  for (int u = 0; u < 4; u++) c += seg[u] < limit;
  int prefix;
  BlockExclusiveScan(c, &prefix);
  int64_t pos = offsets[blockIdx.x] + prefix;
  for (int u = 0; u < 4; u++) {
    if (seg[u] < limit) {
      if (pos < room) out[pos] = static_cast<uint8_t>(seg[u] % m);
      pos++;
    }
  }
}

RoundKeys Expand(const uint8_t seed[16]) {
  static constexpr AesTables host = MakeAesTables();
  RoundKeys rk;
  AesExpandKey(host, seed, rk.w);
  return rk;
}

void Keystream(const RoundKeys& rk, uint64_t nonce, uint64_t offset, uint64_t firstBlock, int64_t nbytes, uint8_t* out) {
  if (nbytes == 0) return;
  KeystreamKernel<<<Blocks((nbytes + 15) / 16), kThreads, 0, Stream()>>>(rk, nonce, offset, firstBlock, nbytes, out);
  CheckLaunch("prg keystream");
}

void Rejection(const RoundKeys& rk, uint64_t nonce, uint64_t offset, int64_t n, uint32_t m, uint8_t* out) {
  const uint32_t limit = 256 - 256 % m;
  int64_t filled = 0;
  uint64_t block = 0;  // next keystream block
  while (filled < n) {
    const int64_t want = n - filled;
    int64_t bytes = want * 256 / limit + want / 16 + kSegment;  // expected need plus slack
    bytes = (bytes + kSegment - 1) / kSegment * kSegment;
    if (bytes > (int64_t(1) << 28)) bytes = int64_t(1) << 28;
    const int64_t segments = bytes / kSegment;
    uint8_t* ks = static_cast<uint8_t*>(DeviceAlloc(bytes, false));
    int64_t* counts = static_cast<int64_t*>(DeviceAlloc((segments + 1) * sizeof(int64_t), false));
    Keystream(rk, nonce, offset, block, bytes, ks);
    CountKernel<<<unsigned(segments), kThreads, 0, Stream()>>>(ks, limit, counts);
    ScanKernel<<<1, kThreads, 0, Stream()>>>(segments, counts);
    ScatterKernel<<<unsigned(segments), kThreads, 0, Stream()>>>(ks, limit, m, counts, want, out + filled);
    CheckLaunch("prg rejection");
    int64_t accepted = 0;
    CopyToHost(&accepted, counts + segments, sizeof(accepted));
    DeviceFree(ks);
    DeviceFree(counts);
    filled += accepted < want ? accepted : want;
    block += bytes / 16;
  }
}

}  // namespace

void PrgUniform(const uint8_t seed[16], uint64_t nonce, uint64_t offset, int64_t n, int modulus, void* out) {
  if (n == 0) return;
  const RoundKeys rk = Expand(seed);
  uint8_t* o = static_cast<uint8_t*>(out);
  if (modulus == 0) return Keystream(rk, nonce, offset, 0, 8 * n, o);
  if (modulus == 2) {
    uint8_t* ks = static_cast<uint8_t*>(DeviceAlloc((n + 7) / 8, false));
    Keystream(rk, nonce, offset, 0, (n + 7) / 8, ks);
    BitsKernel<<<Blocks(n), kThreads, 0, Stream()>>>(n, ks, o);
    CheckLaunch("prg bits");
    DeviceFree(ks);
    return;
  }
  if (256 % modulus == 0) {
    Keystream(rk, nonce, offset, 0, n, o);
    ModKernel<<<Blocks(n), kThreads, 0, Stream()>>>(n, modulus, o);
    CheckLaunch("prg mod");
    return;
  }
  Rejection(rk, nonce, offset, n, modulus, o);
}

}  // namespace tfe_cuda
