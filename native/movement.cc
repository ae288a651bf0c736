// Data movement: one strided copy (transpose, slice, tile, pad, concat are views of it),
// gather along an axis, and output allocation for the TS side.
#include <cstring>

#include "napi_util.h"
#include "nd_iter.h"

namespace tfe {
namespace {

template <class T>
void CopyRows(const Plan& p, T* dst, const T* src) {
  ParallelWalk(p, [&](int64_t, const int64_t* offs, const int64_t* in, int64_t n) {
    T* d = dst + offs[0];
    const T* s = src + offs[1];
    if (in[0] == 1 && in[1] == 1) {
      std::memcpy(d, s, n * sizeof(T));
    } else {
      for (int64_t i = 0; i < n; i++) d[i * in[0]] = s[i * in[1]];
    }
  }, 1 << 17);
}

// stridedCopy(dst, dstOffset, dstStrides, src, srcOffset, srcStrides, shape):
// dst[dstOffset + idx·dstStrides] = src[srcOffset + idx·srcStrides] for every idx < shape
Napi::Value StridedCopy(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Arr dst = GetArr(info, 0, "dst");
  int64_t doff = GetInt(info, 1, "dstOffset", 0, int64_t(1) << 53);
  std::vector<int64_t> ds = GetInts(info, 2, "dstStrides");
  Arr src = GetArr(info, 3, "src");
  int64_t soff = GetInt(info, 4, "srcOffset", 0, int64_t(1) << 53);
  std::vector<int64_t> ss = GetInts(info, 5, "srcStrides");
  std::vector<int64_t> shape = GetInts(info, 6, "shape");
  if (dst.u64 != src.u64) Fail(env, "`dst` and `src` must have the same element type");
  if (shape.size() > kMaxRank || ds.size() != shape.size() || ss.size() != shape.size()) {
    Fail(env, "strides must have one entry per axis (rank <= 16)");
  }
  if (!SpanFits(shape, ds, dst.length, doff) || !SpanFits(shape, ss, src.length, soff)) {
    Fail(env, "strided copy reaches outside `dst` or `src`");
  }
  Plan p = MakePlan(shape, {&ds, &ss});
  if (p.total == 0) return env.Undefined();
  if (dst.u64) CopyRows(p, dst.u() + doff, src.u() + soff);
  else CopyRows(p, dst.b() + doff, src.b() + soff);
  return env.Undefined();
}

// gather(x, outer, axisLen, inner, indices, out?) -> [outer, indices.length, inner]
Napi::Value Gather(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Arr x = GetArr(info, 0, "x");
  int64_t outer = GetInt(info, 1, "outer", 0, int64_t(1) << 48);
  int64_t len = GetInt(info, 2, "axisLen", 0, int64_t(1) << 48);
  int64_t inner = GetInt(info, 3, "inner", 0, int64_t(1) << 48);
  std::vector<int64_t> idx = GetInts(info, 4, "indices");
  if (static_cast<size_t>(outer * len * inner) != x.length) Fail(env, "`x` length does not match outer·axisLen·inner");
  for (int64_t v : idx) {
    if (v < 0 || v >= len) Fail(env, "`indices` out of range [0, " + std::to_string(len) + ")");
  }
  int64_t k = static_cast<int64_t>(idx.size());
  Arr o = OutArr(info, 5, x.u64, static_cast<size_t>(outer * k * inner));
  size_t es = x.u64 ? 8 : 1;
  const uint8_t* s = static_cast<const uint8_t*>(x.data);
  uint8_t* d = static_cast<uint8_t*>(o.data);
  for (int64_t a = 0; a < outer; a++) {
    for (int64_t j = 0; j < k; j++) {
      std::memcpy(d + ((a * k + j) * inner) * es, s + ((a * len + idx[j]) * inner) * es, inner * es);
    }
  }
  return o.value;
}

// alloc(u64, n, zero) -> a fresh BigUint64Array or Uint8Array
Napi::Value Alloc(const Napi::CallbackInfo& info) {
  bool u64 = GetBool(info, 0, "u64");
  int64_t n = GetInt(info, 1, "n", 0, int64_t(1) << 40);
  bool zero = GetBool(info, 2, "zero");
  return NewArr(info.Env(), u64, static_cast<size_t>(n), zero).value;
}

}  // namespace

void InitMovement(Napi::Env env, Napi::Object exports) {
  exports.Set("stridedCopy", Napi::Function::New(env, StridedCopy));
  exports.Set("gather", Napi::Function::New(env, Gather));
  exports.Set("alloc", Napi::Function::New(env, Alloc));
}

}  // namespace tfe
