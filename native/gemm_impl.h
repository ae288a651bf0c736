// The u64 matrix product behind MatMul and Conv2D: B is packed once into NR-wide panels, A is
// packed per (MC x KC) block by a caller-supplied packer (strided matrix or implicit im2col),
// and an MR x NR register tile accumulates C with AVX-512 IFMA (see gemm_impl.cc for the
// 52-bit split that makes three vpmadd52 per 8 products exact mod 2^64). Work is split over
// the pool.
#pragma once
#include <cstdint>
#include <functional>

namespace tfe {

constexpr int kMR = 4;
constexpr int kNR = 16;
constexpr int64_t kKC = 128;
constexpr int64_t kMC = 256;

// A strided matrix: element (i, k) is p[i * rs + k * cs].
struct MatView {
  const uint64_t* p;
  int64_t rs, cs;
};

// x = x0 + x1·2^52 is packed as Low52(x) = x0 (a u64 lane) and Pair(x) = (x0 mod 2^12) |
// x1 << 16 (a u32 lane of two 16-bit halves; see gemm_micro.h for why).
constexpr uint64_t kLow52 = (uint64_t(1) << 52) - 1;
inline uint64_t Low52(uint64_t x) { return x & kLow52; }
inline uint32_t PairA(uint64_t x) { return static_cast<uint32_t>((x & 0xfff) | ((x >> 52) << 16)); }
// B's halves are swapped, so one 16-bit dot product of the pairs gives a0l·b1 + a1·b0l.
inline uint32_t PairB(uint64_t x) { return static_cast<uint32_t>((x >> 52) | ((x & 0xfff) << 16)); }

// u64 slots per k in a packed panel: the Low52 lanes, then the u32 pairs (two per slot).
constexpr int64_t kAStride = kMR + kMR / 2;
constexpr int64_t kBStride = kNR + kNR / 2;

// Stores element (r, k) of an MR-row A panel: Low52 at slot k·kAStride + r, the pair in the
// u32 lanes after the MR Low52 slots.
inline void StoreA(uint64_t* panel, int64_t k, int r, uint64_t v) {
  uint64_t* pk = panel + k * kAStride;
  pk[r] = Low52(v);
  reinterpret_cast<uint32_t*>(pk + kMR)[r] = PairA(v);
}

// Packs rows [i0, i0 + mc) and columns [k0, k0 + kc) of A into MR-row panels, panel p at
// dst + p·kc·kAStride, each element through StoreA; rows past mc must be zero.
using PackAFn = std::function<void(int64_t i0, int64_t mc, int64_t k0, int64_t kc, uint64_t* dst)>;

// Packs strided A (M x K) for the packer interface.
void PackAStrided(const MatView& a, int64_t M, int64_t i0, int64_t mc, int64_t k0, int64_t kc, uint64_t* dst);

// C (M x N, leading dimension ldc) = A · B mod 2^64, A given by its packer.
void GemmPackedA(int64_t M, int64_t N, int64_t K, const PackAFn& packA, const MatView& b, uint64_t* c,
                 int64_t ldc);

// C = A · B for strided A and B.
void GemmU64(int64_t M, int64_t N, int64_t K, const MatView& a, const MatView& b, uint64_t* c, int64_t ldc);

}  // namespace tfe
