// Elementwise kernels: binary arithmetic and bitwise ops with broadcasting, comparisons,
// Select, Neg/BitwiseNot, shifts, bit extraction, casts, OneHot and Fill. One thread per
// output element in grid-stride loops; u64 wraps mod 2^64, u8 operands are in [0, m).
#include "device_common.cuh"
#include "tfe_cuda.h"

namespace tfe_cuda {
namespace {

template <class T>
__device__ __forceinline__ T BinaryOp(int op, T a, T b) {
  switch (op) {
    case kAdd: return a + b;
    case kSub: return a - b;
    case kMul: return a * b;
    case kAnd: return a & b;
    case kOr: return a | b;
    default: return a ^ b;
  }
}

__global__ void BinaryU64(int op, NdView v, int64_t n, const uint64_t* a, const uint64_t* b, uint64_t* o) {
  TFE_GRID_LOOP(i, n) o[i] = BinaryOp<uint64_t>(op, a[NdOffset(v, 0, i)], b[NdOffset(v, 1, i)]);
}

__global__ void BinaryU8(int op, uint32_t m, NdView v, int64_t n, const uint8_t* a, const uint8_t* b, uint8_t* o) {
  TFE_GRID_LOOP(i, n) {
    const uint32_t x = a[NdOffset(v, 0, i)], y = b[NdOffset(v, 1, i)];
    uint32_t r;
    switch (op) {
      case kAdd: r = (x + y) % m; break;
      case kSub: r = (x + m - y) % m; break;
      case kMul: r = (x * y) % m; break;
      default: r = BinaryOp<uint32_t>(op, x, y); break;
    }
    o[i] = static_cast<uint8_t>(r);
  }
}

template <class T>
__device__ __forceinline__ bool CompareOp(int op, T a, T b) {
  switch (op) {
    case kLess: return a < b;
    case kLessEqual: return a <= b;
    case kGreater: return a > b;
    case kGreaterEqual: return a >= b;
    case kEqual: return a == b;
    default: return a != b;
  }
}

template <class T>
__global__ void CompareKernel(int op, NdView v, int64_t n, const T* a, const T* b, uint8_t* o) {
  TFE_GRID_LOOP(i, n) o[i] = CompareOp<T>(op, a[NdOffset(v, 0, i)], b[NdOffset(v, 1, i)]);
}

template <class T>
__global__ void SelectKernel(NdView v, int64_t n, const uint8_t* c, const T* a, const T* b, T* o) {
  TFE_GRID_LOOP(i, n) o[i] = c[NdOffset(v, 0, i)] ? a[NdOffset(v, 1, i)] : b[NdOffset(v, 2, i)];
}

__global__ void UnaryU64(int op, int64_t n, const uint64_t* x, uint64_t* o) {
  TFE_GRID_LOOP(i, n) o[i] = op == kNeg ? uint64_t(0) - x[i] : ~x[i];
}

__global__ void UnaryU8(int op, uint32_t m, int64_t n, const uint8_t* x, uint8_t* o) {
  TFE_GRID_LOOP(i, n) o[i] = static_cast<uint8_t>(op == kNeg ? (m - x[i]) % m : (1 + m - x[i]) % m);
}

__global__ void ShiftKernel(int op, int bits, int64_t n, const uint64_t* x, uint64_t* o) {
  TFE_GRID_LOOP(i, n) {
    const uint64_t v = x[i];
    o[i] = op == kShl ? v << bits
         : op == kShrLogical ? v >> bits
         : static_cast<uint64_t>(static_cast<int64_t>(v) >> bits);
  }
}

__global__ void BitExtractKernel(int bit, int64_t n, const uint64_t* x, uint8_t* o) {
  TFE_GRID_LOOP(i, n) o[i] = static_cast<uint8_t>((x[i] >> bit) & 1);
}

__global__ void BitDecomposeKernel(int64_t n, const uint64_t* x, uint8_t* o) {
  TFE_GRID_LOOP(i, n * 64) o[i] = static_cast<uint8_t>((x[i >> 6] >> (i & 63)) & 1);
}

__global__ void CastKernel(int src, int dst, int64_t n, const void* x, void* o) {
  TFE_GRID_LOOP(i, n) {
    const uint64_t v = src == 0 ? static_cast<const uint64_t*>(x)[i] : static_cast<const uint8_t*>(x)[i];
    if (dst == 0) static_cast<uint64_t*>(o)[i] = v;
    else static_cast<uint8_t*>(o)[i] = static_cast<uint8_t>(v % uint64_t(dst));
  }
}

__global__ void OneHotKernel(bool toU64, int64_t depth, int64_t n, const uint64_t* x, void* o) {
  TFE_GRID_LOOP(i, n * depth) {
    const uint64_t hot = x[i / depth] == uint64_t(i % depth) ? 1 : 0;
    if (toU64) static_cast<uint64_t*>(o)[i] = hot;
    else static_cast<uint8_t*>(o)[i] = static_cast<uint8_t>(hot);
  }
}

__global__ void FillKernel(bool u64, uint64_t value, int64_t n, void* o) {
  TFE_GRID_LOOP(i, n) {
    if (u64) static_cast<uint64_t*>(o)[i] = value;
    else static_cast<uint8_t*>(o)[i] = static_cast<uint8_t>(value);
  }
}

}  // namespace

void Binary(int op, int modulus, const NdView& v, const void* a, const void* b, void* out) {
  const int64_t n = ViewSize(v);
  if (n == 0) return;
  if (modulus == 0) {
    BinaryU64<<<Blocks(n), kThreads, 0, Stream()>>>(op, v, n, static_cast<const uint64_t*>(a),
                                                    static_cast<const uint64_t*>(b), static_cast<uint64_t*>(out));
  } else {
    BinaryU8<<<Blocks(n), kThreads, 0, Stream()>>>(op, modulus, v, n, static_cast<const uint8_t*>(a),
                                                   static_cast<const uint8_t*>(b), static_cast<uint8_t*>(out));
  }
  CheckLaunch("binary");
}

void Compare(int op, bool u64, bool isSigned, const NdView& v, const void* a, const void* b, uint8_t* out) {
  const int64_t n = ViewSize(v);
  if (n == 0) return;
  if (u64 && isSigned) {
    CompareKernel<int64_t><<<Blocks(n), kThreads, 0, Stream()>>>(op, v, n, static_cast<const int64_t*>(a),
                                                                 static_cast<const int64_t*>(b), out);
  } else if (u64) {
    CompareKernel<uint64_t><<<Blocks(n), kThreads, 0, Stream()>>>(op, v, n, static_cast<const uint64_t*>(a),
                                                                  static_cast<const uint64_t*>(b), out);
  } else {
    CompareKernel<uint8_t><<<Blocks(n), kThreads, 0, Stream()>>>(op, v, n, static_cast<const uint8_t*>(a),
                                                                 static_cast<const uint8_t*>(b), out);
  }
  CheckLaunch("compare");
}

void Select(bool u64, const NdView& v, const uint8_t* cond, const void* a, const void* b, void* out) {
  const int64_t n = ViewSize(v);
  if (n == 0) return;
  if (u64) {
    SelectKernel<uint64_t><<<Blocks(n), kThreads, 0, Stream()>>>(v, n, cond, static_cast<const uint64_t*>(a),
                                                                 static_cast<const uint64_t*>(b), static_cast<uint64_t*>(out));
  } else {
    SelectKernel<uint8_t><<<Blocks(n), kThreads, 0, Stream()>>>(v, n, cond, static_cast<const uint8_t*>(a),
                                                                static_cast<const uint8_t*>(b), static_cast<uint8_t*>(out));
  }
  CheckLaunch("select");
}

void Unary(int op, int modulus, int64_t n, const void* x, void* out) {
  if (n == 0) return;
  if (modulus == 0) {
    UnaryU64<<<Blocks(n), kThreads, 0, Stream()>>>(op, n, static_cast<const uint64_t*>(x), static_cast<uint64_t*>(out));
  } else {
    UnaryU8<<<Blocks(n), kThreads, 0, Stream()>>>(op, modulus, n, static_cast<const uint8_t*>(x), static_cast<uint8_t*>(out));
  }
  CheckLaunch("unary");
}

void Shift(int op, int bits, int64_t n, const uint64_t* x, uint64_t* out) {
  if (n == 0) return;
  ShiftKernel<<<Blocks(n), kThreads, 0, Stream()>>>(op, bits, n, x, out);
  CheckLaunch("shift");
}

void BitExtract(int bit, int64_t n, const uint64_t* x, uint8_t* out) {
  if (n == 0) return;
  BitExtractKernel<<<Blocks(n), kThreads, 0, Stream()>>>(bit, n, x, out);
  CheckLaunch("bitExtract");
}

void BitDecompose(int64_t n, const uint64_t* x, uint8_t* out) {
  if (n == 0) return;
  BitDecomposeKernel<<<Blocks(n * 64), kThreads, 0, Stream()>>>(n, x, out);
  CheckLaunch("bitDecompose");
}

void Cast(int srcModulus, int dstModulus, int64_t n, const void* x, void* out) {
  if (n == 0) return;
  CastKernel<<<Blocks(n), kThreads, 0, Stream()>>>(srcModulus, dstModulus, n, x, out);
  CheckLaunch("cast");
}

void OneHot(bool toU64, int64_t depth, int64_t n, const uint64_t* x, void* out) {
  if (n == 0 || depth == 0) return;
  OneHotKernel<<<Blocks(n * depth), kThreads, 0, Stream()>>>(toU64, depth, n, x, out);
  CheckLaunch("oneHot");
}

void Fill(bool u64, uint64_t value, int64_t n, void* out) {
  if (n == 0) return;
  FillKernel<<<Blocks(n), kThreads, 0, Stream()>>>(u64, value, n, out);
  CheckLaunch("fill");
}

}  // namespace tfe_cuda
