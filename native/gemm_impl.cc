// Packing and the blocked, multithreaded loops of the u64 GEMM (micro-kernel: gemm_micro.h).
#include "gemm_impl.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#include "gemm_micro.h"
#include "thread_pool.h"

namespace tfe {
namespace {

struct AlignedFree {
  void operator()(uint64_t* p) const { free(p); }
};
using Buf = std::unique_ptr<uint64_t[], AlignedFree>;

Buf AllocBuf(size_t n) {
  void* p = nullptr;
  size_t bytes = std::max<size_t>(n, 8) * 8;
  if (posix_memalign(&p, bytes >= (2 << 20) ? (2 << 20) : 64, bytes) != 0) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
  if (bytes >= (2 << 20)) madvise(p, bytes, MADV_HUGEPAGE);
#endif
  return Buf(static_cast<uint64_t*>(p));
}

// Scratch for packed panels: up to 32 MiB per slot (0: B, 1: A) stays with the thread between
// calls, so repeated products skip the allocation and its page faults; larger ones are freed
// after the call.
template <int kSlot>
class Scratch {
 public:
  explicit Scratch(size_t n) {
    constexpr size_t kKeep = (size_t(32) << 20) / 8;
    thread_local Buf kept;
    thread_local size_t cap = 0;
    if (n > kKeep) {
      own_ = AllocBuf(n);
      p_ = own_.get();
      return;
    }
    if (n > cap) {
      kept.reset();
      kept = AllocBuf(n);
      cap = n;
    }
    p_ = kept.get();
  }
  uint64_t* get() const { return p_; }

 private:
  Buf own_;
  uint64_t* p_;
};

// Micro-kernel on a possibly partial tile (mr <= MR rows, nr <= NR columns).
inline void Tile(int64_t kc, const uint64_t* a, const uint64_t* b, uint64_t* c, int64_t ldc, int mr, int nr,
                 bool accumulate) {
  if (mr == kMR && nr == kNR) {
    if (accumulate) Micro<true>(kc, a, b, c, ldc);
    else Micro<false>(kc, a, b, c, ldc);
    return;
  }
  alignas(64) uint64_t tmp[kMR * kNR];
  Micro<false>(kc, a, b, tmp, kNR);
  for (int r = 0; r < mr; r++) {
    for (int j = 0; j < nr; j++) c[r * ldc + j] = (accumulate ? c[r * ldc + j] : 0) + tmp[r * kNR + j];
  }
}

// The K block size: at most kKC, with K split into equal blocks (a multiple of 8) so that no
// short tail block pays a whole C pass.
int64_t BlockK(int64_t K) {
  int64_t blocks = (K + kKC - 1) / kKC;
  int64_t kc = (K + blocks - 1) / blocks;
  return std::min(kKC, (kc + 7) / 8 * 8);
}

// Packs all of B (K x N) into split panels: block k0 at k0·(Npad/NR)·kBStride, panel jp at
// jp·kc·kBStride within it.
void PackB(const MatView& b, int64_t K, int64_t N, int64_t npad, uint64_t* dst) {
  int64_t kb = BlockK(K), kBlocks = (K + kb - 1) / kb, panels = npad / kNR;
  ParallelFor(kBlocks * panels, [&](int64_t t) {
    int64_t k0 = (t / panels) * kb, jp = t % panels;
    int64_t kc = std::min(kb, K - k0), j0 = jp * kNR, nr = std::min<int64_t>(kNR, N - j0);
    uint64_t* d = dst + (k0 * panels + jp * kc) * kBStride;
    for (int64_t k = 0; k < kc; k++) {
      const uint64_t* s = b.p + (k0 + k) * b.rs + j0 * b.cs;
      uint64_t* dk = d + k * kBStride;
      uint32_t* pairs = reinterpret_cast<uint32_t*>(dk + kNR);
      for (int64_t j = 0; j < nr; j++) {
        uint64_t v = s[j * b.cs];
        dk[j] = Low52(v);
        pairs[j] = PairB(v);
      }
      for (int64_t j = nr; j < kNR; j++) dk[j] = pairs[j] = 0;
    }
  });
}

}  // namespace

void PackAStrided(const MatView& a, int64_t M, int64_t i0, int64_t mc, int64_t k0, int64_t kc, uint64_t* dst) {
  for (int64_t p = 0; p * kMR < mc; p++) {
    uint64_t* d = dst + p * kc * kAStride;
    for (int r = 0; r < kMR; r++) {
      int64_t i = i0 + p * kMR + r;
      bool live = i < M && p * kMR + r < mc;
      const uint64_t* s = a.p + (live ? i * a.rs + k0 * a.cs : 0);
      for (int64_t k = 0; k < kc; k++) StoreA(d, k, r, live ? s[k * a.cs] : 0);
    }
  }
}

void GemmPackedA(int64_t M, int64_t N, int64_t K, const PackAFn& packA, const MatView& b, uint64_t* c,
                 int64_t ldc) {
  if (M == 0 || N == 0) return;
  if (K == 0) {
    for (int64_t i = 0; i < M; i++) std::memset(c + i * ldc, 0, N * 8);
    return;
  }
  int64_t npad = (N + kNR - 1) / kNR * kNR, panels = npad / kNR;
  Scratch<0> scratch(static_cast<size_t>(K * panels * kBStride));
  uint64_t* bp = scratch.get();
  PackB(b, K, N, npad, bp);
  int64_t kb = BlockK(K);
  int64_t mBlocks = (M + kMC - 1) / kMC;
  int64_t want = 4 * PoolThreads();
  int64_t nChunks = std::max<int64_t>(1, std::min<int64_t>(panels, (want + mBlocks - 1) / mBlocks));
  int64_t perChunk = (panels + nChunks - 1) / nChunks;
  nChunks = (panels + perChunk - 1) / perChunk;
  // When several tasks share a row block, A is packed once for all of them (it would be packed
  // nChunks times otherwise: for a 128 x 784 A that is most of the work); the largest As keep
  // the per-task packing, which needs no memory beyond one block per thread.
  const int64_t kBlocks = (K + kb - 1) / kb, aBlock = kMC / kMR * kb * kAStride;
  const bool prepack = nChunks > 1 && mBlocks * kBlocks * aBlock <= (int64_t(32) << 20) / 8;
  Scratch<1> aScratch(prepack ? static_cast<size_t>(mBlocks * kBlocks * aBlock) : 0);
  uint64_t* packedA = aScratch.get();
  if (prepack) {
    ParallelFor(mBlocks * kBlocks, [&](int64_t t) {
      int64_t i0 = (t / kBlocks) * kMC, k0 = (t % kBlocks) * kb;
      packA(i0, std::min(kMC, M - i0), k0, std::min(kb, K - k0), packedA + t * aBlock);
    });
  }
  ParallelFor(mBlocks * nChunks, [&](int64_t t) {
    int64_t mb = t / nChunks, i0 = mb * kMC, mc = std::min(kMC, M - i0);
    int64_t jp0 = (t % nChunks) * perChunk, jp1 = std::min(panels, jp0 + perChunk);
    thread_local std::vector<uint64_t> abuf;
    uint64_t* ap = nullptr;
    if (!prepack) {
      int64_t mpad = (mc + kMR - 1) / kMR * kMR;
      size_t abytes = static_cast<size_t>(mpad / kMR * kKC * kAStride + 8);
      if (abuf.size() < abytes) abuf.resize(abytes);
      ap = reinterpret_cast<uint64_t*>((reinterpret_cast<uintptr_t>(abuf.data()) + 63) & ~uintptr_t(63));
    }
    for (int64_t k0 = 0; k0 < K; k0 += kb) {
      int64_t kc = std::min(kb, K - k0);
      if (prepack) ap = packedA + (mb * kBlocks + k0 / kb) * aBlock;
      else packA(i0, mc, k0, kc, ap);
      for (int64_t jp = jp0; jp < jp1; jp++) {
        const uint64_t* bpanel = bp + (k0 * panels + jp * kc) * kBStride;
        int nr = static_cast<int>(std::min<int64_t>(kNR, N - jp * kNR));
        for (int64_t p = 0; p * kMR < mc; p++) {
          int mr = static_cast<int>(std::min<int64_t>(kMR, mc - p * kMR));
          Tile(kc, ap + p * kc * kAStride, bpanel, c + (i0 + p * kMR) * ldc + jp * kNR, ldc, mr, nr, k0 > 0);
        }
      }
    }
  });
}

void GemmU64(int64_t M, int64_t N, int64_t K, const MatView& a, const MatView& b, uint64_t* c, int64_t ldc) {
  GemmPackedA(M, N, K, [&](int64_t i0, int64_t mc, int64_t k0, int64_t kc, uint64_t* dst) {
    PackAStrided(a, M, i0, mc, k0, kc, dst);
  }, b, c, ldc);
}

}  // namespace tfe
