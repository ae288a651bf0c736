// Exact u64 matrix products from 8-bit limbs on int8 tensor cores (IMMA), and the host
// emulation of that kernel's data flow (test/cuda/limb_math.test.ts runs it bit for bit
// against the reference backend).
//
// Exactness argument. Split x = sum_i x_i 2^(8i), x_i in [0, 255]. Modulo 2^64 only limb
// pairs with i + j <= 7 contribute, so for a dot product over K terms
//   sum_k a_k b_k = sum_{s=0..7} T_s 2^(8s)  (mod 2^64),   T_s = sum_k sum_{i+j=s} a_{k,i} b_{k,j}.
// Each u8 x u8 product is <= 255^2 = 65025 and T_s has at most 8 pairs per k, so within a
// K-chunk of kLimbChunkK = 4096 terms T_s <= 8 * 4096 * 65025 = 2 130 739 200 < 2^31 - 1: the
// tensor cores' s32 accumulators never overflow (no reliance on wrap-around or saturation).
// Larger K is split into chunks and each chunk's sum_s T_s 2^(8s) is added in u64 (mod 2^64).
//
// Device layout ("limb planes"): A [M x K] becomes 8 planes [8][Mp][Kp] of u8 (k contiguous),
// B [K x N] becomes 8 planes [8][Np][Kp] (k contiguous, i.e. column-major B for WMMA), zero
// padded to Mp, Np multiples of kImmaTile and Kp a multiple of kImmaK.
#pragma once
#include <cstdint>

#include "hd.cuh"

namespace tfe_cuda {

constexpr int kLimbs = 8;
constexpr int64_t kLimbChunkK = 4096;
constexpr int kImmaTile = 64;  // output tile of one thread block (kImmaTile x kImmaTile)
constexpr int kImmaK = 16;     // k-step of one WMMA fragment (m16n16k16 u8)
constexpr int kImmaWarpM = 32, kImmaWarpN = 16;  // warp tile: 2 x 1 fragments of 16 x 16
constexpr int kImmaWarps = (kImmaTile / kImmaWarpM) * (kImmaTile / kImmaWarpN);  // 8

static_assert(int64_t(kLimbs) * kLimbChunkK * 255 * 255 < (int64_t(1) << 31) - 1,
              "limb sums of one K-chunk must fit the s32 tensor-core accumulators");
static_assert(kLimbChunkK % kImmaK == 0, "a K-chunk is whole fragments");

// Limb i (8 bits) of x.
TFE_HD uint8_t Limb(uint64_t x, int i) { return static_cast<uint8_t>(x >> (8 * i)); }

// Rounds n up to a multiple of m.
TFE_HD int64_t RoundUp(int64_t n, int64_t m) { return (n + m - 1) / m * m; }

// Index of (plane, row, k) in a limb-plane buffer of `rows` x `kp` per plane.
TFE_HD int64_t PlaneIndex(int plane, int64_t row, int64_t k, int64_t rows, int64_t kp) {
  return (static_cast<int64_t>(plane) * rows + row) * kp + k;
}

// Adds one K-chunk's limb sums T_s (each in [0, 2^31)) into a u64 accumulator:
// acc + sum_s T_s 2^(8s) mod 2^64.
TFE_HD uint64_t AddLimbSums(uint64_t acc, const int32_t* t) {
  for (int s = 0; s < kLimbs; s++) acc += static_cast<uint64_t>(static_cast<uint32_t>(t[s])) << (8 * s);
  return acc;
}

// Writes the 8 limbs of element (row, k) of a strided u64 matrix (element at
// src[row * rowStride + k * kStride]) into limb planes of `rows` x `kp` per plane.
TFE_HD void PackElement(const uint64_t* src, int64_t rowStride, int64_t kStride, int64_t row, int64_t k,
                        int64_t rows, int64_t kp, uint8_t* planes) {
  const uint64_t x = src[row * rowStride + k * kStride];
  for (int i = 0; i < kLimbs; i++) planes[PlaneIndex(i, row, k, rows, kp)] = Limb(x, i);
}

// Output tile origin (row, col) of warp `warp` inside a block tile.
TFE_HD void WarpOrigin(int warp, int* row, int* col) {
  *row = (warp % (kImmaTile / kImmaWarpM)) * kImmaWarpM;
  *col = (warp / (kImmaTile / kImmaWarpM)) * kImmaWarpN;
}

#if !defined(__CUDACC__)
// Host emulation of the IMMA kernel's data flow on limb planes built by the same PlaneIndex:
// per block tile, per warp tile, per K-chunk, s32 limb sums over 16 x 16 x 16 fragment
// products (checked against the chunk bound), combined by AddLimbSums into C (M x N, u64).
// Returns the largest limb sum seen, so tests can show the bound is reached but not passed.
inline int64_t EmulateImmaMatMul(const uint8_t* ap, const uint8_t* bp, int64_t M, int64_t N, int64_t K,
                                 uint64_t* c) {
  const int64_t mp = RoundUp(M, kImmaTile), np = RoundUp(N, kImmaTile), kp = RoundUp(K, kImmaK);
  int64_t maxSum = 0;
  for (int64_t i = 0; i < M * N; i++) c[i] = 0;
  for (int64_t bm = 0; bm < mp; bm += kImmaTile) {
    for (int64_t bn = 0; bn < np; bn += kImmaTile) {
      for (int w = 0; w < kImmaWarps; w++) {
        int wr, wc;
        WarpOrigin(w, &wr, &wc);
        for (int64_t k0 = 0; k0 < kp; k0 += kLimbChunkK) {
          const int64_t k1 = k0 + kLimbChunkK < kp ? k0 + kLimbChunkK : kp;
          for (int r = 0; r < kImmaWarpM; r++) {
            for (int q = 0; q < kImmaWarpN; q++) {
              const int64_t row = bm + wr + r, col = bn + wc + q;
              int64_t t[kLimbs] = {};
              for (int i = 0; i < kLimbs; i++) {
                for (int j = 0; i + j < kLimbs; j++) {
                  for (int64_t k = k0; k < k1; k++) {
                    t[i + j] += int64_t(ap[PlaneIndex(i, row, k, mp, kp)]) * bp[PlaneIndex(j, col, k, np, kp)];
                  }
                }
              }
              int32_t t32[kLimbs];
              for (int s = 0; s < kLimbs; s++) {
                if (t[s] > maxSum) maxSum = t[s];
                t32[s] = static_cast<int32_t>(t[s] > 0x7fffffff ? -1 : t[s]);  // -1 marks an overflow
              }
              if (row < M && col < N) c[row * N + col] = AddLimbSums(c[row * N + col], t32);
            }
          }
        }
      }
    }
  }
  return maxSum;
}
#endif

}  // namespace tfe_cuda
