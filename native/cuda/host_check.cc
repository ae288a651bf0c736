// Host-side checks of the CUDA kernels' exact arithmetic, compiled with a plain C++ compiler
// from the same __host__ __device__ headers the kernels use (test/cuda/limb_math.test.ts
// builds and drives it; no GPU needed). Little-endian binary on stdin and stdout:
//   limb M K N                 A [M, K] u64, B [K, N] u64 -> C [M, N] via the IMMA data flow
//                              (limb planes, fragments, chunked s32 sums); stderr: "maxsum S"
//   tiled M K N tA tB          A, B as stored (transposed when tA / tB) -> C via the tiled
//                              kernel's thread maps and shared-memory tiles
//   aes NONCE OFFSET NBYTES    seed (16 bytes) -> the AES-128-CTR keystream
//   im2col N H W C kh kw sh sw pt pl oh ow   x u64 -> cols u64 via Im2ColSource
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "aes_block.cuh"
#include "index_math.cuh"
#include "limb_math.cuh"

using namespace tfe_cuda;

namespace {

std::vector<uint64_t> ReadU64(size_t n) {
  std::vector<uint64_t> v(n);
  if (n && std::fread(v.data(), 8, n, stdin) != n) {
    std::fprintf(stderr, "short input\n");
    std::exit(2);
  }
  return v;
}

void Write(const void* p, size_t bytes) { std::fwrite(p, 1, bytes, stdout); }

int Limb(int64_t M, int64_t K, int64_t N) {
  auto a = ReadU64(M * K), b = ReadU64(K * N);
  const int64_t mp = RoundUp(M, kImmaTile), np = RoundUp(N, kImmaTile), kp = RoundUp(K, kImmaK);
  std::vector<uint8_t> ap(kLimbs * mp * kp, 0), bp(kLimbs * np * kp, 0);
  for (int64_t r = 0; r < M; r++) for (int64_t k = 0; k < K; k++) PackElement(a.data(), K, 1, r, k, mp, kp, ap.data());
  for (int64_t n = 0; n < N; n++) for (int64_t k = 0; k < K; k++) PackElement(b.data(), 1, N, n, k, np, kp, bp.data());
  std::vector<uint64_t> c(M * N);
  const int64_t maxSum = EmulateImmaMatMul(ap.data(), bp.data(), M, N, K, c.data());
  std::fprintf(stderr, "maxsum %lld\n", static_cast<long long>(maxSum));
  Write(c.data(), c.size() * 8);
  return 0;
}

int Tiled(int64_t M, int64_t K, int64_t N, bool tA, bool tB) {
  auto a = ReadU64(M * K), b = ReadU64(K * N);
  const int64_t am = tA ? 1 : K, ak = tA ? M : 1, bk = tB ? 1 : N, bn = tB ? K : 1;
  std::vector<uint64_t> c(M * N, 0);
  static uint64_t As[kTileK][kTileM], Bs[kTileK][kTileN];
  std::vector<uint64_t> acc(kTileThreads * kMicro * kMicro);
  for (int64_t m0 = 0; m0 < M; m0 += kTileM) {
    for (int64_t n0 = 0; n0 < N; n0 += kTileN) {
      std::fill(acc.begin(), acc.end(), 0);
      for (int64_t k0 = 0; k0 < K; k0 += kTileK) {
        for (int tid = 0; tid < kTileThreads; tid++) {
          for (int l = 0; l < kTileLoads; l++) {
            int m, k, kb, n;
            TileLoadA(tid, l, &m, &k);
            As[k][m] = m0 + m < M && k0 + k < K ? a[(m0 + m) * am + (k0 + k) * ak] : 0;
            TileLoadB(tid, l, &kb, &n);
            Bs[kb][n] = k0 + kb < K && n0 + n < N ? b[(k0 + kb) * bk + (n0 + n) * bn] : 0;
          }
        }
        for (int tid = 0; tid < kTileThreads; tid++) {
          int r0, c0;
          TilePatch(tid, &r0, &c0);
          for (int k = 0; k < kTileK; k++) {
            for (int i = 0; i < kMicro; i++) {
              for (int j = 0; j < kMicro; j++) {
                acc[(tid * kMicro + i) * kMicro + j] += As[k][r0 + i * (kTileM / kMicro)] * Bs[k][c0 + j * (kTileN / kMicro)];
              }
            }
          }
        }
      }
      for (int tid = 0; tid < kTileThreads; tid++) {
        int r0, c0;
        TilePatch(tid, &r0, &c0);
        for (int i = 0; i < kMicro; i++) {
          for (int j = 0; j < kMicro; j++) {
            const int64_t m = m0 + r0 + i * (kTileM / kMicro), n = n0 + c0 + j * (kTileN / kMicro);
            if (m < M && n < N) c[m * N + n] = acc[(tid * kMicro + i) * kMicro + j];
          }
        }
      }
    }
  }
  Write(c.data(), c.size() * 8);
  return 0;
}

int Aes(uint64_t nonce, uint64_t offset, int64_t nbytes) {
  static constexpr AesTables t = MakeAesTables();
  uint8_t seed[16];
  if (std::fread(seed, 1, 16, stdin) != 16) return 2;
  uint32_t rk[44];
  AesExpandKey(t, seed, rk);
  std::vector<uint8_t> out(nbytes);
  for (int64_t blk = 0; 16 * blk < nbytes; blk++) {
    uint32_t w[4];
    AesCtrBlock(t, rk, nonce, offset, blk, w);
    for (int64_t b = 16 * blk; b < nbytes && b < 16 * blk + 16; b++) out[b] = uint8_t(w[(b % 16) / 4] >> (8 * (b % 4)));
  }
  Write(out.data(), out.size());
  return 0;
}

int Im2Col(const int64_t* v) {
  const ConvGeom g{v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11]};
  auto x = ReadU64(g.n * g.h * g.w * g.c);
  const int64_t rows = g.n * g.oh * g.ow, cols = g.kh * g.kw * g.c;
  std::vector<uint64_t> out(rows * cols);
  for (int64_t r = 0; r < rows; r++) {
    for (int64_t c = 0; c < cols; c++) {
      const int64_t s = Im2ColSource(g, r, c);
      out[r * cols + c] = s < 0 ? 0 : x[s];
    }
  }
  Write(out.data(), out.size() * 8);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string cmd = argc > 1 ? argv[1] : "";
  auto arg = [&](int i) { return static_cast<int64_t>(std::strtoll(argv[i], nullptr, 10)); };
  if (cmd == "limb" && argc == 5) return Limb(arg(2), arg(3), arg(4));
  if (cmd == "tiled" && argc == 7) return Tiled(arg(2), arg(3), arg(4), arg(5) != 0, arg(6) != 0);
  if (cmd == "aes" && argc == 5) return Aes(std::strtoull(argv[2], nullptr, 10), std::strtoull(argv[3], nullptr, 10), arg(4));
  if (cmd == "im2col" && argc == 14) {
    int64_t v[12];
    for (int i = 0; i < 12; i++) v[i] = arg(2 + i);
    return Im2Col(v);
  }
  std::fprintf(stderr, "usage: host_check limb|tiled|aes|im2col ...\n");
  return 2;
}
