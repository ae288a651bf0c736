// The tiled shared-memory u64 GEMM (the always-correct path, any shape, batched and
// transposed), the direct kernel for u8 rings, the MatMul dispatch and Conv2D.
// Tile geometry and thread maps live in index_math.cuh (host-checked).
#include "device_common.cuh"
#include "limb_math.cuh"
#include "tfe_cuda.h"

namespace tfe_cuda {
namespace {

// Element strides of A (m, k) and B (k, n) for the transposes.
struct OperandStrides {
  int64_t am, ak, bk, bn;
};

OperandStrides StridesOf(const MatMulShape& s) {
  OperandStrides o;
  o.am = s.transposeA ? 1 : s.K;
  o.ak = s.transposeA ? s.M : 1;
  o.bk = s.transposeB ? 1 : s.N;
  o.bn = s.transposeB ? s.K : 1;
  return o;
}

__global__ void __launch_bounds__(kTileThreads)
    TiledU64Kernel(MatMulShape s, OperandStrides st, NdView batch, int64_t batch0, const uint64_t* a,
                   const uint64_t* b, uint64_t* c) {
  __shared__ uint64_t As[kTileK][kTileM];
  __shared__ uint64_t Bs[kTileK][kTileN];
  const int tid = threadIdx.x;
  const int64_t bi = batch0 + blockIdx.z;
  const uint64_t* ab = a + NdOffset(batch, 0, bi);
  const uint64_t* bb = b + NdOffset(batch, 1, bi);
  uint64_t* cb = c + bi * s.M * s.N;
  const int64_t m0 = int64_t(blockIdx.y) * kTileM, n0 = int64_t(blockIdx.x) * kTileN;
  int r0, c0;
  TilePatch(tid, &r0, &c0);
  uint64_t acc[kMicro][kMicro] = {};
  for (int64_t k0 = 0; k0 < s.K; k0 += kTileK) {
#pragma unroll
    for (int l = 0; l < kTileLoads; l++) {
      int m, k, kb, n;
      TileLoadA(tid, l, &m, &k);
      const int64_t gm = m0 + m, gk = k0 + k;
      As[k][m] = gm < s.M && gk < s.K ? ab[gm * st.am + gk * st.ak] : 0;
      TileLoadB(tid, l, &kb, &n);
      const int64_t gkb = k0 + kb, gn = n0 + n;
      Bs[kb][n] = gkb < s.K && gn < s.N ? bb[gkb * st.bk + gn * st.bn] : 0;
    }
    __syncthreads();
#pragma unroll
    for (int k = 0; k < kTileK; k++) {
      uint64_t av[kMicro], bv[kMicro];
#pragma unroll
      for (int i = 0; i < kMicro; i++) av[i] = As[k][r0 + i * (kTileM / kMicro)];
#pragma unroll
      for (int j = 0; j < kMicro; j++) bv[j] = Bs[k][c0 + j * (kTileN / kMicro)];
#pragma unroll
      for (int i = 0; i < kMicro; i++) {
#pragma unroll
        for (int j = 0; j < kMicro; j++) acc[i][j] += av[i] * bv[j];
      }
    }
    __syncthreads();
  }
#pragma unroll
  for (int i = 0; i < kMicro; i++) {
#pragma unroll
    for (int j = 0; j < kMicro; j++) {
      const int64_t m = m0 + r0 + i * (kTileM / kMicro), n = n0 + c0 + j * (kTileN / kMicro);
      if (m < s.M && n < s.N) cb[m * s.N + n] = acc[i][j];
    }
  }
}

// u8 rings: one thread per output, exact u64 sum (K·255² < 2^64), then mod m.
__global__ void SmallRingKernel(MatMulShape s, OperandStrides st, NdView batch, int64_t count, uint32_t m,
                                const uint8_t* a, const uint8_t* b, uint8_t* c) {
  TFE_GRID_LOOP(i, count * s.M * s.N) {
    const int64_t n = i % s.N, t = i / s.N, row = t % s.M, bi = t / s.M;
    const uint8_t* ab = a + NdOffset(batch, 0, bi);
    const uint8_t* bb = b + NdOffset(batch, 1, bi);
    uint64_t acc = 0;
    for (int64_t k = 0; k < s.K; k++) acc += uint64_t(ab[row * st.am + k * st.ak]) * bb[k * st.bk + n * st.bn];
    c[i] = static_cast<uint8_t>(acc % m);
  }
}

void TiledBatched(const MatMulShape& s, const NdView& batch, const uint64_t* a, const uint64_t* b, uint64_t* c) {
  const int64_t count = ViewSize(batch);
  const dim3 block(kTileThreads);
  const OperandStrides st = StridesOf(s);
  for (int64_t b0 = 0; b0 < count; b0 += 65535) {
    const int64_t nb = count - b0 < 65535 ? count - b0 : 65535;
    const dim3 grid(unsigned((s.N + kTileN - 1) / kTileN), unsigned((s.M + kTileM - 1) / kTileM), unsigned(nb));
    TiledU64Kernel<<<grid, block, 0, Stream()>>>(s, st, batch, b0, a, b, c);
    CheckLaunch("matmul tiled u64");
  }
}

NdView NoBatch() {
  NdView v{};
  v.rank = 0;
  return v;
}

}  // namespace

bool UsesImma(int modulus, int64_t batchCount, const MatMulShape& s) {
  return modulus == 0 && batchCount == 1 && s.M >= 128 && s.N >= 128 && s.K >= 64;
}

void MatMulTiledU64(const MatMulShape& s, const uint64_t* a, const uint64_t* b, uint64_t* c) {
  if (s.M == 0 || s.N == 0) return;
  TiledBatched(s, NoBatch(), a, b, c);
}

void MatMul(int modulus, const MatMulShape& s, const NdView& batch, const void* a, const void* b, void* c) {
  const int64_t count = ViewSize(batch);
  const int64_t n = count * s.M * s.N;
  if (n == 0) return;
  if (modulus != 0) {
    SmallRingKernel<<<Blocks(n), kThreads, 0, Stream()>>>(s, StridesOf(s), batch, count, modulus,
                                                          static_cast<const uint8_t*>(a), static_cast<const uint8_t*>(b),
                                                          static_cast<uint8_t*>(c));
    CheckLaunch("matmul u8");
    return;
  }
  auto a64 = static_cast<const uint64_t*>(a);
  auto b64 = static_cast<const uint64_t*>(b);
  auto c64 = static_cast<uint64_t*>(c);
  if (s.K == 0) {
    Check(cudaMemsetAsync(c64, 0, n * sizeof(uint64_t), Stream()), "cudaMemsetAsync");
  } else if (UsesImma(modulus, count, s)) {
    MatMulImmaU64(s, a64 + NdOffset(batch, 0, 0), b64 + NdOffset(batch, 1, 0), c64);
  } else {
    TiledBatched(s, batch, a64, b64, c64);
  }
}

void Conv2D(const ConvGeom& g, int64_t F, const uint64_t* x, const uint64_t* w, uint64_t* out) {
  const int64_t rows = g.n * g.oh * g.ow, cols = g.kh * g.kw * g.c;
  if (rows == 0 || F == 0) return;
  uint64_t* tmp = static_cast<uint64_t*>(DeviceAlloc(rows * cols * sizeof(uint64_t), false));
  Im2Col(true, g, x, tmp);
  MatMulShape s{rows, cols, F, false, false};
  MatMul(0, s, NoBatch(), tmp, w, out);
  DeviceFree(tmp);
}

}  // namespace tfe_cuda
