// Comparisons of public values (output bits) and Select, with broadcasting.
#include "broadcast_args.h"
#include "elementwise_impl.h"
#include "napi_util.h"
#include "nd_iter.h"

namespace tfe {
namespace {

enum CmpOp { kLess, kLessEqual, kGreater, kGreaterEqual, kEqual, kNotEqual };

template <class T, class Op>
void Run(const Plan& p, const T* a, const T* b, uint8_t* o, Op op) {
  ParallelWalk(p, [&](int64_t pos, const int64_t* offs, const int64_t* in, int64_t n) {
    Row2(a + offs[0], in[0], b + offs[1], in[1], o + pos, n, op);
  });
}

template <class T>
void CompareT(int op, const Plan& p, const T* a, const T* b, uint8_t* o) {
  switch (op) {
    case kLess: return Run(p, a, b, o, [](T x, T y) { return uint8_t(x < y); });
    case kLessEqual: return Run(p, a, b, o, [](T x, T y) { return uint8_t(x <= y); });
    case kGreater: return Run(p, a, b, o, [](T x, T y) { return uint8_t(x > y); });
    case kGreaterEqual: return Run(p, a, b, o, [](T x, T y) { return uint8_t(x >= y); });
    case kEqual: return Run(p, a, b, o, [](T x, T y) { return uint8_t(x == y); });
    default: return Run(p, a, b, o, [](T x, T y) { return uint8_t(x != y); });
  }
}

// compare(op, a, b, outShape, aStrides, bStrides, signed, async, out?) -> Uint8Array of bits
Napi::Value Compare(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int op = static_cast<int>(GetInt(info, 0, "op", 0, 5));
  BroadcastArgs args = GetBroadcastArgs(info);
  Arr a = args.a, b = args.b;
  Plan p = args.plan;
  bool sgn = GetBool(info, 6, "signed");
  bool async = GetBool(info, 7, "async");
  Arr outArr = OutArr(info, 8, false, static_cast<size_t>(p.total));
  uint8_t* o = outArr.b();
  Napi::Value out = outArr.value;
  return RunWork(env, async && p.total >= kBroadcastAsyncMin, {a.value, b.value}, out, [=] {
    if (!a.u64) {
      CompareT(op, p, a.b(), b.b(), o);
    } else if (sgn) {
      CompareT(op, p, reinterpret_cast<const int64_t*>(a.data), reinterpret_cast<const int64_t*>(b.data), o);
    } else {
      CompareT(op, p, a.u(), b.u(), o);
    }
  });
}

// select(cond, a, b, outShape, cStrides, aStrides, bStrides, async, out?) -> a where cond else b
Napi::Value Select(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Arr c = GetU8(info, 0, "cond");
  Arr a = GetArr(info, 1, "a"), b = GetArr(info, 2, "b");
  if (a.u64 != b.u64) Fail(env, "`a` and `b` must have the same element type");
  std::vector<int64_t> shape = GetInts(info, 3, "outShape");
  std::vector<int64_t> sc = GetInts(info, 4, "cStrides"), sa = GetInts(info, 5, "aStrides"),
                       sb = GetInts(info, 6, "bStrides");
  bool async = GetBool(info, 7, "async");
  if (shape.size() > kMaxRank || sa.size() != shape.size() || sb.size() != shape.size() ||
      sc.size() != shape.size()) {
    Fail(env, "strides must have one entry per output axis (rank <= 16)");
  }
  if (!SpanFits(shape, sc, c.length) || !SpanFits(shape, sa, a.length) || !SpanFits(shape, sb, b.length)) {
    Fail(env, "strides read outside `cond`, `a` or `b`");
  }
  Plan p = MakePlan(shape, {&sc, &sa, &sb});
  Arr o = OutArr(info, 8, a.u64, static_cast<size_t>(p.total));
  size_t es = a.u64 ? 8 : 1;
  return RunWork(env, async && p.total >= (1 << 16), {c.value, a.value, b.value}, o.value, [=] {
    ParallelWalk(p, [&](int64_t pos, const int64_t* offs, const int64_t* in, int64_t n) {
      const uint8_t* cp = c.b() + offs[0];
      if (es == 8) {
        const uint64_t *ap = a.u() + offs[1], *bp = b.u() + offs[2];
        uint64_t* op = o.u() + pos;
        for (int64_t i = 0; i < n; i++) {
          uint64_t mask = uint64_t(0) - uint64_t(cp[i * in[0]] != 0);
          op[i] = (ap[i * in[1]] & mask) | (bp[i * in[2]] & ~mask);
        }
      } else {
        const uint8_t *ap = a.b() + offs[1], *bp = b.b() + offs[2];
        uint8_t* op = o.b() + pos;
        for (int64_t i = 0; i < n; i++) op[i] = cp[i * in[0]] ? ap[i * in[1]] : bp[i * in[2]];
      }
    });
  });
}

}  // namespace

void InitCompare(Napi::Env env, Napi::Object exports) {
  exports.Set("compare", Napi::Function::New(env, Compare));
  exports.Set("select", Napi::Function::New(env, Select));
}

}  // namespace tfe
