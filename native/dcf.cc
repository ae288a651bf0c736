// The distributed comparison function (kernel_names.ts: DcfGen, DcfEval; Boyle et al.,
// EUROCRYPT 2021, Fig. 1), with the tree's PRG on AES-NI: G_j(s) = AES_K(s ^ j) ^ s ^ j for
// j = 0 .. 1 + width under the fixed key "tfe-js dcf prg/1". The reference (src/kernels/reference/
// dcf.ts) is the specification; this computes the same words. Points are processed in chunks
// that stay in cache, one level at a time for the whole chunk, so AES runs many blocks at once;
// evaluation expands only the side each path takes (2 blocks, not 2 + width).
#include <algorithm>
#include <cstring>
#include <vector>

#include "aes_impl.h"
#include "napi_util.h"
#include "thread_pool.h"

namespace tfe {
namespace {

constexpr uint64_t kLow2 = ~uint64_t(3);
constexpr int kMaxWidth = 2;  // payload words
constexpr int64_t kChunk = 128;  // paths per AES run: up to 512 blocks per level
// Work below these sizes runs on the calling thread, synchronously: a logistic regression's
// 13 × 100 points take well under a millisecond, less than handing them to the pool and
// waking the caller.
constexpr int64_t kEvalGrain = 4096, kGenGrain = 512;  // points / keys per pool task
constexpr int64_t kAsyncMin = 1 << 14;
// Most points per key (dcf_infer.ts MAX_DCF_POINTS_PER_KEY): EvalRange's working memory grows with them.
constexpr size_t kMaxPointsPerKey = 256;

const AesKey& PrgKey() {
  static const AesKey key = [] {
    const uint8_t raw[16] = {'t', 'f', 'e', '-', 'j', 's', ' ', 'd', 'c', 'f', ' ', 'p', 'r', 'g', '/', '1'};
    return AesExpand(raw);
  }();
  return key;
}

// Both children of G: index 0 the left, 1 the right (indexed by a bit, not branched on).
struct Expansion {
  uint64_t s[2][2], t[2];
  uint64_t v[2][kMaxWidth];
};

// G for `count` ≤ 2·kChunk seeds (seeds[2i], seeds[2i + 1] = low, high word): 2 + width AES
// blocks each; buf holds 16·(2 + width)·count bytes.
void Expand(const uint64_t* seeds, int64_t count, int width, uint8_t* buf, Expansion* out) {
  const int64_t blocks = 2 + width;
  uint64_t* in = reinterpret_cast<uint64_t*>(buf);
  for (int64_t i = 0; i < count; i++) {
    for (int64_t j = 0; j < blocks; j++) {
      in[2 * (blocks * i + j)] = seeds[2 * i] ^ static_cast<uint64_t>(j);
      in[2 * (blocks * i + j) + 1] = seeds[2 * i + 1];
    }
  }
  alignas(64) uint8_t enc[16 * (2 + kMaxWidth) * 2 * kChunk];
  AesEncryptBlocks(PrgKey(), buf, enc, static_cast<size_t>(blocks * count));
  const uint64_t* e = reinterpret_cast<const uint64_t*>(enc);
  for (int64_t i = 0; i < count; i++) {
    const uint64_t* w = e + 2 * blocks * i;
    const uint64_t* x = in + 2 * blocks * i;
    Expansion& g = out[i];
    const uint64_t l0 = w[0] ^ x[0], r0 = w[2] ^ x[2];
    g.s[0][0] = l0 & kLow2, g.s[0][1] = w[1] ^ x[1], g.t[0] = l0 & 1;
    g.s[1][0] = r0 & kLow2, g.s[1][1] = w[3] ^ x[3], g.t[1] = r0 & 1;
    for (int c = 0; c < width; c++) g.v[0][c] = w[4 + c] ^ x[4 + c], g.v[1][c] = w[4 + width + c] ^ x[4 + width + c];
  }
}

// One side of G, for evaluation, where the path's direction is known before the AES: the seed
// block j = side (0 left, 1 right) and the block holding that side's value words (width 2: block
// 2 + side; width 1: block 2, whose low word is the left value and high word the right one).
// Two AES blocks per path instead of 2 + width.
struct Child {
  uint64_t s[2], t, v[kMaxWidth];
};

void ExpandSide(const uint64_t* seeds, const uint64_t* side, int64_t count, int width, uint8_t* buf, Child* out) {
  uint64_t* in = reinterpret_cast<uint64_t*>(buf);
  for (int64_t i = 0; i < count; i++) {
    const uint64_t valueBlock = width == 2 ? 2 + side[i] : 2;
    in[4 * i] = seeds[2 * i] ^ side[i], in[4 * i + 1] = seeds[2 * i + 1];
    in[4 * i + 2] = seeds[2 * i] ^ valueBlock, in[4 * i + 3] = seeds[2 * i + 1];
  }
  alignas(64) uint8_t enc[16 * 2 * 2 * kChunk];
  AesEncryptBlocks(PrgKey(), buf, enc, static_cast<size_t>(2 * count));
  const uint64_t* e = reinterpret_cast<const uint64_t*>(enc);
  for (int64_t i = 0; i < count; i++) {
    const uint64_t *w = e + 4 * i, *x = in + 4 * i;
    Child& c = out[i];
    const uint64_t s0 = w[0] ^ x[0];
    c.s[0] = s0 & kLow2, c.s[1] = w[1] ^ x[1], c.t = s0 & 1;
    if (width == 2) c.v[0] = w[2] ^ x[2], c.v[1] = w[3] ^ x[3];
    else c.v[0] = w[2 + side[i]] ^ x[2 + side[i]];
  }
}

inline uint64_t Bit(uint64_t v, int bits, int level) { return (v >> (bits - 1 - level)) & 1; }
inline uint64_t Mask(int bits) { return bits == 64 ? ~uint64_t(0) : (uint64_t(1) << bits) - 1; }

// Keys of elements [lo, hi): out = [party 0's keys, party 1's keys], each [W, n] (word j of
// key i at j·n + i, so one level's words of all keys are contiguous). A chunk of elements goes
// down the tree together (both parties' seeds in one AES run).
void GenRange(const uint64_t* alpha, const uint64_t* beta, const uint64_t* seeds, int bits, int width, int64_t n, int64_t lo, int64_t hi, uint64_t* out) {
  const int64_t W = 2 + (2 + width) * bits + width, per = 2 + width;
  const uint64_t mask = Mask(bits);
  alignas(64) uint8_t buf[16 * (2 + kMaxWidth) * 2 * kChunk];
  Expansion g[2 * kChunk];
  uint64_t s[4 * kChunk], t0[kChunk], t1[kChunk], vAlpha[kChunk][kMaxWidth];
  for (int64_t c = lo; c < hi; c += kChunk) {
    const int64_t m = std::min(kChunk, hi - c);
    for (int64_t i = 0; i < m; i++) {
      const uint64_t* sd = seeds + 4 * (c + i);
      uint64_t *k0 = out + c + i, *k1 = out + W * n + c + i;
      k0[0] = s[4 * i] = sd[0], k0[n] = s[4 * i + 1] = sd[1];
      k1[0] = s[4 * i + 2] = sd[2], k1[n] = s[4 * i + 3] = sd[3];
      t0[i] = 0, t1[i] = 1;
      for (int q = 0; q < width; q++) vAlpha[i][q] = 0;
    }
    for (int l = 0; l < bits; l++) {
      Expand(s, 2 * m, width, buf, g);
      for (int64_t i = 0; i < m; i++) {
        // branch-free: α's bits and the control bits are random, so branches would mispredict
        const uint64_t ai = Bit(alpha[c + i] & mask, bits, l), lo = ai ^ 1;
        const Expansion &g0 = g[2 * i], &g1 = g[2 * i + 1];
        const uint64_t* keep0 = g0.s[ai];
        const uint64_t* keep1 = g1.s[ai];
        const uint64_t cw0 = g0.s[lo][0] ^ g1.s[lo][0], cw1 = g0.s[lo][1] ^ g1.s[lo][1];
        const uint64_t negMask = uint64_t(0) - t1[i], aMask = uint64_t(0) - ai;
        auto sign = [negMask](uint64_t v) { return (v ^ negMask) - negMask; };  // −v where t1 = 1
        uint64_t* c0 = out + (2 + per * l) * n + c + i;
        uint64_t* c1 = c0 + W * n;
        for (int q = 0; q < width; q++) {
          uint64_t vCw = sign(g1.v[lo][q] - g0.v[lo][q] - vAlpha[i][q]);
          vCw += sign(beta[(c + i) * width + q] & aMask);
          vAlpha[i][q] = vAlpha[i][q] - g1.v[ai][q] + g0.v[ai][q] + sign(vCw);
          c0[(2 + q) * n] = c1[(2 + q) * n] = vCw;
        }
        const uint64_t tCw[2] = {g0.t[0] ^ g1.t[0] ^ ai ^ 1, g0.t[1] ^ g1.t[1] ^ ai};
        const uint64_t tLCw = tCw[0], tRCw = tCw[1], tKeepCw = tCw[ai];
        const uint64_t tKeep0 = g0.t[ai], tKeep1 = g1.t[ai];
        const uint64_t m0 = uint64_t(0) - t0[i], m1 = negMask;
        uint64_t* si = s + 4 * i;
        si[0] = keep0[0] ^ (cw0 & m0), si[1] = keep0[1] ^ (cw1 & m0);
        si[2] = keep1[0] ^ (cw0 & m1), si[3] = keep1[1] ^ (cw1 & m1);
        t0[i] = tKeep0 ^ (t0[i] & tKeepCw), t1[i] = tKeep1 ^ (t1[i] & tKeepCw);
        c0[0] = c1[0] = cw0 | tLCw | (tRCw << 1);
        c0[n] = c1[n] = cw1;
      }
    }
    for (int64_t i = 0; i < m; i++) {
      for (int q = 0; q < width; q++) {
        const uint64_t d = s[4 * i + 2 + q] - s[4 * i + q] - vAlpha[i][q];  // Convert(s) = word q of the seed
        out[(W - width + q) * n + c + i] = out[(2 * W - width + q) * n + c + i] = t1[i] ? uint64_t(0) - d : d;
      }
    }
  }
}

// One evaluation path's state: seed, control bit, and the value so far.
struct PathState {
  uint64_t s[2], t, v[kMaxWidth];
};

// The DCF's shape: input bits, payload words, key words, words per level.
struct Shape {
  int bits, width;
  int64_t n, W, per;
};

// Steps every path of `active` (indices into st) one level down: path q goes right when bit l
// of points[q] is set, with the correction words of key keyOf[q].
void Step(const uint64_t* keys, const Shape& d, int l, uint64_t party, const std::vector<int64_t>& active,
          const uint64_t* points, const int64_t* keyOf, PathState* st, uint8_t* buf, uint64_t* seeds, Child* g) {
  const int64_t count = static_cast<int64_t>(active.size()), n = d.n;
  const uint64_t partyMask = uint64_t(0) - party;
  uint64_t side[2 * kChunk];
  for (int64_t b = 0; b < count; b += 2 * kChunk) {
    const int64_t m = std::min<int64_t>(2 * kChunk, count - b);
    for (int64_t i = 0; i < m; i++) {
      const int64_t q = active[static_cast<size_t>(b + i)];
      seeds[2 * i] = st[q].s[0], seeds[2 * i + 1] = st[q].s[1];
      side[i] = Bit(points[q], d.bits, l);
    }
    ExpandSide(seeds, side, m, d.width, buf, g);
    for (int64_t i = 0; i < m; i++) {
      const int64_t q = active[static_cast<size_t>(b + i)];
      PathState& p = st[q];
      const uint64_t* cw = keys + (2 + d.per * l) * n + keyOf[q];  // word j of the level at cw[j·n]
      // branch-free: the direction and the control bit are random, so branches would mispredict
      const uint64_t right = side[i], t = p.t, tMask = uint64_t(0) - t;
      const Child& e = g[i];
      for (int c = 0; c < d.width; c++) {
        const uint64_t v = e.v[c] + (cw[(2 + c) * n] & tMask);
        p.v[c] += (v ^ partyMask) - partyMask;  // −v for party 1
      }
      const uint64_t cw0 = cw[0];
      p.s[0] = e.s[0] ^ (cw0 & kLow2 & tMask);
      p.s[1] = e.s[1] ^ (cw[n] & tMask);
      p.t = e.t ^ (t & (cw0 >> right) & 1);
    }
  }
}

// Shares at the k points of keys [lo, hi) (point j·n + i uses key i), out [width, k·n]. A key's
// points go down one path for as long as they agree on their top bits, and split after: a
// spline's 13 points c − t_j differ only in their low ~36 bits, so this saves about 40 % of
// the levels.
void EvalRange(const uint64_t* keys, const uint64_t* x, const Shape& d, uint64_t party, int64_t k, int64_t lo, int64_t hi, uint64_t* out) {
  const int64_t n = d.n, m = k * n;
  const uint64_t mask = Mask(d.bits);
  const int64_t perChunk = std::max<int64_t>(1, kChunk / k);
  alignas(64) uint8_t buf[16 * (2 + kMaxWidth) * 2 * kChunk];
  uint64_t seeds[4 * kChunk];
  std::vector<Child> g(static_cast<size_t>(2 * kChunk));
  std::vector<PathState> keySt, pointSt;
  std::vector<uint64_t> keyPoint, pts;
  std::vector<int64_t> keyIdx, pointKey, common, active;
  for (int64_t c0 = lo; c0 < hi; c0 += perChunk) {
    const int64_t mk = std::min(perChunk, hi - c0);
    keySt.assign(static_cast<size_t>(mk), PathState{});
    keyPoint.resize(static_cast<size_t>(mk)), keyIdx.resize(static_cast<size_t>(mk)), common.resize(static_cast<size_t>(mk));
    pts.resize(static_cast<size_t>(mk * k)), pointKey.resize(static_cast<size_t>(mk * k));
    for (int64_t i = 0; i < mk; i++) {
      keySt[i] = PathState{{keys[c0 + i], keys[n + c0 + i]}, party, {}};
      uint64_t diff = 0;
      const uint64_t first = x[c0 + i] & mask;
      for (int64_t j = 0; j < k; j++) {
        pts[i * k + j] = x[j * n + c0 + i] & mask;
        pointKey[i * k + j] = c0 + i;
        diff |= pts[i * k + j] ^ first;
      }
      // levels on which every point of key i agrees: the top bits above diff's highest one
      common[i] = diff ? d.bits - (64 - __builtin_clzll(diff)) : d.bits;
      keyPoint[i] = first, keyIdx[i] = c0 + i;
    }
    // The shared top of each key's paths.
    for (int l = 0; l < d.bits; l++) {
      active.clear();
      for (int64_t i = 0; i < mk; i++) if (common[i] > l) active.push_back(i);
      if (active.empty()) break;
      Step(keys, d, l, party, active, keyPoint.data(), keyIdx.data(), keySt.data(), buf, seeds, g.data());
    }
    // Each point's own rest of the path.
    pointSt.resize(static_cast<size_t>(mk * k));
    for (int64_t q = 0; q < mk * k; q++) pointSt[q] = keySt[q / k];
    for (int l = 0; l < d.bits; l++) {
      active.clear();
      for (int64_t q = 0; q < mk * k; q++) if (common[q / k] <= l) active.push_back(q);
      if (!active.empty()) Step(keys, d, l, party, active, pts.data(), pointKey.data(), pointSt.data(), buf, seeds, g.data());
    }
    for (int64_t q = 0; q < mk * k; q++) {
      const PathState& p = pointSt[q];
      for (int c = 0; c < d.width; c++) {
        const uint64_t final = keys[(d.W - d.width + c) * n + pointKey[q]];
        const uint64_t v = p.s[c] + (p.t ? final : 0);  // Convert(s) = word c of the seed
        out[c * m + (q % k) * n + c0 + q / k] = p.v[c] + (party ? uint64_t(0) - v : v);
      }
    }
  }
}

Shape GetShape(const Napi::CallbackInfo& info, size_t bitsAt, int64_t n) {
  const int bits = static_cast<int>(GetInt(info, bitsAt, "bits", 1, 64));
  const int width = static_cast<int>(GetInt(info, bitsAt + 1, "width", 1, kMaxWidth));
  return {bits, width, n, 2 + (2 + width) * int64_t(bits) + width, 2 + width};
}

// dcfGen(alpha, beta, seeds, bits, width, async, out?) -> BigUint64Array [2·W·n]
Napi::Value DcfGen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Arr alpha = GetU64(info, 0, "alpha"), beta = GetU64(info, 1, "beta"), seeds = GetU64(info, 2, "seeds");
  const int64_t n = static_cast<int64_t>(alpha.length);
  const Shape d = GetShape(info, 3, n);
  CheckLength(env, beta, alpha.length * d.width, "beta");
  CheckLength(env, seeds, 4 * alpha.length, "seeds");
  const bool async = GetBool(info, 5, "async");
  Arr outArr = OutArr(info, 6, true, static_cast<size_t>(2 * n * d.W));
  uint64_t* o = outArr.u();
  const uint64_t *a = alpha.u(), *b = beta.u(), *s = seeds.u();
  return RunWork(env, async && n >= kAsyncMin / 8, {alpha.value, beta.value, seeds.value}, outArr.value, [=] {
    ParallelRange(n, kGenGrain, [&](int64_t lo, int64_t hi) { GenRange(a, b, s, d.bits, d.width, n, lo, hi, o); });
  });
}

// dcfEval(keys, x, n, bits, width, party, async, out?) -> BigUint64Array [width·x.length]
Napi::Value DcfEval(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Arr keys = GetU64(info, 0, "keys"), x = GetU64(info, 1, "x");
  const int64_t n = GetInt(info, 2, "n", 1, int64_t(1) << 40);
  const Shape d = GetShape(info, 3, n);
  CheckLength(env, keys, static_cast<size_t>(n * d.W), "keys");
  if (x.length == 0 || x.length % static_cast<size_t>(n) != 0) Fail(env, "`x` must hold a whole number of points per key, at least one");
  if (x.length / static_cast<size_t>(n) > kMaxPointsPerKey) Fail(env, "`x` may hold at most 256 points per key");
  const uint64_t party = static_cast<uint64_t>(GetInt(info, 5, "party", 0, 1));
  const bool async = GetBool(info, 6, "async");
  const int64_t m = static_cast<int64_t>(x.length), k = m / n;
  Arr outArr = OutArr(info, 7, true, x.length * static_cast<size_t>(d.width));
  uint64_t* o = outArr.u();
  const uint64_t *kp = keys.u(), *xp = x.u();
  return RunWork(env, async && m >= kAsyncMin, {keys.value, x.value}, outArr.value, [=] {
    ParallelRange(n, std::max<int64_t>(1, kEvalGrain / k), [&](int64_t lo, int64_t hi) { EvalRange(kp, xp, d, party, k, lo, hi, o); });
  });
}

}  // namespace

void InitDcf(Napi::Env env, Napi::Object exports) {
  exports.Set("dcfGen", Napi::Function::New(env, DcfGen));
  exports.Set("dcfEval", Napi::Function::New(env, DcfEval));
}

}  // namespace tfe
