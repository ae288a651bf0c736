// Binary arithmetic and bitwise kernels with broadcasting, in Z_2^64 and Z_m (u8).
#include <string>

#if defined(__AVX512F__) && defined(__AVX512DQ__)
#include <immintrin.h>
#define TFE_VOP(f) [](__m512i x, __m512i y) { return f(x, y); }
#else
#define TFE_VOP(f) nullptr
#endif

#include "broadcast_args.h"
#include "elementwise_impl.h"
#include "napi_util.h"
#include "nd_iter.h"

namespace tfe {
namespace {

enum BinOp { kAdd, kSub, kMul, kAnd, kOr, kXor };

#if defined(__AVX512F__) && defined(__AVX512DQ__)
// Long contiguous rows bypass the cache on store: the output is not read again soon, and
// streaming stores skip the read-for-ownership of each output line.
template <class Op, class VOp>
void StreamRow(const uint64_t* a, const uint64_t* b, uint64_t* o, int64_t n, Op op, VOp vop) {
  int64_t i = 0;
  for (; i < n && (reinterpret_cast<uintptr_t>(o + i) & 63); i++) o[i] = op(a[i], b[i]);
  for (; i + 8 <= n; i += 8) {
    __m512i x = _mm512_loadu_si512(a + i), y = _mm512_loadu_si512(b + i);
    _mm512_stream_si512(reinterpret_cast<__m512i*>(o + i), vop(x, y));
  }
  for (; i < n; i++) o[i] = op(a[i], b[i]);
}

#endif

template <class Op, class VOp>
void RunU64(const Plan& p, const uint64_t* a, const uint64_t* b, uint64_t* o, Op op, VOp vop) {
#if defined(__AVX512F__) && defined(__AVX512DQ__)
  bool stream = p.total >= (1 << 20);
  ParallelWalk(p, [&](int64_t pos, const int64_t* offs, const int64_t* in, int64_t n) {
    if (stream && in[0] == 1 && in[1] == 1 && n >= 1024) {
      StreamRow(a + offs[0], b + offs[1], o + pos, n, op, vop);
    } else {
      Row2(a + offs[0], in[0], b + offs[1], in[1], o + pos, n, op);
    }
  });
  if (stream) _mm_sfence();
#else
  (void)vop;
  ParallelWalk(p, [&](int64_t pos, const int64_t* offs, const int64_t* in, int64_t n) {
    Row2(a + offs[0], in[0], b + offs[1], in[1], o + pos, n, op);
  });
#endif
}

template <class Op>
void RunU8(const Plan& p, const uint8_t* a, const uint8_t* b, uint8_t* o, Op op) {
  ParallelWalk(p, [&](int64_t pos, const int64_t* offs, const int64_t* in, int64_t n) {
    Row2(a + offs[0], in[0], b + offs[1], in[1], o + pos, n, op);
  });
}

void BinaryU64(int op, const Plan& p, const uint64_t* a, const uint64_t* b, uint64_t* o) {
  switch (op) {
    case kAdd: return RunU64(p, a, b, o, [](uint64_t x, uint64_t y) { return x + y; }, TFE_VOP(_mm512_add_epi64));
    case kSub: return RunU64(p, a, b, o, [](uint64_t x, uint64_t y) { return x - y; }, TFE_VOP(_mm512_sub_epi64));
    case kMul: return RunU64(p, a, b, o, [](uint64_t x, uint64_t y) { return x * y; }, TFE_VOP(_mm512_mullo_epi64));
    case kAnd: return RunU64(p, a, b, o, [](uint64_t x, uint64_t y) { return x & y; }, TFE_VOP(_mm512_and_si512));
    case kOr: return RunU64(p, a, b, o, [](uint64_t x, uint64_t y) { return x | y; }, TFE_VOP(_mm512_or_si512));
    default: return RunU64(p, a, b, o, [](uint64_t x, uint64_t y) { return x ^ y; }, TFE_VOP(_mm512_xor_si512));
  }
}

void BinaryU8(int op, uint32_t m, const Plan& p, const uint8_t* a, const uint8_t* b, uint8_t* o) {
  ModM mod(m);
  switch (op) {
    case kAdd:
      return RunU8(p, a, b, o, [m](uint8_t x, uint8_t y) {
        uint32_t s = uint32_t(x) + y;
        return uint8_t(s >= m ? s - m : s);
      });
    case kSub:
      return RunU8(p, a, b, o, [m](uint8_t x, uint8_t y) {
        uint32_t s = uint32_t(x) + m - y;
        return uint8_t(s >= m ? s - m : s);
      });
    case kMul: return RunU8(p, a, b, o, [mod](uint8_t x, uint8_t y) { return uint8_t(mod(uint32_t(x) * y)); });
    case kAnd: return RunU8(p, a, b, o, [](uint8_t x, uint8_t y) { return uint8_t(x & y); });
    case kOr: return RunU8(p, a, b, o, [](uint8_t x, uint8_t y) { return uint8_t(x | y); });
    default: return RunU8(p, a, b, o, [](uint8_t x, uint8_t y) { return uint8_t(x ^ y); });
  }
}

// binary(op, a, b, outShape, aStrides, bStrides, modulus, async, out?) -> out (a's element type)
Napi::Value Binary(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int op = static_cast<int>(GetInt(info, 0, "op", 0, 5));
  BroadcastArgs args = GetBroadcastArgs(info);
  Arr a = args.a, b = args.b;
  Plan p = args.plan;
  uint32_t m = static_cast<uint32_t>(GetInt(info, 6, "modulus", 0, 256));
  bool async = GetBool(info, 7, "async");
  if (!a.u64 && m < 2) Fail(env, "`modulus` must be in [2, 256] for u8 operands");
  Arr o = OutArr(info, 8, a.u64, static_cast<size_t>(p.total));
  bool big = async && p.total >= kBroadcastAsyncMin;
  return RunWork(env, big, {a.value, b.value}, o.value, [=] {
    if (a.u64) {
      BinaryU64(op, p, a.u(), b.u(), o.u());
    } else {
      BinaryU8(op, m, p, a.b(), b.b(), o.b());
    }
  });
}

}  // namespace

void InitElementwise(Napi::Env env, Napi::Object exports) {
  exports.Set("binary", Napi::Function::New(env, Binary));
}

}  // namespace tfe
