// Helpers shared by the CUDA kernel files: error checks, the one stream every call is ordered
// on, launch sizes and grid-stride loops. Internal to native/cuda.
#pragma once
#include <cuda_runtime.h>

#include <cstdint>
#include <stdexcept>
#include <string>

namespace tfe_cuda {

// Throws std::runtime_error naming the failed call and the CUDA error (no data).
inline void Check(cudaError_t e, const char* what) {
  if (e != cudaSuccess) throw std::runtime_error(std::string("tfe cuda: ") + what + ": " + cudaGetErrorName(e));
}

// Checks the last kernel launch.
inline void CheckLaunch(const char* kernel) { Check(cudaGetLastError(), kernel); }

// The stream all tfe-js work is ordered on (created on first use).
cudaStream_t Stream();

constexpr int kThreads = 256;

// Blocks for a grid-stride loop over n elements (at least 1, at most 65535·16).
inline unsigned Blocks(int64_t n) {
  int64_t b = (n + kThreads - 1) / kThreads;
  if (b < 1) b = 1;
  if (b > 65535 * 16) b = 65535 * 16;
  return static_cast<unsigned>(b);
}

#define TFE_GRID_LOOP(i, n)                                                                     \
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < (n); i += int64_t(gridDim.x) * blockDim.x)

// Reduces v < 2·m (or any u32 with %) into [0, m).
__device__ __forceinline__ uint32_t ModSmall(uint32_t v, uint32_t m) { return v % m; }

}  // namespace tfe_cuda
