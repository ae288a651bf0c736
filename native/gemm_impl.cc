// Packing and the blocked, multithreaded loops of the u64 GEMM (micro-kernel: gemm_micro.h).
#include "gemm_impl.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

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

#if defined(__AVX512F__) && defined(__AVX512VL__)

// Low52 and the pairs of 8 or 4 u64 lanes (the pairs stay in u64 lanes until narrowed).
inline __m512i Low52x8(__m512i v) { return _mm512_and_si512(v, _mm512_set1_epi64(static_cast<long long>(kLow52))); }
inline __m512i PairBx8(__m512i v) {
  return _mm512_or_si512(_mm512_srli_epi64(v, 52), _mm512_slli_epi64(_mm512_and_si512(v, _mm512_set1_epi64(0xfff)), 16));
}
inline __m256i Low52x4(__m256i v) { return _mm256_and_si256(v, _mm256_set1_epi64x(static_cast<long long>(kLow52))); }
inline __m256i PairAx4(__m256i v) {
  return _mm256_or_si256(_mm256_and_si256(v, _mm256_set1_epi64x(0xfff)), _mm256_slli_epi64(_mm256_srli_epi64(v, 52), 16));
}

// Stores slot k of a panel from 4 u64 lanes (rows 0..3): Low52 lanes, then the pairs as u32.
inline void StoreSlot(uint64_t* pk, __m256i v) {
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(pk), Low52x4(v));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(pk + kMR), _mm256_cvtepi64_epi32(PairAx4(v)));
}

// A full panel whose 4 rows are adjacent in memory (a transposed A: element (r, k) at
// s[r + k·cs]): each slot is one 32-byte load.
void PackPanelAdjacentRows(const uint64_t* s, int64_t cs, int64_t kc, uint64_t* d) {
  for (int64_t k = 0; k < kc; k++) {
    StoreSlot(d + k * kAStride, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(s + k * cs)));
  }
}

// Slots k and k + 1 from one 512-bit vector (rows 0..3 of slot k, then of slot k + 1).
inline void StoreSlotPair(uint64_t* pk, __m512i v) {
  StoreSlot(pk, _mm512_castsi512_si256(v));
  StoreSlot(pk + kAStride, _mm512_extracti64x4_epi64(v, 1));
}

// A full panel of 4 row-major rows (element (r, k) at s[r·rs + k]): 8 slots at a time, the
// 4 x 8 block transposed by two levels of two-source permutes; the k tail goes slot by slot.
void PackPanelRowMajor(const uint64_t* s, int64_t rs, int64_t kc, uint64_t* d) {
  const __m512i lo = _mm512_setr_epi64(0, 8, 1, 9, 2, 10, 3, 11), hi = _mm512_setr_epi64(4, 12, 5, 13, 6, 14, 7, 15);
  const __m512i first = _mm512_setr_epi64(0, 1, 8, 9, 2, 3, 10, 11), second = _mm512_setr_epi64(4, 5, 12, 13, 6, 7, 14, 15);
  int64_t k = 0;
  for (; k + 8 <= kc; k += 8) {
    const __m512i r0 = _mm512_loadu_si512(s + k), r1 = _mm512_loadu_si512(s + rs + k);
    const __m512i r2 = _mm512_loadu_si512(s + 2 * rs + k), r3 = _mm512_loadu_si512(s + 3 * rs + k);
    const __m512i a01 = _mm512_permutex2var_epi64(r0, lo, r1), b01 = _mm512_permutex2var_epi64(r0, hi, r1);
    const __m512i a23 = _mm512_permutex2var_epi64(r2, lo, r3), b23 = _mm512_permutex2var_epi64(r2, hi, r3);
    uint64_t* pk = d + k * kAStride;
    StoreSlotPair(pk, _mm512_permutex2var_epi64(a01, first, a23));
    StoreSlotPair(pk + 2 * kAStride, _mm512_permutex2var_epi64(a01, second, a23));
    StoreSlotPair(pk + 4 * kAStride, _mm512_permutex2var_epi64(b01, first, b23));
    StoreSlotPair(pk + 6 * kAStride, _mm512_permutex2var_epi64(b01, second, b23));
  }
  for (; k < kc; k++) {
    StoreSlot(d + k * kAStride, _mm256_setr_epi64x(static_cast<long long>(s[k]), static_cast<long long>(s[rs + k]),
                                                   static_cast<long long>(s[2 * rs + k]), static_cast<long long>(s[3 * rs + k])));
  }
}

#endif  // AVX-512 packing

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
#if defined(__AVX512F__) && defined(__AVX512VL__)
      if (nr == kNR && b.cs == 1) {
        // A full row-major panel row: 16 adjacent values, two vectors.
        const __m512i lo = _mm512_loadu_si512(s), hi = _mm512_loadu_si512(s + 8);
        _mm512_storeu_si512(dk, Low52x8(lo));
        _mm512_storeu_si512(dk + 8, Low52x8(hi));
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(pairs), _mm512_cvtepi64_epi32(PairBx8(lo)));
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(pairs + 8), _mm512_cvtepi64_epi32(PairBx8(hi)));
        continue;
      }
#endif
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
#if defined(__AVX512F__) && defined(__AVX512VL__)
    const int64_t first = i0 + p * kMR;
    if (p * kMR + kMR <= mc && first + kMR <= M) {
      const uint64_t* s = a.p + first * a.rs + k0 * a.cs;
      if (a.rs == 1) { PackPanelAdjacentRows(s, a.cs, kc, d); continue; }
      if (a.cs == 1) { PackPanelRowMajor(s, a.rs, kc, d); continue; }
    }
#endif
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
