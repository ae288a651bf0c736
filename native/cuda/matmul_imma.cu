// u64 matmul on int8 tensor cores: 8-bit limb planes, WMMA u8 x u8 -> s32 fragments
// (m16n16k16), the 36 limb pairs with i + j <= 7 summed per shift s = i + j, K split into
// chunks of kLimbChunkK so no s32 limb sum can overflow, chunks added in u64. The exactness
// argument and the plane layout are in limb_math.cuh, whose host emulation of this data flow
// is checked bit for bit against the reference backend (test/cuda/limb_math.test.ts).
#include <mma.h>

#include "device_common.cuh"
#include "limb_math.cuh"
#include "tfe_cuda.h"

namespace tfe_cuda {
namespace {

using namespace nvcuda;

__global__ void PackPlanesKernel(const uint64_t* src, int64_t rowStride, int64_t kStride, int64_t rows, int64_t K,
                                 int64_t rowsPadded, int64_t kp, uint8_t* planes) {
  TFE_GRID_LOOP(i, rows * K) PackElement(src, rowStride, kStride, i / K, i % K, rowsPadded, kp, planes);
}

constexpr int kWarpSize = 32;
constexpr int kBlockThreads = kImmaWarps * kWarpSize;  // 256
constexpr int kFragsM = kImmaWarpM / 16;               // 2
constexpr int kPerLane = kImmaWarpM * kImmaWarpN / kWarpSize;  // 16 outputs per lane
static_assert(kImmaWarpN == 16, "one 16-wide fragment per warp in n");

using FragA = wmma::fragment<wmma::matrix_a, 16, 16, 16, unsigned char, wmma::row_major>;
using FragB = wmma::fragment<wmma::matrix_b, 16, 16, 16, unsigned char, wmma::col_major>;
using FragC = wmma::fragment<wmma::accumulator, 16, 16, 16, int>;

// C[tile] (+)= sum_{k in [k0, k1)} A·B over limb planes; k1 - k0 <= kLimbChunkK.
__global__ void __launch_bounds__(kBlockThreads)
    ImmaKernel(const uint8_t* ap, const uint8_t* bp, int64_t M, int64_t N, int64_t mp, int64_t np, int64_t kp,
               int64_t k0, int64_t k1, bool accumulate, uint64_t* c) {
  __shared__ __align__(32) uint8_t As[kLimbs][kImmaTile][kImmaK];
  __shared__ __align__(32) uint8_t Bs[kLimbs][kImmaTile][kImmaK];
  __shared__ __align__(32) int32_t Cs[kImmaWarps][kImmaWarpM][kImmaWarpN];
  const int tid = threadIdx.x, warp = tid / kWarpSize, lane = tid % kWarpSize;
  const int64_t bm = int64_t(blockIdx.y) * kImmaTile, bn = int64_t(blockIdx.x) * kImmaTile;
  int wr, wc;
  WarpOrigin(warp, &wr, &wc);

  FragC acc[kLimbs][kFragsM];
#pragma unroll
  for (int s = 0; s < kLimbs; s++) {
#pragma unroll
    for (int f = 0; f < kFragsM; f++) wmma::fill_fragment(acc[s][f], 0);
  }
  constexpr int kRowsPerStage = 2 * kLimbs * kImmaTile;  // 16-byte rows of A and B planes
  for (int64_t k = k0; k < k1; k += kImmaK) {
    for (int e = tid; e < kRowsPerStage; e += kBlockThreads) {
      const int which = e / (kLimbs * kImmaTile), e2 = e % (kLimbs * kImmaTile);
      const int plane = e2 / kImmaTile, row = e2 % kImmaTile;
      const uint8_t* src = which == 0 ? ap + PlaneIndex(plane, bm + row, k, mp, kp)
                                      : bp + PlaneIndex(plane, bn + row, k, np, kp);
      uint8_t* dst = which == 0 ? &As[plane][row][0] : &Bs[plane][row][0];
      *reinterpret_cast<uint4*>(dst) = *reinterpret_cast<const uint4*>(src);
    }
    __syncthreads();
    FragB bf[kLimbs];
#pragma unroll
    for (int j = 0; j < kLimbs; j++) wmma::load_matrix_sync(bf[j], &Bs[j][wc][0], kImmaK);
#pragma unroll
    for (int i = 0; i < kLimbs; i++) {
      FragA af[kFragsM];
#pragma unroll
      for (int f = 0; f < kFragsM; f++) wmma::load_matrix_sync(af[f], &As[i][wr + 16 * f][0], kImmaK);
#pragma unroll
      for (int j = 0; i + j < kLimbs; j++) {
#pragma unroll
        for (int f = 0; f < kFragsM; f++) wmma::mma_sync(acc[i + j][f], af[f], bf[j], acc[i + j][f]);
      }
    }
    __syncthreads();
  }

  // acc[s] holds T_s of this chunk; add sum_s T_s 2^(8s) into u64 (AddLimbSums, term by term).
  uint64_t out[kPerLane];
#pragma unroll
  for (int q = 0; q < kPerLane; q++) out[q] = 0;
#pragma unroll
  for (int s = 0; s < kLimbs; s++) {
#pragma unroll
    for (int f = 0; f < kFragsM; f++) wmma::store_matrix_sync(&Cs[warp][16 * f][0], acc[s][f], kImmaWarpN, wmma::mem_row_major);
    __syncwarp();
#pragma unroll
    for (int q = 0; q < kPerLane; q++) {
      const int e = lane + kWarpSize * q;
      out[q] += static_cast<uint64_t>(static_cast<uint32_t>(Cs[warp][e / kImmaWarpN][e % kImmaWarpN])) << (8 * s);
    }
    __syncwarp();
  }
#pragma unroll
  for (int q = 0; q < kPerLane; q++) {
    const int e = lane + kWarpSize * q;
    const int64_t row = bm + wr + e / kImmaWarpN, col = bn + wc + e % kImmaWarpN;
    if (row < M && col < N) {
      uint64_t* p = c + row * N + col;
      *p = accumulate ? *p + out[q] : out[q];
    }
  }
}

}  // namespace

void MatMulImmaU64(const MatMulShape& s, const uint64_t* a, const uint64_t* b, uint64_t* c) {
  if (s.M == 0 || s.N == 0) return;
  if (s.K == 0) {
    Check(cudaMemsetAsync(c, 0, s.M * s.N * sizeof(uint64_t), Stream()), "cudaMemsetAsync");
    return;
  }
  const int64_t mp = RoundUp(s.M, kImmaTile), np = RoundUp(s.N, kImmaTile), kp = RoundUp(s.K, kImmaK);
  uint8_t* ap = static_cast<uint8_t*>(DeviceAlloc(kLimbs * mp * kp, true));
  uint8_t* bp = static_cast<uint8_t*>(DeviceAlloc(kLimbs * np * kp, true));
  // A (m, k) and B as (n, k): the strides of the transposes.
  const int64_t am = s.transposeA ? 1 : s.K, ak = s.transposeA ? s.M : 1;
  const int64_t bn = s.transposeB ? s.K : 1, bk = s.transposeB ? 1 : s.N;
  PackPlanesKernel<<<Blocks(s.M * s.K), kThreads, 0, Stream()>>>(a, am, ak, s.M, s.K, mp, kp, ap);
  CheckLaunch("pack limb planes A");
  PackPlanesKernel<<<Blocks(s.N * s.K), kThreads, 0, Stream()>>>(b, bn, bk, s.N, s.K, np, kp, bp);
  CheckLaunch("pack limb planes B");
  const dim3 grid(unsigned(np / kImmaTile), unsigned(mp / kImmaTile));
  for (int64_t k0 = 0; k0 < kp; k0 += kLimbChunkK) {
    const int64_t k1 = k0 + kLimbChunkK < kp ? k0 + kLimbChunkK : kp;
    ImmaKernel<<<grid, kBlockThreads, 0, Stream()>>>(ap, bp, s.M, s.N, mp, np, kp, k0, k1, k0 > 0, c);
    CheckLaunch("matmul imma");
  }
  DeviceFree(ap);
  DeviceFree(bp);
}

}  // namespace tfe_cuda
