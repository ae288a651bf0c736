// The levels of Pond's bit-packed comparison tree (protocols/pond/compare.ts; see
// kernel_names.ts): PondLeaves, PondPrefixMask, PondPrefixCombine and PondPrefixDeal. Each is
// one pass over the words where the tree took 4-20 word ops per level and server.
#include "bit_unzip.h"
#include "napi_util.h"
#include "thread_pool.h"

namespace tfe {
namespace {

constexpr int64_t kGrain = 1 << 14;
constexpr int64_t kAsyncMin = 1 << 15;
constexpr uint64_t kTop = uint64_t(1) << 63;

// pondLeaves(r, c, first, async, out?) -> BigUint64Array [2n]: g then e
Napi::Value PondLeaves(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Arr r = GetU64(info, 0, "r"), c = GetU64(info, 1, "c");
  const int64_t n = static_cast<int64_t>(r.length);
  CheckLength(env, c, r.length, "c");
  const bool first = GetBool(info, 2, "first");
  const bool async = GetBool(info, 3, "async");
  Arr outArr = OutArr(info, 4, true, static_cast<size_t>(2 * n));
  uint64_t* o = outArr.u();
  const uint64_t *rp = r.u(), *cp = c.u();
  return RunWork(env, async && n >= kAsyncMin, {r.value, c.value}, outArr.value, [=] {
    ParallelRange(n, kGrain, [&](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; i++) {
        const uint64_t notCTop = ~cp[i] | kTop;
        o[i] = (rp[i] & notCTop) ^ (first ? cp[i] & kTop : 0);
        o[n + i] = (rp[i] & ~kTop) ^ (first ? notCTop : 0);
      }
    });
  });
}

// The level's sizes from ge (2n words): n and m = ceil(n/2); k parts (2 when last).
struct Level {
  int64_t n, m, k;
};

Level GetLevelSizes(Napi::Env env, const Arr& ge, bool last) {
  if (ge.length % 2 != 0) Fail(env, "`ge` must hold g and e, an even number of words");
  const int64_t n = static_cast<int64_t>(ge.length / 2);
  return {n, (n + 1) / 2, last ? 2 : 3};
}

// pondPrefixMask(ge, masks, last, async, out?) -> BigUint64Array [k·m]:
// [odd(e) ^ a, even(g) ^ b1, even(e) ^ b2]
Napi::Value PondPrefixMask(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Arr ge = GetU64(info, 0, "ge"), masks = GetU64(info, 1, "masks");
  const bool last = GetBool(info, 2, "last");
  const Level L = GetLevelSizes(env, ge, last);
  CheckLength(env, masks, static_cast<size_t>(L.k * L.m), "masks");
  const bool async = GetBool(info, 3, "async");
  Arr outArr = OutArr(info, 4, true, static_cast<size_t>(L.k * L.m));
  uint64_t* o = outArr.u();
  const uint64_t *g = ge.u(), *e = ge.u() + L.n, *mk = masks.u();
  return RunWork(env, async && L.n >= kAsyncMin, {ge.value, masks.value}, outArr.value, [=] {
    const int64_t m = L.m, n = L.n;
    ParallelRange(m, kGrain, [&](int64_t lo, int64_t hi) {
      for (int64_t j = lo; j < hi; j++) {
        o[j] = UnzipPair(e, n, j, 1) ^ mk[j];
        o[m + j] = UnzipPair(g, n, j, 0) ^ mk[m + j];
        if (L.k == 3) o[2 * m + j] = UnzipPair(e, n, j, 0) ^ mk[2 * m + j];
      }
    });
  });
}

// pondPrefixCombine(ge, opened, masks, ands, first, last, async, out?) -> BigUint64Array
// [(k−1)·m]: [odd(g) ^ p1, p2] with p_j = c_j ^ (d & b_j) ^ (v_j & a) (^ (d & v_j) on server0)
Napi::Value PondPrefixCombine(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Arr ge = GetU64(info, 0, "ge"), opened = GetU64(info, 1, "opened"), masks = GetU64(info, 2, "masks"), ands = GetU64(info, 3, "ands");
  const bool first = GetBool(info, 4, "first"), last = GetBool(info, 5, "last");
  const Level L = GetLevelSizes(env, ge, last);
  CheckLength(env, opened, static_cast<size_t>(L.k * L.m), "opened");
  CheckLength(env, masks, static_cast<size_t>(L.k * L.m), "masks");
  CheckLength(env, ands, static_cast<size_t>((L.k - 1) * L.m), "ands");
  const bool async = GetBool(info, 6, "async");
  Arr outArr = OutArr(info, 7, true, static_cast<size_t>((L.k - 1) * L.m));
  uint64_t* o = outArr.u();
  const uint64_t *g = ge.u(), *op = opened.u(), *mk = masks.u(), *cs = ands.u();
  return RunWork(env, async && L.n >= kAsyncMin, {ge.value, opened.value, masks.value, ands.value}, outArr.value, [=] {
    const int64_t m = L.m, n = L.n;
    const uint64_t firstMask = first ? ~uint64_t(0) : 0;
    ParallelRange(m, kGrain, [&](int64_t lo, int64_t hi) {
      for (int64_t x = lo; x < hi; x++) {
        const uint64_t d = op[x], a = mk[x];
        auto product = [&](int64_t j) {
          const uint64_t v = op[j * m + x];
          return cs[(j - 1) * m + x] ^ (d & mk[j * m + x]) ^ (v & a) ^ (d & v & firstMask);
        };
        o[x] = UnzipPair(g, n, x, 1) ^ product(1);
        if (L.k == 3) o[m + x] = product(2);
      }
    });
  });
}

// pondPrefixDeal(masks, last, async, out?) -> BigUint64Array [(k−1)·m]: [a & b1, a & b2]
Napi::Value PondPrefixDeal(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Arr masks = GetU64(info, 0, "masks");
  const bool last = GetBool(info, 1, "last");
  const int64_t k = last ? 2 : 3;
  if (masks.length % k != 0) Fail(env, "`masks` must have a multiple of k words");
  const int64_t m = static_cast<int64_t>(masks.length) / k;
  const bool async = GetBool(info, 2, "async");
  Arr outArr = OutArr(info, 3, true, static_cast<size_t>((k - 1) * m));
  uint64_t* o = outArr.u();
  const uint64_t* mk = masks.u();
  return RunWork(env, async && m >= kAsyncMin, {masks.value}, outArr.value, [=] {
    ParallelRange(m, kGrain, [&](int64_t lo, int64_t hi) {
      for (int64_t x = lo; x < hi; x++) {
        for (int64_t j = 1; j < k; j++) o[(j - 1) * m + x] = mk[x] & mk[j * m + x];
      }
    });
  });
}

}  // namespace

void InitPondTree(Napi::Env env, Napi::Object exports) {
  exports.Set("pondLeaves", Napi::Function::New(env, PondLeaves));
  exports.Set("pondPrefixMask", Napi::Function::New(env, PondPrefixMask));
  exports.Set("pondPrefixCombine", Napi::Function::New(env, PondPrefixCombine));
  exports.Set("pondPrefixDeal", Napi::Function::New(env, PondPrefixDeal));
}

}  // namespace tfe
