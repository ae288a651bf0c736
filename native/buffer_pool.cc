// Output buffers. Large outputs come from a cache of huge-page-backed blocks, handed to JS as
// external ArrayBuffers that return to the cache when collected, so a fresh output usually
// costs no page faults or zero-filling. Node runs those finalizers only on an event-loop turn,
// so a synchronous loop cannot recycle them: once kMaxOutstanding bytes are out, outputs come
// from V8 instead (freed at GC), advised to use huge pages.
#include "buffer_pool.h"

#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>

#include "thread_pool.h"

namespace tfe {
namespace {

constexpr size_t kLargeBytes = 1 << 20;       // below this, let V8 allocate
constexpr size_t kHuge = 2 << 20;             // huge-page size
constexpr size_t kMaxCached = size_t(512) << 20;
constexpr size_t kMaxOutstanding = size_t(1) << 30;

std::mutex mu;
std::multimap<size_t, void*> cache;
size_t cachedBytes = 0;
size_t outstanding = 0;

size_t RoundUp(size_t n) { return (n + kHuge - 1) / kHuge * kHuge; }

// A cached or new block of `cls` bytes, or nullptr when too much is out already.
void* Take(size_t cls) {
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = cache.find(cls);
    if (it != cache.end()) {
      void* p = it->second;
      cache.erase(it);
      cachedBytes -= cls;
      outstanding += cls;
      return p;
    }
    if (outstanding + cls > kMaxOutstanding) return nullptr;
    outstanding += cls;
  }
  void* p = nullptr;
  if (posix_memalign(&p, kHuge, cls) != 0) {
    std::lock_guard<std::mutex> lock(mu);
    outstanding -= cls;
    return nullptr;
  }
#ifdef MADV_HUGEPAGE
  madvise(p, cls, MADV_HUGEPAGE);
#endif
  return p;
}

void Give(void* p, size_t cls) {
  std::lock_guard<std::mutex> lock(mu);
  outstanding -= cls;
  while (cachedBytes + cls > kMaxCached && !cache.empty()) {
    auto it = cache.begin();
    cachedBytes -= it->first;
    free(it->second);
    cache.erase(it);
  }
  cache.emplace(cls, p);
  cachedBytes += cls;
}

// A V8-owned buffer (zero-filled), with its whole 2 MiB extents advised to use huge pages.
Napi::ArrayBuffer FromV8(Napi::Env env, size_t bytes) {
  Napi::ArrayBuffer ab = Napi::ArrayBuffer::New(env, bytes);
  uintptr_t lo = (reinterpret_cast<uintptr_t>(ab.Data()) + kHuge - 1) & ~(kHuge - 1);
  uintptr_t hi = (reinterpret_cast<uintptr_t>(ab.Data()) + bytes) & ~(kHuge - 1);
#ifdef MADV_HUGEPAGE
  if (hi > lo) madvise(reinterpret_cast<void*>(lo), hi - lo, MADV_HUGEPAGE);
#endif
  return ab;
}

Napi::ArrayBuffer Pooled(Napi::Env env, size_t bytes, bool zero) {
  static const bool disabled = std::getenv("TFE_NATIVE_NO_POOL") != nullptr;
  size_t cls = RoundUp(bytes);
  void* p = disabled ? nullptr : Take(cls);
  if (!p) return FromV8(env, bytes);
  if (zero) {
    uint8_t* b = static_cast<uint8_t*>(p);
    ParallelRange(static_cast<int64_t>(bytes), 1 << 20, [&](int64_t s, int64_t e) { std::memset(b + s, 0, e - s); });
  }
  Napi::MemoryManagement::AdjustExternalMemory(env, static_cast<int64_t>(cls));
  return Napi::ArrayBuffer::New(env, p, bytes, [cls](Napi::Env e, void* data) {
    Napi::MemoryManagement::AdjustExternalMemory(e, -static_cast<int64_t>(cls));
    Give(data, cls);
  });
}

}  // namespace

Napi::ArrayBuffer NewUninitBuffer(Napi::Env env, size_t bytes) {
  if (bytes < kLargeBytes) return Napi::ArrayBuffer::New(env, bytes);
  return Pooled(env, bytes, false);
}

Napi::ArrayBuffer NewZeroBuffer(Napi::Env env, size_t bytes) {
  if (bytes < kLargeBytes) return Napi::ArrayBuffer::New(env, bytes);
  return Pooled(env, bytes, true);
}

}  // namespace tfe
