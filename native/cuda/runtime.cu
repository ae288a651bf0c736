// Device discovery, memory and copies. Device memory comes from the stream-ordered allocator
// (cudaMallocAsync), so frees never wait for pending kernels; pinned host blocks for downloads
// are recycled by power-of-two size class, since cudaMallocHost costs milliseconds.
#include <map>
#include <mutex>
#include <vector>

#include "device_common.cuh"
#include "tfe_cuda.h"

namespace tfe_cuda {

cudaStream_t Stream() {
  static cudaStream_t s = [] {
    cudaStream_t t;
    Check(cudaStreamCreateWithFlags(&t, cudaStreamNonBlocking), "cudaStreamCreate");
    return t;
  }();
  return s;
}

bool QueryDevice(DeviceInfo* info, std::string* why) {
  int count = 0;
  cudaError_t e = cudaGetDeviceCount(&count);
  if (e != cudaSuccess) {
    *why = std::string("no CUDA device (") + cudaGetErrorName(e) + ")";
    return false;
  }
  if (count == 0) {
    *why = "no CUDA device";
    return false;
  }
  cudaDeviceProp p;
  e = cudaGetDeviceProperties(&p, 0);
  if (e != cudaSuccess) {
    *why = std::string("cudaGetDeviceProperties failed (") + cudaGetErrorName(e) + ")";
    return false;
  }
  info->count = count;
  info->name = p.name;
  info->major = p.major;
  info->minor = p.minor;
  info->memoryBytes = p.totalGlobalMem;
  return true;
}

void* DeviceAlloc(size_t bytes, bool zero) {
  void* p = nullptr;
  if (bytes == 0) bytes = 1;  // a valid, distinct pointer for empty tensors
  Check(cudaMallocAsync(&p, bytes, Stream()), "cudaMallocAsync");
  if (zero) Check(cudaMemsetAsync(p, 0, bytes, Stream()), "cudaMemsetAsync");
  return p;
}

void DeviceFree(void* p) {
  if (p) Check(cudaFreeAsync(p, Stream()), "cudaFreeAsync");
}

namespace {
std::mutex pinnedLock;
std::map<size_t, std::vector<void*>> pinnedFree;  // size class → free blocks
size_t SizeClass(size_t bytes) {
  size_t c = 4096;
  while (c < bytes) c <<= 1;
  return c;
}
}  // namespace

void* PinnedAlloc(size_t bytes) {
  const size_t c = SizeClass(bytes);
  {
    std::lock_guard<std::mutex> g(pinnedLock);
    auto& list = pinnedFree[c];
    if (!list.empty()) {
      void* p = list.back();
      list.pop_back();
      return p;
    }
  }
  void* p = nullptr;
  Check(cudaMallocHost(&p, c), "cudaMallocHost");
  return p;
}

void PinnedFree(void* p, size_t bytes) {
  if (!p) return;
  std::lock_guard<std::mutex> g(pinnedLock);
  auto& list = pinnedFree[SizeClass(bytes)];
  if (list.size() < 8) {
    list.push_back(p);
  } else {
    cudaFreeHost(p);
  }
}

void CopyToDevice(void* dst, const void* src, size_t bytes) {
  if (bytes == 0) return;
  Check(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyHostToDevice, Stream()), "cudaMemcpy H2D");
  // The source may be a pageable JS buffer that is reused after return.
  Check(cudaStreamSynchronize(Stream()), "cudaStreamSynchronize");
}

void CopyToHost(void* dst, const void* src, size_t bytes) {
  if (bytes == 0) return;
  Check(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToHost, Stream()), "cudaMemcpy D2H");
  Check(cudaStreamSynchronize(Stream()), "cudaStreamSynchronize");
}

void Synchronize() { Check(cudaStreamSynchronize(Stream()), "cudaStreamSynchronize"); }

}  // namespace tfe_cuda
