// Standalone GPU test and benchmark harness (no Node.js needed): links the same kernel sources
// as the addon (tfe_cuda_all.cu), cross-checks every kernel family bit for bit against plain
// CPU loops on random and edge inputs, then prints the `npm run bench -- cuda` figures.
// Build and run: bash native/cuda/run_harness.sh   (exit status 1 on any mismatch)
#include <cuda_runtime.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <tuple>
#include <vector>

#include "aes_block.cuh"
#include "tfe_cuda.h"

using namespace tfe_cuda;
using U64s = std::vector<uint64_t>;
using U8s = std::vector<uint8_t>;

namespace {

int failures = 0, checks = 0;

uint64_t state = 0x9e3779b97f4a7c15ull;
uint64_t Next() {  // splitmix64: reproducible test data (not for secrets)
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}
U64s RandU64(size_t n) {  // one element in eight is an edge value
  const uint64_t edges[4] = {0, 1, uint64_t(1) << 63, ~uint64_t(0)};
  U64s v(n);
  for (auto& x : v) x = (Next() & 7) == 0 ? edges[Next() & 3] : Next();
  return v;
}
U8s RandU8(size_t n, uint32_t m) {
  U8s v(n);
  for (auto& x : v) x = uint8_t(Next() % m);
  return v;
}

template <class T>
struct Dev {  // a device copy of a host vector
  T* p = nullptr;
  size_t n = 0;
  explicit Dev(size_t count) : n(count) { p = static_cast<T*>(DeviceAlloc(n * sizeof(T), true)); }
  explicit Dev(const std::vector<T>& v) : Dev(v.size()) { CopyToDevice(p, v.data(), n * sizeof(T)); }
  ~Dev() { DeviceFree(p); }
  std::vector<T> Host() const {
    std::vector<T> v(n);
    CopyToHost(v.data(), p, n * sizeof(T));
    return v;
  }
};

template <class T>
void Expect(const std::string& what, const std::vector<T>& got, const std::vector<T>& want) {
  checks++;
  for (size_t i = 0; i < want.size(); i++) {
    if (got.size() != want.size() || got[i] != want[i]) {
      std::printf("FAIL %s: element %zu differs\n", what.c_str(), i);
      failures++;
      return;
    }
  }
  std::printf("ok   %s\n", what.c_str());
}

NdView Flat(int64_t n, int64_t sa, int64_t sb) {
  NdView v{};
  v.rank = 1;
  v.shape[0] = n;
  v.strides[0][0] = sa;
  v.strides[1][0] = sb;
  v.strides[2][0] = 1;
  return v;
}

U64s CpuMatMul(const U64s& a, const U64s& b, int64_t M, int64_t K, int64_t N, bool tA, bool tB) {
  U64s c(M * N, 0);
  for (int64_t m = 0; m < M; m++)
    for (int64_t k = 0; k < K; k++) {
      const uint64_t av = tA ? a[k * M + m] : a[m * K + k];
      for (int64_t n = 0; n < N; n++) c[m * N + n] += av * (tB ? b[n * K + k] : b[k * N + n]);
    }
  return c;
}

void CheckElementwise() {
  const int64_t n = 1 << 16;
  const U64s a = RandU64(n), b = RandU64(n);
  Dev<uint64_t> da(a), db(b), out(n);
  const char* names[6] = {"add", "sub", "mul", "and", "or", "xor"};
  for (int op = 0; op < 6; op++) {
    Binary(op, 0, Flat(n, 1, 1), da.p, db.p, out.p);
    U64s want(n);
    for (int64_t i = 0; i < n; i++) {
      const uint64_t x = a[i], y = b[i];
      want[i] = op == 0 ? x + y : op == 1 ? x - y : op == 2 ? x * y : op == 3 ? (x & y) : op == 4 ? (x | y) : (x ^ y);
    }
    Expect(std::string("binary u64 ") + names[op], out.Host(), want);
  }
  Binary(kSub, 0, Flat(n, 1, 0), da.p, db.p, out.p);  // broadcast scalar b[0]
  U64s bc(n);
  for (int64_t i = 0; i < n; i++) bc[i] = a[i] - b[0];
  Expect("binary u64 sub, broadcast scalar", out.Host(), bc);
  const U8s x8 = RandU8(n, 67), y8 = RandU8(n, 67);
  Dev<uint8_t> dx(x8), dy(y8), o8(n);
  for (int op = 0; op < 3; op++) {
    Binary(op, 67, Flat(n, 1, 1), dx.p, dy.p, o8.p);
    U8s want(n);
    for (int64_t i = 0; i < n; i++) want[i] = uint8_t((op == 0 ? x8[i] + y8[i] : op == 1 ? x8[i] + 67 - y8[i] : x8[i] * y8[i]) % 67);
    Expect(std::string("binary u8 mod 67 ") + names[op], o8.Host(), want);
  }
  for (int op = 0; op < 6; op++) {
    for (int sgn = 0; sgn < 2; sgn++) {
      Compare(op, true, sgn, Flat(n, 1, 1), da.p, db.p, o8.p);
      U8s want(n);
      for (int64_t i = 0; i < n; i++) {
        const bool lt = sgn ? int64_t(a[i]) < int64_t(b[i]) : a[i] < b[i], eq = a[i] == b[i];
        const bool r[6] = {lt, lt || eq, !lt && !eq, !lt, eq, !eq};
        want[i] = r[op];
      }
      Expect("compare op " + std::to_string(op) + (sgn ? " signed" : " unsigned"), o8.Host(), want);
    }
  }
  for (int op = 0; op < 3; op++) {
    for (int bits : {0, 1, 37, 63}) {
      Shift(op, bits, n, da.p, out.p);
      U64s want(n);
      for (int64_t i = 0; i < n; i++) want[i] = op == 0 ? a[i] << bits : op == 1 ? a[i] >> bits : uint64_t(int64_t(a[i]) >> bits);
      Expect("shift op " + std::to_string(op) + " by " + std::to_string(bits), out.Host(), want);
    }
  }
  Unary(kNeg, 0, n, da.p, out.p);
  U64s neg(n);
  for (int64_t i = 0; i < n; i++) neg[i] = 0 - a[i];
  Expect("neg u64", out.Host(), neg);
  BitExtract(63, n, da.p, o8.p);
  U8s bit(n);
  for (int64_t i = 0; i < n; i++) bit[i] = uint8_t(a[i] >> 63);
  Expect("bitExtract 63", o8.Host(), bit);
  Cast(0, 67, n, da.p, o8.p);
  U8s cast(n);
  for (int64_t i = 0; i < n; i++) cast[i] = uint8_t(a[i] % 67);
  Expect("cast u64 -> u8 mod 67", o8.Host(), cast);
  Dev<uint8_t> d64(n * 64);
  BitDecompose(n, da.p, d64.p);
  U8s dec(n * 64);
  for (int64_t i = 0; i < n * 64; i++) dec[i] = uint8_t((a[i / 64] >> (i % 64)) & 1);
  Expect("bitDecompose", d64.Host(), dec);
}

void CheckMovementAndReduce() {
  const int64_t R = 300, C = 70;
  const U64s x = RandU64(R * C);
  Dev<uint64_t> dx(x), out(R * C);
  NdView t{};  // transpose: dst [C, R] row-major from src [R, C]
  t.rank = 2;
  t.shape[0] = C; t.shape[1] = R;
  t.strides[0][0] = R; t.strides[0][1] = 1;
  t.strides[1][0] = 1; t.strides[1][1] = C;
  StridedCopy(true, t, dx.p, out.p);
  U64s tr(R * C);
  for (int64_t r = 0; r < R; r++) for (int64_t c = 0; c < C; c++) tr[c * R + r] = x[r * C + c];
  Expect("stridedCopy transpose", out.Host(), tr);
  for (int64_t outSize : {int64_t(C), int64_t(1)}) {  // sum over rows (thread per output, block per output)
    NdView v{};
    if (outSize == C) {
      v.rank = 2; v.shape[0] = C; v.shape[1] = R; v.strides[1][0] = 1; v.strides[1][1] = C;
    } else {
      v.rank = 1; v.shape[0] = R * C; v.strides[1][0] = 1;
    }
    Dev<uint64_t> s(outSize);
    ReduceSum(0, v, outSize, dx.p, s.p);
    U64s want(outSize, 0);
    for (int64_t i = 0; i < R * C; i++) want[outSize == C ? i % C : 0] += x[i];
    Expect("reduceSum to " + std::to_string(outSize), s.Host(), want);
  }
  CumSum(0, R, C, 1, false, false, dx.p, out.p);
  U64s cs(R * C);
  for (int64_t r = 0; r < R; r++) { uint64_t acc = 0; for (int64_t c = 0; c < C; c++) cs[r * C + c] = acc += x[r * C + c]; }
  Expect("cumSum rows", out.Host(), cs);
  const U64s idx64 = {5, 0, 0, 69};
  std::vector<int32_t> idx = {5, 0, 0, 69};
  Dev<int32_t> di(idx);
  Dev<uint64_t> g(R * 4);
  Gather(true, R, C, 1, di.p, 4, dx.p, g.p);
  U64s gw(R * 4);
  for (int64_t r = 0; r < R; r++) for (int j = 0; j < 4; j++) gw[r * 4 + j] = x[r * C + idx[j]];
  Expect("gather", g.Host(), gw);
}

void CheckMatMul() {
  for (auto [M, K, N] : {std::tuple<int64_t, int64_t, int64_t>{1, 1, 1}, {17, 33, 65}, {130, 70, 140}, {256, 4097, 200}, {513, 64, 129}}) {
    for (int tr = 0; tr < 4; tr++) {
      const bool tA = tr & 1, tB = tr & 2;
      const U64s a = RandU64(M * K), b = RandU64(K * N);
      Dev<uint64_t> da(a), db(b), dc(M * N);
      const U64s want = CpuMatMul(a, b, M, K, N, tA, tB);
      const MatMulShape s{M, K, N, tA, tB};
      const std::string dims = std::to_string(M) + "x" + std::to_string(K) + "x" + std::to_string(N) + (tA ? " tA" : "") + (tB ? " tB" : "");
      MatMulTiledU64(s, da.p, db.p, dc.p);
      Expect("matmul tiled " + dims, dc.Host(), want);
      MatMulImmaU64(s, da.p, db.p, dc.p);
      Expect("matmul imma " + dims, dc.Host(), want);
    }
  }
  const int64_t K = 8193;  // every limb 0xFF: the largest limb sums, three K-chunks
  U64s ones(128 * K, ~uint64_t(0));
  Dev<uint64_t> d1(ones), dc(128 * 128);
  MatMulImmaU64({128, K, 128, false, true}, d1.p, d1.p, dc.p);
  Expect("matmul imma all-ones K=8193", dc.Host(), U64s(128 * 128, uint64_t(K)));
}

void CheckPrg() {
  static constexpr AesTables t = MakeAesTables();
  uint8_t seed[16];
  for (int i = 0; i < 16; i++) seed[i] = uint8_t(i * 7 + 1);
  uint32_t rk[44];
  AesExpandKey(t, seed, rk);
  auto cpuBytes = [&](uint64_t nonce, uint64_t offset, size_t n) {
    U8s out(n);
    for (size_t b = 0; b < n; b += 16) {
      uint32_t w[4];
      AesCtrBlock(t, rk, nonce, offset, b / 16, w);
      for (size_t k = b; k < n && k < b + 16; k++) out[k] = uint8_t(w[(k % 16) / 4] >> (8 * (k % 4)));
    }
    return out;
  };
  const int64_t n = 100003;
  const uint64_t last = ~uint64_t(0);
  for (uint64_t offset : {uint64_t(0), last - 5}) {
    Dev<uint64_t> d(n);
    PrgUniform(seed, 9, offset, n, 0, d.p);
    const U8s ks = cpuBytes(9, offset, 8 * n);
    U64s want(n);
    std::memcpy(want.data(), ks.data(), 8 * n);
    Expect("prg u64 offset " + std::to_string(offset), d.Host(), want);
  }
  for (uint32_t m : {2u, 64u, 67u, 129u}) {
    Dev<uint8_t> d(n);
    PrgUniform(seed, 3, 11, n, int(m), d.p);
    const U8s ks = cpuBytes(3, 11, 4 * n);
    U8s want;
    const uint32_t limit = 256 - 256 % m;
    for (size_t k = 0; want.size() < size_t(n); k++) {
      if (m == 2) want.push_back((ks[k / 8] >> (k % 8)) & 1);
      else if (ks[k] < limit) want.push_back(uint8_t(ks[k] % m));
    }
    Expect("prg u8 mod " + std::to_string(m), d.Host(), want);
  }
}

void CheckConv() {
  const ConvGeom g{2, 13, 11, 3, 3, 3, 2, 1, 1, 1, 7, 11};  // 'same', strides (2, 1)
  const int64_t F = 5, rows = g.n * g.oh * g.ow, cols = g.kh * g.kw * g.c;
  const U64s x = RandU64(g.n * g.h * g.w * g.c), w = RandU64(cols * F);
  U64s im(rows * cols);
  for (int64_t r = 0; r < rows; r++) for (int64_t c = 0; c < cols; c++) { const int64_t s = Im2ColSource(g, r, c); im[r * cols + c] = s < 0 ? 0 : x[s]; }
  Dev<uint64_t> dx(x), dw(w), dcols(rows * cols), dout(rows * F), dback(x.size());
  Im2Col(true, g, dx.p, dcols.p);
  Expect("im2col", dcols.Host(), im);
  Conv2D(g, F, dx.p, dw.p, dout.p);
  Expect("conv2d", dout.Host(), CpuMatMul(im, w, rows, cols, F, false, false));
  U64s back(x.size(), 0);
  for (int64_t r = 0; r < rows; r++) for (int64_t c = 0; c < cols; c++) { const int64_t s = Im2ColSource(g, r, c); if (s >= 0) back[s] += im[r * cols + c]; }
  Col2Im(0, g, dcols.p, dback.p);
  Expect("col2im (adjoint of im2col)", dback.Host(), back);
}

double TimeMs(const std::function<void()>& f, int reps) {
  f();
  Synchronize();
  double best = 1e30;
  for (int r = 0; r < reps; r++) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    Synchronize();
    best = std::min(best, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  return best;
}

void Bench() {
  std::printf("\n# benchmarks (minimum of repeated runs)\n");
  auto mm = [](int64_t n, bool imma) {
    Dev<uint64_t> a(RandU64(n * n)), b(RandU64(n * n)), c(n * n);
    return TimeMs([&] { imma ? MatMulImmaU64({n, n, n, false, false}, a.p, b.p, c.p) : MatMulTiledU64({n, n, n, false, false}, a.p, b.p, c.p); }, 5);
  };
  const double t4i = mm(4096, true), t4t = mm(4096, false), t1 = mm(1024, true);
  const double macs4 = 4096.0 * 4096 * 4096;
  std::printf("cuda_matmul_u64_4096_tmacs %.3f Tmac/s\n", macs4 / t4i / 1e9);
  std::printf("cuda_matmul_u64_4096_tiled_tmacs %.3f Tmac/s\n", macs4 / t4t / 1e9);
  std::printf("cuda_matmul_u64_1024_ms %.3f ms\n", t1);
  const int64_t n = int64_t(1) << 27;  // 1 GiB of u64
  Dev<uint64_t> p(n);
  uint8_t seed[16] = {1};
  const double tp = TimeMs([&] { PrgUniform(seed, 0, 0, n, 0, p.p); }, 5);
  std::printf("cuda_prg_gbytes_per_s %.2f GB/s\n", 8.0 * n / tp / 1e6);
  const U64s a = RandU64(1024 * 1024), b = RandU64(1024 * 1024);
  const auto t0 = std::chrono::steady_clock::now();
  const U64s c = CpuMatMul(a, b, 1024, 1024, 1024, false, false);
  const double cpu = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  std::printf("cuda_vs_cpu_matmul_1024_ratio %.1f x (against one CPU thread of this harness, %.0f ms; the bench suite compares with the native backend)\n", cpu / t1, cpu);
  std::printf("networkA_train_step_ms n/a (needs Node.js: npm run bench -- cuda)\n");
}

}  // namespace

int main(int argc, char** argv) {
  DeviceInfo info;
  std::string why;
  if (!QueryDevice(&info, &why)) {
    std::printf("no GPU: %s\n", why.c_str());
    return 2;
  }
  std::printf("device: %s (sm_%d%d, %.1f GiB)\n", info.name.c_str(), info.major, info.minor, info.memoryBytes / 1073741824.0);
  try {
    CheckElementwise();
    CheckMovementAndReduce();
    CheckMatMul();
    CheckPrg();
    CheckConv();
    std::printf("\n%d checks, %d failed\n", checks, failures);
    if (!(argc > 1 && std::strcmp(argv[1], "--no-bench") == 0)) Bench();
  } catch (const std::exception& e) {
    std::printf("FAIL %s\n", e.what());
    return 1;
  }
  return failures ? 1 : 0;
}
