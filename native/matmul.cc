// MatMul: batched, broadcasting batch dimensions, optional transposes, u64 or u8 mod m.
#include <vector>

#include "gemm_impl.h"
#include "napi_util.h"
#include "nd_iter.h"

namespace tfe {
namespace {

struct MatMulJob {
  Arr a, b, o;
  Plan batch;
  int64_t M, K, N;
  bool ta, tb;
  uint32_t m;
};

// Products too small to pay for packing: a plain loop the compiler vectorises.
void SmallGemm(int64_t M, int64_t N, int64_t K, const MatView& a, const MatView& b, uint64_t* c) {
  for (int64_t i = 0; i < M; i++) {
    uint64_t* row = c + i * N;
    for (int64_t j = 0; j < N; j++) row[j] = 0;
    for (int64_t k = 0; k < K; k++) {
      uint64_t av = a.p[i * a.rs + k * a.cs];
      const uint64_t* bk = b.p + k * b.rs;
      if (b.cs == 1) {
        for (int64_t j = 0; j < N; j++) row[j] += av * bk[j];
      } else {
        for (int64_t j = 0; j < N; j++) row[j] += av * bk[j * b.cs];
      }
    }
  }
}

void RunU64(const MatMulJob& j, const uint64_t* a, const uint64_t* b, uint64_t* o) {
  MatView va = j.ta ? MatView{nullptr, 1, j.M} : MatView{nullptr, j.K, 1};
  MatView vb = j.tb ? MatView{nullptr, 1, j.K} : MatView{nullptr, j.N, 1};
  std::vector<int64_t> offA, offB;
  Walk(j.batch, 0, j.batch.total, [&](int64_t, const int64_t* offs, const int64_t* in, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
      offA.push_back(offs[0] + i * in[0]);
      offB.push_back(offs[1] + i * in[1]);
    }
  });
  int64_t count = static_cast<int64_t>(offA.size()), mn = j.M * j.N;
  const bool tiny = j.M * j.N * j.K <= 4096;
  auto one = [&](int64_t t) {
    MatView x = va, y = vb;
    x.p = a + offA[t];
    y.p = b + offB[t];
    if (tiny) SmallGemm(j.M, j.N, j.K, x, y, o + t * mn);
    else GemmU64(j.M, j.N, j.K, x, y, o + t * mn, j.N);
  };
  // Many small products: one per task; otherwise each product uses the whole pool.
  if (count > 1 && j.M * j.N * j.K < (int64_t(1) << 21)) ParallelFor(count, one);
  else for (int64_t t = 0; t < count; t++) one(t);
}

void Run(const MatMulJob& j) {
  if (j.a.u64) return RunU64(j, j.a.u(), j.b.u(), j.o.u());
  // u8 mod m: exact u64 products (K·255² never wraps), then reduce.
  std::vector<uint64_t> a(j.a.b(), j.a.b() + j.a.length), b(j.b.b(), j.b.b() + j.b.length);
  std::vector<uint64_t> o(j.o.length);
  RunU64(j, a.data(), b.data(), o.data());
  for (size_t i = 0; i < o.size(); i++) j.o.b()[i] = uint8_t(o[i] % j.m);
}

// matmul(a, b, batchShape, aBatchStrides, bBatchStrides, M, K, N, transposeA, transposeB,
//        modulus, async, out?) -> [...batchShape, M, N]; batch strides count elements
Napi::Value MatMul(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  MatMulJob j;
  j.a = GetArr(info, 0, "a");
  j.b = GetArr(info, 1, "b");
  if (j.a.u64 != j.b.u64) Fail(env, "`a` and `b` must have the same element type");
  std::vector<int64_t> shape = GetInts(info, 2, "batchShape");
  std::vector<int64_t> sa = GetInts(info, 3, "aBatchStrides"), sb = GetInts(info, 4, "bBatchStrides");
  const int64_t lim = int64_t(1) << 40;
  j.M = GetInt(info, 5, "M", 0, lim);
  j.K = GetInt(info, 6, "K", 0, lim);
  j.N = GetInt(info, 7, "N", 0, lim);
  j.ta = GetBool(info, 8, "transposeA");
  j.tb = GetBool(info, 9, "transposeB");
  j.m = static_cast<uint32_t>(GetInt(info, 10, "modulus", 0, 256));
  bool async = GetBool(info, 11, "async");
  if (shape.size() > kMaxRank || sa.size() != shape.size() || sb.size() != shape.size()) {
    Fail(env, "batch strides must have one entry per batch axis (rank <= 16)");
  }
  if (!j.a.u64 && j.m < 2) Fail(env, "`modulus` must be in [2, 256] for u8 operands");
  j.batch = MakePlan(shape, {&sa, &sb});
  if (j.batch.total > 0 && j.M * j.N * j.K > 0 &&
      (j.a.length < size_t(j.M * j.K) || j.b.length < size_t(j.K * j.N) || !SpanFits(shape, sa, j.a.length - j.M * j.K + 1) || !SpanFits(shape, sb, j.b.length - j.K * j.N + 1))) {
    Fail(env, "`a` or `b` is shorter than its shape");
  }
  j.o = OutArr(info, 12, j.a.u64, static_cast<size_t>(j.batch.total * j.M * j.N));
  bool big = async && j.batch.total * j.M * j.N * j.K >= (int64_t(1) << 18);
  return RunWork(env, big, {j.a.value, j.b.value}, j.o.value, [j] { Run(j); });
}

}  // namespace

void InitMatMul(Napi::Env env, Napi::Object exports) {
  exports.Set("matmul", Napi::Function::New(env, MatMul));
}

}  // namespace tfe
