// Reductions: ReduceSum over axes and CumSum along one axis, in Z_2^64 or Z_m.
#include <cstring>

#include "napi_util.h"
#include "nd_iter.h"

namespace tfe {
namespace {

// reduceSum(x, shape, outStrides, outSize, modulus, out?) -> sums; outStrides is 0 on reduced
// axes. `out` (a cached output of outSize elements, stale contents) is zeroed and filled: a fresh
// block per call came from new pages, which cost more than the sums (Adam's piece tables)
Napi::Value ReduceSum(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Arr x = GetArr(info, 0, "x");
  std::vector<int64_t> shape = GetInts(info, 1, "shape");
  std::vector<int64_t> os = GetInts(info, 2, "outStrides");
  int64_t outSize = GetInt(info, 3, "outSize", 0, int64_t(1) << 48);
  uint32_t m = static_cast<uint32_t>(GetInt(info, 4, "modulus", 0, 256));
  if (shape.size() > kMaxRank || os.size() != shape.size()) Fail(env, "`outStrides` must match `shape`");
  if (static_cast<size_t>(Numel(shape)) != x.length) Fail(env, "`x` length does not match `shape`");
  if (!SpanFits(shape, os, static_cast<size_t>(outSize))) Fail(env, "`outStrides` reach outside the output");
  if (!x.u64 && m < 2) Fail(env, "`modulus` must be in [2, 256] for u8 operands");
  std::vector<int64_t> xs(shape.size());
  int64_t s = 1;
  for (size_t d = shape.size(); d-- > 0;) { xs[d] = s; s *= shape[d]; }
  Plan p = MakePlan(shape, {&os, &xs});
  Arr o = OutArr(info, 5, x.u64, static_cast<size_t>(outSize));
  if (outSize > 0) std::memset(o.data, 0, static_cast<size_t>(outSize) * (x.u64 ? 8 : 1));
  if (p.total == 0) return o.value;
  Walk(p, 0, p.total, [&](int64_t, const int64_t* offs, const int64_t* in, int64_t n) {
    if (x.u64) {
      uint64_t* d = o.u() + offs[0];
      const uint64_t* a = x.u() + offs[1];
      if (in[0] == 0) {
        uint64_t acc = 0;
        for (int64_t i = 0; i < n; i++) acc += a[i * in[1]];
        *d += acc;
      } else if (in[0] == 1 && in[1] == 1) {
        for (int64_t i = 0; i < n; i++) d[i] += a[i];  // a row onto the sums: vectorized
      } else {
        for (int64_t i = 0; i < n; i++) d[i * in[0]] += a[i * in[1]];
      }
    } else {
      uint8_t* d = o.b() + offs[0];
      const uint8_t* a = x.b() + offs[1];
      for (int64_t i = 0; i < n; i++) {
        uint32_t v = uint32_t(d[i * in[0]]) + a[i * in[1]];
        d[i * in[0]] = uint8_t(v >= m ? v - m : v);
      }
    }
  });
  return o.value;
}

template <class T, class Add>
void Scan(const T* x, T* o, int64_t outer, int64_t len, int64_t inner, bool excl, bool rev, Add add) {
  for (int64_t a = 0; a < outer; a++) {
    for (int64_t c = 0; c < inner; c++) {
      T acc = 0;
      for (int64_t j0 = 0; j0 < len; j0++) {
        int64_t j = rev ? len - 1 - j0 : j0;
        int64_t at = (a * len + j) * inner + c;
        if (excl) { o[at] = acc; acc = add(acc, x[at]); }
        else { acc = add(acc, x[at]); o[at] = acc; }
      }
    }
  }
}

// cumSum(x, outer, len, inner, exclusive, reverse, modulus) -> running sums along the middle axis
Napi::Value CumSum(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Arr x = GetArr(info, 0, "x");
  int64_t outer = GetInt(info, 1, "outer", 0, int64_t(1) << 48);
  int64_t len = GetInt(info, 2, "len", 0, int64_t(1) << 48);
  int64_t inner = GetInt(info, 3, "inner", 0, int64_t(1) << 48);
  bool excl = GetBool(info, 4, "exclusive"), rev = GetBool(info, 5, "reverse");
  uint32_t m = static_cast<uint32_t>(GetInt(info, 6, "modulus", 0, 256));
  if (static_cast<size_t>(outer * len * inner) != x.length) Fail(env, "`x` length does not match outer·len·inner");
  if (!x.u64 && m < 2) Fail(env, "`modulus` must be in [2, 256] for u8 operands");
  Arr o = NewArr(env, x.u64, x.length, false);
  if (x.u64) {
    Scan(x.u(), o.u(), outer, len, inner, excl, rev, [](uint64_t s, uint64_t v) { return s + v; });
  } else {
    Scan(x.b(), o.b(), outer, len, inner, excl, rev, [m](uint8_t s, uint8_t v) {
      uint32_t t = uint32_t(s) + v;
      return uint8_t(t >= m ? t - m : t);
    });
  }
  return o.value;
}

}  // namespace

void InitReduce(Napi::Env env, Napi::Object exports) {
  exports.Set("reduceSum", Napi::Function::New(env, ReduceSum));
  exports.Set("cumSum", Napi::Function::New(env, CumSum));
}

}  // namespace tfe
