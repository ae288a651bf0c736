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

// x = x0 + x1·2^52 is packed as Low52(x) = x0 and Cross(x) = (x0 mod 2^12) + x1·2^40 (see
// gemm_micro.h for why).
constexpr uint64_t kLow52 = (uint64_t(1) << 52) - 1;
inline uint64_t Low52(uint64_t x) { return x & kLow52; }
inline uint64_t Cross(uint64_t x) { return (x & 0xfff) | ((x >> 52) << 40); }

// Stores element (r, k) of an MR-row A panel: panel[k·2MR + r] = Low52, [k·2MR + MR + r] = Cross.
inline void StoreA(uint64_t* panel, int64_t k, int r, uint64_t v) {
  panel[k * 2 * kMR + r] = Low52(v);
  panel[k * 2 * kMR + kMR + r] = Cross(v);
}

// Packs rows [i0, i0 + mc) and columns [k0, k0 + kc) of A into MR-row panels, panel p at
// dst + p·kc·2MR, each element through StoreA; rows past mc must be zero.
using PackAFn = std::function<void(int64_t i0, int64_t mc, int64_t k0, int64_t kc, uint64_t* dst)>;

// Packs strided A (M x K) for the packer interface.
void PackAStrided(const MatView& a, int64_t M, int64_t i0, int64_t mc, int64_t k0, int64_t kc, uint64_t* dst);

// C (M x N, leading dimension ldc) = A · B mod 2^64, A given by its packer.
void GemmPackedA(int64_t M, int64_t N, int64_t K, const PackAFn& packA, const MatView& b, uint64_t* c,
                 int64_t ldc);

// C = A · B for strided A and B.
void GemmU64(int64_t M, int64_t N, int64_t K, const MatView& a, const MatView& b, uint64_t* c, int64_t ldc);

}  // namespace tfe
