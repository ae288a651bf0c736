// The CUDA addon's kernel entry points: each reads and checks handles and geometry, allocates
// the output handle and enqueues the kernel on the tfe stream (results are ready for the next
// call or download; nothing blocks but downloads).
#include <cstring>

#include "addon_util.h"

using namespace tfe_cuda_addon;
using tfe_cuda::ConvGeom;
using tfe_cuda::NdView;

namespace {

DeviceBuf* Out(Napi::Value h) { return h.As<Napi::External<DeviceBuf>>().Data(); }

// binary(op, a, b, outShape, aStrides, bStrides, modulus) -> handle
Napi::Value Binary(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  DeviceBuf *a = Buf(info, 1, "a"), *b = Buf(info, 2, "b");
  const int op = static_cast<int>(Int(info, 0, "op", 0, 5));
  const auto shape = Ints(info, 3, "outShape");
  if (a->u64 != b->u64) Fail(env, "`a` and `b` must have the same element type");
  const uint32_t m = Modulus(info, 6, a);
  NdView v = View(env, shape, {Ints(info, 4, "aStrides"), Ints(info, 5, "bStrides")}, {0, 0}, {a->n, b->n});
  Napi::Value h = NewHandle(env, a->u64, static_cast<size_t>(Product(shape)), false);
  Guard(env, [&] { tfe_cuda::Binary(op, m, v, a->ptr, b->ptr, Out(h)->ptr); });
  return h;
}

// compare(op, a, b, outShape, aStrides, bStrides, signed) -> bits handle
Napi::Value Compare(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  DeviceBuf *a = Buf(info, 1, "a"), *b = Buf(info, 2, "b");
  const int op = static_cast<int>(Int(info, 0, "op", 0, 5));
  const auto shape = Ints(info, 3, "outShape");
  if (a->u64 != b->u64) Fail(env, "`a` and `b` must have the same element type");
  NdView v = View(env, shape, {Ints(info, 4, "aStrides"), Ints(info, 5, "bStrides")}, {0, 0}, {a->n, b->n});
  Napi::Value h = NewHandle(env, false, static_cast<size_t>(Product(shape)), false);
  Guard(env, [&] { tfe_cuda::Compare(op, a->u64, Bool(info, 6), v, a->ptr, b->ptr, static_cast<uint8_t*>(Out(h)->ptr)); });
  return h;
}

// select(cond, a, b, outShape, cStrides, aStrides, bStrides) -> handle
Napi::Value Select(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  DeviceBuf *c = Buf(info, 0, "cond"), *a = Buf(info, 1, "a"), *b = Buf(info, 2, "b");
  if (c->u64) Fail(env, "`cond` must hold bits (u8)");
  if (a->u64 != b->u64) Fail(env, "`a` and `b` must have the same element type");
  const auto shape = Ints(info, 3, "outShape");
  NdView v = View(env, shape, {Ints(info, 4, "cStrides"), Ints(info, 5, "aStrides"), Ints(info, 6, "bStrides")},
                  {0, 0, 0}, {c->n, a->n, b->n});
  Napi::Value h = NewHandle(env, a->u64, static_cast<size_t>(Product(shape)), false);
  Guard(env, [&] { tfe_cuda::Select(a->u64, v, static_cast<const uint8_t*>(c->ptr), a->ptr, b->ptr, Out(h)->ptr); });
  return h;
}

// unary(op, x, modulus) -> handle
Napi::Value Unary(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  DeviceBuf* x = Buf(info, 1, "x");
  const int op = static_cast<int>(Int(info, 0, "op", 0, 1));
  const uint32_t m = Modulus(info, 2, x);
  Napi::Value h = NewHandle(env, x->u64, x->n, false);
  Guard(env, [&] { tfe_cuda::Unary(op, m, static_cast<int64_t>(x->n), x->ptr, Out(h)->ptr); });
  return h;
}

DeviceBuf* U64(const Napi::CallbackInfo& info, size_t i, const char* name) {
  DeviceBuf* x = Buf(info, i, name);
  if (!x->u64) Fail(info.Env(), std::string("`") + name + "` must hold u64 elements");
  return x;
}

// shift(op, x, bits) -> handle
Napi::Value Shift(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  DeviceBuf* x = U64(info, 1, "x");
  const int op = static_cast<int>(Int(info, 0, "op", 0, 2)), bits = static_cast<int>(Int(info, 2, "bits", 0, 63));
  Napi::Value h = NewHandle(env, true, x->n, false);
  Guard(env, [&] {
    tfe_cuda::Shift(op, bits, static_cast<int64_t>(x->n), static_cast<const uint64_t*>(x->ptr), static_cast<uint64_t*>(Out(h)->ptr));
  });
  return h;
}

// bitExtract(x, bit) -> bits handle
Napi::Value BitExtract(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  DeviceBuf* x = U64(info, 0, "x");
  const int bit = static_cast<int>(Int(info, 1, "bit", 0, 63));
  Napi::Value h = NewHandle(env, false, x->n, false);
  Guard(env, [&] {
    tfe_cuda::BitExtract(bit, static_cast<int64_t>(x->n), static_cast<const uint64_t*>(x->ptr), static_cast<uint8_t*>(Out(h)->ptr));
  });
  return h;
}

// bitDecompose(x) -> u8 handle [n, 64]
Napi::Value BitDecompose(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  DeviceBuf* x = U64(info, 0, "x");
  Napi::Value h = NewHandle(env, false, x->n * 64, false);
  Guard(env, [&] {
    tfe_cuda::BitDecompose(static_cast<int64_t>(x->n), static_cast<const uint64_t*>(x->ptr), static_cast<uint8_t*>(Out(h)->ptr));
  });
  return h;
}

// cast(x, toU64, modulus) -> handle
Napi::Value Cast(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  DeviceBuf* x = Buf(info, 0, "x");
  const bool toU64 = Bool(info, 1);
  const int64_t m = Int(info, 2, "modulus", 0, 256);
  if (!toU64 && m < 2) Fail(env, "`modulus` must be in [2, 256] for a cast to u8");
  Napi::Value h = NewHandle(env, toU64, x->n, false);
  Guard(env, [&] { tfe_cuda::Cast(x->u64 ? 0 : 256, toU64 ? 0 : int(m), static_cast<int64_t>(x->n), x->ptr, Out(h)->ptr); });
  return h;
}

// oneHot(x, depth, toU64) -> handle [n, depth]
Napi::Value OneHot(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  DeviceBuf* x = U64(info, 0, "x");
  const int64_t depth = Int(info, 1, "depth", 0, int64_t(1) << 40);
  const bool toU64 = Bool(info, 2);
  Napi::Value h = NewHandle(env, toU64, x->n * static_cast<size_t>(depth), false);
  Guard(env, [&] { tfe_cuda::OneHot(toU64, depth, static_cast<int64_t>(x->n), static_cast<const uint64_t*>(x->ptr), Out(h)->ptr); });
  return h;
}

// stridedCopy(dst, dstOffset, dstStrides, src, srcOffset, srcStrides, shape)
Napi::Value StridedCopy(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  DeviceBuf *dst = Buf(info, 0, "dst"), *src = Buf(info, 3, "src");
  if (dst->u64 != src->u64) Fail(env, "`dst` and `src` must have the same element type");
  const int64_t big = int64_t(1) << 48;
  NdView v = View(env, Ints(info, 6, "shape"), {Ints(info, 2, "dstStrides"), Ints(info, 5, "srcStrides")},
                  {Int(info, 1, "dstOffset", 0, big), Int(info, 4, "srcOffset", 0, big)}, {dst->n, src->n});
  Guard(env, [&] { tfe_cuda::StridedCopy(dst->u64, v, src->ptr, dst->ptr); });
  return env.Undefined();
}

// gather(x, outer, axisLen, inner, indices) -> handle
Napi::Value Gather(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  DeviceBuf* x = Buf(info, 0, "x");
  const int64_t big = int64_t(1) << 48;
  const int64_t outer = Int(info, 1, "outer", 0, big), len = Int(info, 2, "axisLen", 0, big), inner = Int(info, 3, "inner", 0, big);
  const auto idx = Ints(info, 4, "indices");
  if (static_cast<size_t>(outer * len * inner) != x->n) Fail(env, "`x` length does not match outer·axisLen·inner");
  std::vector<int32_t> i32(idx.size());
  for (size_t k = 0; k < idx.size(); k++) {
    if (idx[k] >= len) Fail(env, "`indices` must be below axisLen");
    i32[k] = static_cast<int32_t>(idx[k]);
  }
  const int64_t count = static_cast<int64_t>(idx.size());
  Napi::Value h = NewHandle(env, x->u64, static_cast<size_t>(outer * count * inner), false);
  Guard(env, [&] {
    void* d = tfe_cuda::DeviceAlloc(i32.size() * sizeof(int32_t), false);
    tfe_cuda::CopyToDevice(d, i32.data(), i32.size() * sizeof(int32_t));
    tfe_cuda::Gather(x->u64, outer, len, inner, static_cast<const int32_t*>(d), count, x->ptr, Out(h)->ptr);
    tfe_cuda::DeviceFree(d);
  });
  return h;
}

// reduceSum(x, viewShape, viewStrides, outSize, modulus) -> handle: kept axes first in the view
Napi::Value ReduceSum(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  DeviceBuf* x = Buf(info, 0, "x");
  const auto shape = Ints(info, 1, "viewShape");
  const int64_t outSize = Int(info, 3, "outSize", 0, int64_t(1) << 48);
  const uint32_t m = Modulus(info, 4, x);
  if (static_cast<size_t>(Product(shape)) != x->n) Fail(env, "`viewShape` must cover `x`");
  if (outSize == 0 ? x->n != 0 : Product(shape) % outSize != 0) Fail(env, "`outSize` must divide the element count");
  const auto strides = Ints(info, 2, "viewStrides");
  NdView v = View(env, shape, {strides, strides}, {0, 0}, {x->n, x->n});
  Napi::Value h = NewHandle(env, x->u64, static_cast<size_t>(outSize), false);
  Guard(env, [&] { tfe_cuda::ReduceSum(m, v, outSize, x->ptr, Out(h)->ptr); });
  return h;
}

// cumSum(x, outer, len, inner, exclusive, reverse, modulus) -> handle
Napi::Value CumSum(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  DeviceBuf* x = Buf(info, 0, "x");
  const int64_t big = int64_t(1) << 48;
  const int64_t outer = Int(info, 1, "outer", 0, big), len = Int(info, 2, "len", 0, big), inner = Int(info, 3, "inner", 0, big);
  const uint32_t m = Modulus(info, 6, x);
  if (static_cast<size_t>(outer * len * inner) != x->n) Fail(env, "`x` length does not match outer·len·inner");
  Napi::Value h = NewHandle(env, x->u64, x->n, false);
  Guard(env, [&] { tfe_cuda::CumSum(m, outer, len, inner, Bool(info, 4), Bool(info, 5), x->ptr, Out(h)->ptr); });
  return h;
}

// matmul(a, b, batchShape, aBatchStrides, bBatchStrides, M, K, N, transposeA, transposeB, modulus) -> handle
Napi::Value MatMul(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  DeviceBuf *a = Buf(info, 0, "a"), *b = Buf(info, 1, "b");
  if (a->u64 != b->u64) Fail(env, "`a` and `b` must have the same element type");
  const int64_t big = int64_t(1) << 40;
  tfe_cuda::MatMulShape s{Int(info, 5, "M", 0, big), Int(info, 6, "K", 0, big), Int(info, 7, "N", 0, big), Bool(info, 8), Bool(info, 9)};
  const uint32_t m = Modulus(info, 10, a);
  const auto batch = Ints(info, 2, "batchShape");
  // The view checks the first element of each batch operand; the matrix must fit after it.
  const size_t aLen = a->n >= size_t(s.M * s.K) ? a->n - size_t(s.M * s.K) + 1 : 0;
  const size_t bLen = b->n >= size_t(s.K * s.N) ? b->n - size_t(s.K * s.N) + 1 : 0;
  NdView v = View(env, batch, {Ints(info, 3, "aBatchStrides"), Ints(info, 4, "bBatchStrides")}, {0, 0}, {aLen, bLen});
  const int64_t count = Product(batch);
  if (count > 0 && (aLen == 0 || bLen == 0)) Fail(env, "`a` or `b` is shorter than one matrix");
  Napi::Value h = NewHandle(env, a->u64, static_cast<size_t>(count * s.M * s.N), false);
  Guard(env, [&] { tfe_cuda::MatMul(m, s, v, a->ptr, b->ptr, Out(h)->ptr); });
  return h;
}

ConvGeom Geom(const Napi::CallbackInfo& info, size_t i) {
  const int64_t big = int64_t(1) << 32;
  const char* names[12] = {"N", "H", "W", "C", "kh", "kw", "sh", "sw", "padTop", "padLeft", "oh", "ow"};
  int64_t v[12];
  for (int k = 0; k < 12; k++) v[k] = Int(info, i + k, names[k], 0, big);
  return ConvGeom{v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11]};
}

// conv2d(x, w, F, ...geom) -> handle
Napi::Value Conv2D(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  DeviceBuf *x = U64(info, 0, "x"), *w = U64(info, 1, "w");
  const int64_t F = Int(info, 2, "F", 0, int64_t(1) << 32);
  const ConvGeom g = Geom(info, 3);
  if (x->n != size_t(g.n * g.h * g.w * g.c) || w->n != size_t(g.kh * g.kw * g.c * F)) Fail(env, "`x` or `w` does not match the geometry");
  Napi::Value h = NewHandle(env, true, size_t(g.n * g.oh * g.ow * F), false);
  Guard(env, [&] {
    tfe_cuda::Conv2D(g, F, static_cast<const uint64_t*>(x->ptr), static_cast<const uint64_t*>(w->ptr), static_cast<uint64_t*>(Out(h)->ptr));
  });
  return h;
}

// im2col(x, ...geom) -> handle
Napi::Value Im2Col(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  DeviceBuf* x = Buf(info, 0, "x");
  const ConvGeom g = Geom(info, 1);
  if (x->n != size_t(g.n * g.h * g.w * g.c)) Fail(env, "`x` does not match the geometry");
  Napi::Value h = NewHandle(env, x->u64, size_t(g.n * g.oh * g.ow * g.kh * g.kw * g.c), false);
  Guard(env, [&] { tfe_cuda::Im2Col(x->u64, g, x->ptr, Out(h)->ptr); });
  return h;
}

// col2im(cols, ...geom, modulus) -> handle
Napi::Value Col2Im(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  DeviceBuf* c = Buf(info, 0, "cols");
  const ConvGeom g = Geom(info, 1);
  const uint32_t m = Modulus(info, 13, c);
  if (c->n != size_t(g.n * g.oh * g.ow * g.kh * g.kw * g.c)) Fail(env, "`cols` does not match the geometry");
  Napi::Value h = NewHandle(env, c->u64, size_t(g.n * g.h * g.w * g.c), false);
  Guard(env, [&] { tfe_cuda::Col2Im(m, g, c->ptr, Out(h)->ptr); });
  return h;
}

// prgUniform(seed, nonce, offset, n, modulus) -> handle
Napi::Value PrgUniform(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array ||
      info[0].As<Napi::Uint8Array>().ElementLength() != 16) {
    Fail(env, "`seed` must be a Uint8Array of 16 bytes");
  }
  if (!info[1].IsBigInt() || !info[2].IsBigInt()) Fail(env, "`nonce` and `offset` must be bigints");
  bool l1 = false, l2 = false;
  const uint64_t nonce = info[1].As<Napi::BigInt>().Uint64Value(&l1), offset = info[2].As<Napi::BigInt>().Uint64Value(&l2);
  if (!l1 || !l2) Fail(env, "`nonce` and `offset` must be in [0, 2^64)");
  const int64_t n = Int(info, 3, "n", 0, int64_t(1) << 40);
  const int64_t m = Int(info, 4, "modulus", 0, 256);
  if (m == 1) Fail(env, "`modulus` must be 0 (u64) or in [2, 256]");
  uint8_t seed[16];
  std::memcpy(seed, info[0].As<Napi::Uint8Array>().Data(), 16);
  Napi::Value h = NewHandle(env, m == 0, static_cast<size_t>(n), false);
  Guard(env, [&] { tfe_cuda::PrgUniform(seed, nonce, offset, n, static_cast<int>(m), Out(h)->ptr); });
  return h;
}

}  // namespace

void InitKernels(Napi::Env env, Napi::Object exports) {
  const std::pair<const char*, Napi::Value (*)(const Napi::CallbackInfo&)> table[] = {
      {"binary", Binary}, {"compare", Compare}, {"select", Select}, {"unary", Unary}, {"shift", Shift},
      {"bitExtract", BitExtract}, {"bitDecompose", BitDecompose}, {"cast", Cast}, {"oneHot", OneHot},
      {"stridedCopy", StridedCopy}, {"gather", Gather}, {"reduceSum", ReduceSum}, {"cumSum", CumSum},
      {"matmul", MatMul}, {"conv2d", Conv2D}, {"im2col", Im2Col}, {"col2im", Col2Im}, {"prgUniform", PrgUniform},
  };
  for (const auto& [name, fn] : table) exports.Set(name, Napi::Function::New(env, fn));
}
