// Index arithmetic shared by the device kernels and the host checks: n-d strided offsets,
// the tiled u64 GEMM's thread-to-element maps, and the im2col window map.
#pragma once
#include <cstdint>

#include "hd.cuh"

namespace tfe_cuda {

constexpr int kMaxRank = 8;

// A strided n-d view: element `idx` (row-major over shape) of operand t is at
// offset[t] + sum_d coord_d * strides[t][d]. Up to 3 operands (binary, select).
struct NdView {
  int rank;
  int64_t shape[kMaxRank];
  int64_t strides[3][kMaxRank];
  int64_t offset[3];
};

// Elements in the view (1 for rank 0).
TFE_HD int64_t ViewSize(const NdView& v) {
  int64_t n = 1;
  for (int d = 0; d < v.rank; d++) n *= v.shape[d];
  return n;
}

// Offset of row-major element `idx` in operand `t` of the view.
TFE_HD int64_t NdOffset(const NdView& v, int t, int64_t idx) {
  int64_t off = v.offset[t];
  for (int d = v.rank - 1; d >= 0; d--) {
    const int64_t q = idx / v.shape[d];
    off += (idx - q * v.shape[d]) * v.strides[t][d];
    idx = q;
  }
  return off;
}

// The tiled u64 GEMM: a block computes a kTileM x kTileN tile of C, stepping K by kTileK;
// each of its kTileThreads threads owns a kMicro x kMicro patch of the tile and loads
// kTileLoads elements of the A tile and of the B tile per step.
constexpr int kTileM = 64, kTileN = 64, kTileK = 16, kMicro = 4;
constexpr int kTileThreads = (kTileM / kMicro) * (kTileN / kMicro);  // 256
constexpr int kTileLoads = kTileM * kTileK / kTileThreads;          // 4
static_assert(kTileM * kTileK == kTileN * kTileK, "A and B tiles hold the same element count");

// Element (m, k) of the A tile that thread `tid` loads in load `l` (k fastest: coalesced
// reads of row-major A).
TFE_HD void TileLoadA(int tid, int l, int* m, int* k) {
  const int e = l * kTileThreads + tid;
  *m = e / kTileK;
  *k = e % kTileK;
}

// Element (k, n) of the B tile that thread `tid` loads in load `l` (n fastest).
TFE_HD void TileLoadB(int tid, int l, int* k, int* n) {
  const int e = l * kTileThreads + tid;
  *k = e / kTileN;
  *n = e % kTileN;
}

// First row and column of thread `tid`'s patch; rows are r0 + i * (kTileM / kMicro)
// and columns c0 + j * (kTileN / kMicro), i, j < kMicro (strided, so shared-memory reads of
// a warp hit distinct banks).
TFE_HD void TilePatch(int tid, int* r0, int* c0) {
  *r0 = tid / (kTileN / kMicro);
  *c0 = tid % (kTileN / kMicro);
}

// Window geometry of Conv2D / Im2Col / Col2Im: NHWC input, (dy, dx, c) column order.
struct ConvGeom {
  int64_t n, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow;
};

// Input offset read by im2col element (row, col), or -1 over the padding.
TFE_HD int64_t Im2ColSource(const ConvGeom& g, int64_t row, int64_t col) {
  const int64_t ox = row % g.ow, t = row / g.ow, oy = t % g.oh, n = t / g.oh;
  const int64_t c = col % g.c, t2 = col / g.c, dx = t2 % g.kw, dy = t2 / g.kw;
  const int64_t iy = oy * g.sh + dy - g.pt, ix = ox * g.sw + dx - g.pl;
  if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) return -1;
  return ((n * g.h + iy) * g.w + ix) * g.c + c;
}

}  // namespace tfe_cuda
