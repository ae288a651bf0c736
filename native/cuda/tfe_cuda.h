// The CUDA ring kernels' host API: plain C++ over device pointers, no CUDA or N-API types, so
// the N-API glue (addon_cuda.cc, built by g++) and the standalone harness (harness.cu) call the
// same entry points. Every call is ordered on one CUDA stream; copies to the host synchronize.
// Errors throw std::runtime_error with the CUDA error name (never data).
//
// Ring codes: `modulus` 0 means u64 (Z_2^64, 8-byte elements); 2..256 means u8 mod m.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include "index_math.cuh"

namespace tfe_cuda {

struct DeviceInfo {
  int count = 0;
  std::string name;
  int major = 0, minor = 0;
  size_t memoryBytes = 0;
};

// The first device, or false with the reason (no driver, no device, ...).
bool QueryDevice(DeviceInfo* info, std::string* why);

// Device memory (zeroed when `zero`); DeviceFree(nullptr) is a no-op.
void* DeviceAlloc(size_t bytes, bool zero);
void DeviceFree(void* p);
// Pinned host memory for downloads that go straight to the network (recycled by size class).
void* PinnedAlloc(size_t bytes);
void PinnedFree(void* p, size_t bytes);
void CopyToDevice(void* dst, const void* src, size_t bytes);
void CopyToHost(void* dst, const void* src, size_t bytes);  // synchronizes
void Synchronize();

// Elementwise kernels on an NdView over the output shape (operands 0, 1, 2 as documented).
enum BinaryOp { kAdd, kSub, kMul, kAnd, kOr, kXor };
enum CompareOp { kLess, kLessEqual, kGreater, kGreaterEqual, kEqual, kNotEqual };
enum UnaryOp { kNeg, kNot };
enum ShiftOp { kShl, kShrLogical, kShrArithmetic };
void Binary(int op, int modulus, const NdView& v, const void* a, const void* b, void* out);
void Compare(int op, bool u64, bool isSigned, const NdView& v, const void* a, const void* b, uint8_t* out);
// out = cond ? a : b; operands: 0 cond, 1 a, 2 b.
void Select(bool u64, const NdView& v, const uint8_t* cond, const void* a, const void* b, void* out);
void Unary(int op, int modulus, int64_t n, const void* x, void* out);
void Shift(int op, int bits, int64_t n, const uint64_t* x, uint64_t* out);
void BitExtract(int bit, int64_t n, const uint64_t* x, uint8_t* out);
void BitDecompose(int64_t n, const uint64_t* x, uint8_t* out);  // out [n, 64]
// Source ring srcModulus (0 = u64), destination dstModulus (0 = u64).
void Cast(int srcModulus, int dstModulus, int64_t n, const void* x, void* out);
void OneHot(bool toU64, int64_t depth, int64_t n, const uint64_t* x, void* out);
void Fill(bool u64, uint64_t value, int64_t n, void* out);

// out[dstOffset + idx·dstStrides] = src[srcOffset + idx·srcStrides] over `shape`
// (operand 0 of the view is dst, operand 1 src).
void StridedCopy(bool u64, const NdView& v, const void* src, void* dst);
// x [outer, axisLen, inner] → out [outer, count, inner] picking `indices` (device array).
void Gather(bool u64, int64_t outer, int64_t axisLen, int64_t inner, const int32_t* indices, int64_t count,
            const void* x, void* out);
// Output o (of outSize) sums x[NdOffset(v, 1, o·R + r)] for r < R = numel(v) / outSize: the
// view lists the kept axes first and the reduced axes last, with x's strides (operand 0 unused).
void ReduceSum(int modulus, const NdView& v, int64_t outSize, const void* x, void* out);
void CumSum(int modulus, int64_t outer, int64_t len, int64_t inner, bool exclusive, bool reverse, const void* x,
            void* out);

// Batched matmul: C [batch..., M, N] = A_b · B_b where batch index b (row-major over
// batch.shape, rank 0 for a plain product) reads A_b at a + NdOffset(batch, 0, b) and B_b at
// b + NdOffset(batch, 1, b) (broadcast batch axes have stride 0). Transposes swap the
// operand's last two axes. Picks tensor-core limbs for large u64 products, the tiled u64
// kernel otherwise, and a direct kernel for u8 rings.
struct MatMulShape {
  int64_t M, K, N;
  bool transposeA, transposeB;
};
void MatMul(int modulus, const MatMulShape& s, const NdView& batch, const void* a, const void* b, void* c);
// The two u64 kernels by name (the harness and benchmarks call them directly; batch 1).
void MatMulTiledU64(const MatMulShape& s, const uint64_t* a, const uint64_t* b, uint64_t* c);
void MatMulImmaU64(const MatMulShape& s, const uint64_t* a, const uint64_t* b, uint64_t* c);
// True when MatMul sends this shape to the tensor-core path.
bool UsesImma(int modulus, int64_t batchCount, const MatMulShape& s);

void Im2Col(bool u64, const ConvGeom& g, const void* x, void* cols);
void Col2Im(int modulus, const ConvGeom& g, const void* cols, void* x);
// Conv2D = Im2Col then MatMul with w as [kh·kw·C, F]; out [N, oh, ow, F].
void Conv2D(const ConvGeom& g, int64_t F, const uint64_t* x, const uint64_t* w, uint64_t* out);

// PrgUniform on the device (kernel_names.ts rules): modulus 0 u64, 2 bits, else bytes with
// rejection sampling.
void PrgUniform(const uint8_t seed[16], uint64_t nonce, uint64_t offset, int64_t n, int modulus, void* out);

}  // namespace tfe_cuda
