// Data movement and reductions: strided copies (Transpose, Slice, Tile, Pad, Concat), Gather,
// Im2Col / Col2Im, ReduceSum, CumSum. Col2Im gathers the windows covering each input element
// instead of scattering, so no atomics are needed and u8 rings work the same way.
#include "device_common.cuh"
#include "tfe_cuda.h"

namespace tfe_cuda {
namespace {

template <class T>
__global__ void StridedCopyKernel(NdView v, int64_t n, const T* src, T* dst) {
  TFE_GRID_LOOP(i, n) dst[NdOffset(v, 0, i)] = src[NdOffset(v, 1, i)];
}

template <class T>
__global__ void GatherKernel(int64_t outer, int64_t axisLen, int64_t inner, const int32_t* idx, int64_t count,
                             const T* x, T* o) {
  TFE_GRID_LOOP(i, outer * count * inner) {
    const int64_t c = i % inner, t = i / inner, j = t % count, a = t / count;
    o[i] = x[(a * axisLen + idx[j]) * inner + c];
  }
}

template <class T>
__global__ void Im2ColKernel(ConvGeom g, const T* x, T* cols) {
  const int64_t ncols = g.kh * g.kw * g.c;
  TFE_GRID_LOOP(i, g.n * g.oh * g.ow * ncols) {
    const int64_t src = Im2ColSource(g, i / ncols, i % ncols);
    cols[i] = src < 0 ? T(0) : x[src];
  }
}

template <class T>
__global__ void Col2ImKernel(ConvGeom g, uint32_t m, const T* cols, T* x) {
  const int64_t ncols = g.kh * g.kw * g.c;
  TFE_GRID_LOOP(i, g.n * g.h * g.w * g.c) {
    const int64_t c = i % g.c, t = i / g.c, ix = t % g.w, t2 = t / g.w, iy = t2 % g.h, n = t2 / g.h;
    uint64_t acc = 0;
    for (int64_t dy = 0; dy < g.kh; dy++) {
      const int64_t y = iy + g.pt - dy;
      if (y < 0 || y % g.sh != 0 || y / g.sh >= g.oh) continue;
      for (int64_t dx = 0; dx < g.kw; dx++) {
        const int64_t xx = ix + g.pl - dx;
        if (xx < 0 || xx % g.sw != 0 || xx / g.sw >= g.ow) continue;
        const int64_t row = (n * g.oh + y / g.sh) * g.ow + xx / g.sw;
        acc += cols[row * ncols + (dy * g.kw + dx) * g.c + c];
      }
    }
    x[i] = m ? T(acc % m) : T(acc);
  }
}

// Output o sums input elements NdOffset(v, 1, o·rows + r), r < rows: one thread per output.
template <class T>
__global__ void ReduceRowsKernel(NdView v, uint32_t m, int64_t outSize, int64_t rows, const T* x, T* o) {
  TFE_GRID_LOOP(i, outSize) {
    uint64_t acc = 0;
    for (int64_t r = 0; r < rows; r++) acc += x[NdOffset(v, 1, i * rows + r)];
    o[i] = m ? T(acc % m) : T(acc);
  }
}

// The same with one block per output and a shared-memory tree (few outputs, long rows).
template <class T>
__global__ void ReduceRowsBlockKernel(NdView v, uint32_t m, int64_t rows, const T* x, T* o) {
  __shared__ uint64_t part[kThreads];
  const int64_t out = blockIdx.x;
  uint64_t acc = 0;
  for (int64_t r = threadIdx.x; r < rows; r += blockDim.x) acc += x[NdOffset(v, 1, out * rows + r)];
  if (m) acc %= m;  // keeps the u8 partial sums small
  part[threadIdx.x] = acc;
  __syncthreads();
  for (int s = kThreads / 2; s > 0; s >>= 1) {
    if (threadIdx.x < s) part[threadIdx.x] += part[threadIdx.x + s];
    __syncthreads();
  }
  if (threadIdx.x == 0) o[out] = m ? T(part[0] % m) : T(part[0]);
}

template <class T>
__global__ void CumSumKernel(uint32_t m, int64_t outer, int64_t len, int64_t inner, bool excl, bool rev, const T* x,
                             T* o) {
  TFE_GRID_LOOP(line, outer * inner) {
    const int64_t a = line / inner, c = line % inner;
    uint64_t acc = 0;
    for (int64_t j0 = 0; j0 < len; j0++) {
      const int64_t at = (a * len + (rev ? len - 1 - j0 : j0)) * inner + c;
      const uint64_t v = x[at];
      if (excl) o[at] = T(acc);
      acc = m ? (acc + v) % m : acc + v;
      if (!excl) o[at] = T(acc);
    }
  }
}

}  // namespace

void StridedCopy(bool u64, const NdView& v, const void* src, void* dst) {
  const int64_t n = ViewSize(v);
  if (n == 0) return;
  if (u64) {
    StridedCopyKernel<uint64_t><<<Blocks(n), kThreads, 0, Stream()>>>(v, n, static_cast<const uint64_t*>(src),
                                                                      static_cast<uint64_t*>(dst));
  } else {
    StridedCopyKernel<uint8_t><<<Blocks(n), kThreads, 0, Stream()>>>(v, n, static_cast<const uint8_t*>(src),
                                                                     static_cast<uint8_t*>(dst));
  }
  CheckLaunch("stridedCopy");
}

void Gather(bool u64, int64_t outer, int64_t axisLen, int64_t inner, const int32_t* indices, int64_t count,
            const void* x, void* out) {
  const int64_t n = outer * count * inner;
  if (n == 0) return;
  if (u64) {
    GatherKernel<uint64_t><<<Blocks(n), kThreads, 0, Stream()>>>(outer, axisLen, inner, indices, count,
                                                                 static_cast<const uint64_t*>(x), static_cast<uint64_t*>(out));
  } else {
    GatherKernel<uint8_t><<<Blocks(n), kThreads, 0, Stream()>>>(outer, axisLen, inner, indices, count,
                                                                static_cast<const uint8_t*>(x), static_cast<uint8_t*>(out));
  }
  CheckLaunch("gather");
}

void Im2Col(bool u64, const ConvGeom& g, const void* x, void* cols) {
  const int64_t n = g.n * g.oh * g.ow * g.kh * g.kw * g.c;
  if (n == 0) return;
  if (u64) {
    Im2ColKernel<uint64_t><<<Blocks(n), kThreads, 0, Stream()>>>(g, static_cast<const uint64_t*>(x), static_cast<uint64_t*>(cols));
  } else {
    Im2ColKernel<uint8_t><<<Blocks(n), kThreads, 0, Stream()>>>(g, static_cast<const uint8_t*>(x), static_cast<uint8_t*>(cols));
  }
  CheckLaunch("im2col");
}

void Col2Im(int modulus, const ConvGeom& g, const void* cols, void* x) {
  const int64_t n = g.n * g.h * g.w * g.c;
  if (n == 0) return;
  if (modulus == 0) {
    Col2ImKernel<uint64_t><<<Blocks(n), kThreads, 0, Stream()>>>(g, 0, static_cast<const uint64_t*>(cols), static_cast<uint64_t*>(x));
  } else {
    Col2ImKernel<uint8_t><<<Blocks(n), kThreads, 0, Stream()>>>(g, modulus, static_cast<const uint8_t*>(cols), static_cast<uint8_t*>(x));
  }
  CheckLaunch("col2im");
}

void ReduceSum(int modulus, const NdView& v, int64_t outSize, const void* x, void* out) {
  const int64_t total = ViewSize(v);
  if (outSize == 0) return;
  const int64_t rows = total / outSize;
  const bool block = outSize < 4096 && rows >= 1024;
  if (modulus == 0) {
    auto xs = static_cast<const uint64_t*>(x);
    auto os = static_cast<uint64_t*>(out);
    if (block) ReduceRowsBlockKernel<uint64_t><<<unsigned(outSize), kThreads, 0, Stream()>>>(v, 0, rows, xs, os);
    else ReduceRowsKernel<uint64_t><<<Blocks(outSize), kThreads, 0, Stream()>>>(v, 0, outSize, rows, xs, os);
  } else {
    auto xs = static_cast<const uint8_t*>(x);
    auto os = static_cast<uint8_t*>(out);
    if (block) ReduceRowsBlockKernel<uint8_t><<<unsigned(outSize), kThreads, 0, Stream()>>>(v, modulus, rows, xs, os);
    else ReduceRowsKernel<uint8_t><<<Blocks(outSize), kThreads, 0, Stream()>>>(v, modulus, outSize, rows, xs, os);
  }
  CheckLaunch("reduceSum");
}

void CumSum(int modulus, int64_t outer, int64_t len, int64_t inner, bool exclusive, bool reverse, const void* x,
            void* out) {
  const int64_t lines = outer * inner;
  if (lines == 0 || len == 0) return;
  if (modulus == 0) {
    CumSumKernel<uint64_t><<<Blocks(lines), kThreads, 0, Stream()>>>(0, outer, len, inner, exclusive, reverse,
                                                                     static_cast<const uint64_t*>(x), static_cast<uint64_t*>(out));
  } else {
    CumSumKernel<uint8_t><<<Blocks(lines), kThreads, 0, Stream()>>>(modulus, outer, len, inner, exclusive, reverse,
                                                                    static_cast<const uint8_t*>(x), static_cast<uint8_t*>(out));
  }
  CheckLaunch("cumSum");
}

}  // namespace tfe_cuda
