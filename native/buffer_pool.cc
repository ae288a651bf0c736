// Output buffers. Every non-empty output comes from a cache of blocks (power-of-two sizes, then
// whole huge pages), handed to JS as external ArrayBuffers that return to the cache when
// collected, so a fresh output usually costs no page faults or zero-filling. Small outputs are
// pooled too: a buffer V8 allocates itself is where V8 checks the backing-store bytes held by
// young objects, and past twice the semi-space size it starts a scavenge there ("external
// memory pressure"), about two per training step when small outputs came from V8. Node runs
// those finalizers only on an event-loop turn, so a synchronous loop cannot recycle them: once
// kMaxOutstanding bytes are out, outputs come from V8 instead (freed at GC), advised to use
// huge pages. An owner that knows a block is no longer read (the runtime, when it frees the
// only handle) returns it at once with Recycle, which detaches the ArrayBuffer first, so no old
// view can see the block's next contents; `pooled` tells the JS output cache which arrays are
// such blocks.
#include "buffer_pool.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <unordered_map>

#include "napi_util.h"
#include "thread_pool.h"

namespace tfe {
namespace {

constexpr size_t kMinBlock = 64;             // smallest block (one cache line)
constexpr size_t kHuge = 2 << 20;             // huge-page size

// This machine's physical memory, for the two limits below (read once).
const size_t kPhysicalMemory = [] {
  long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  return pages > 0 && page > 0 ? size_t(pages) * size_t(page) : size_t(8) << 30;
}();

// Blocks out at once (leased, in the JS output cache, or garbage not yet collected) before
// outputs come from V8: half the machine's memory, at most 8 GiB. A 10^6-element Pond sigmoid
// has about 2 GB in flight; at the old fixed 1 GiB a third of its outputs came from V8, which
// only a collection frees (issue 17).
const size_t kMaxOutstanding = std::min(kPhysicalMemory / 2, size_t(8) << 30);
// Blocks out up to this many bytes are not reported to V8 as external memory: most return
// through Recycle, and reporting their rise and fall within one protocol step would start a
// garbage collection at every swing. Beyond it, each byte out is reported, so blocks that only
// a collection returns (tensors sent or revealed) still drive one. An eighth of the machine's
// memory, at most 2 GiB: at the old fixed 256 MiB, a 10^6 sigmoid's working set kept the
// reported figure swinging by gigabytes, and V8 answered every 64 MB rise with a mark-compact.
const size_t kUnreported = std::min(kPhysicalMemory / 8, size_t(2) << 30);
// Free blocks kept for reuse: a sixteenth of the machine's memory, at most 1 GiB. The JS output
// cache (out_cache.ts) keeps released outputs first; this cache takes what it evicts and the
// blocks of tensors only a collection frees. At the old fixed 512 MiB, a 10^6-element ABY3 relu
// overflowed it, so three in four outputs were fresh pages the kernel had to zero.
const size_t kMaxCached = std::min(kPhysicalMemory / 16, size_t(1) << 30);

// A block handed to JS. `returned` is set when Recycle gave it back before its finalizer ran.
struct Lease {
  void* p;
  size_t cls;
  bool returned = false;
};

std::mutex mu;
std::multimap<size_t, void*> cache;
std::unordered_map<void*, Lease*> leased;  // by block address; guarded by mu
size_t cachedBytes = 0;
size_t outstanding = 0;
// Counters for poolStats(): blocks taken from the cache, freshly allocated, and freed to the
// system because the cache was full.
uint64_t hits = 0, fresh = 0, evicted = 0;
int64_t reported = 0;  // bytes reported to V8; main thread only

// The block size for n bytes: powers of two from kMinBlock below the huge-page size (so a
// recycled block fits the next tensor of a similar size), whole huge pages from there on.
size_t RoundUp(size_t n) {
  if (n >= kHuge) return (n + kHuge - 1) / kHuge * kHuge;
  size_t c = kMinBlock;
  while (c < n) c <<= 1;
  return c;
}

// Brings V8's external-memory figure for the pool to max(0, outstanding − kUnreported).
void SyncExternal(Napi::Env env) {
  size_t out;
  {
    std::lock_guard<std::mutex> lock(mu);
    out = outstanding;
  }
  int64_t target = out > kUnreported ? static_cast<int64_t>(out - kUnreported) : 0;
  if (target != reported) {
    Napi::MemoryManagement::AdjustExternalMemory(env, target - reported);
    reported = target;
  }
}

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
      hits++;
      return p;
    }
    if (outstanding + cls > kMaxOutstanding) return nullptr;
    outstanding += cls;
    fresh++;
  }
  void* p = nullptr;
  if (posix_memalign(&p, cls >= kHuge ? kHuge : 64, cls) != 0) {
    std::lock_guard<std::mutex> lock(mu);
    outstanding -= cls;
    return nullptr;
  }
#ifdef MADV_HUGEPAGE
  if (cls >= kHuge) madvise(p, cls, MADV_HUGEPAGE);
#endif
  return p;
}

// Returns a block to the cache; the caller holds mu.
void GiveLocked(void* p, size_t cls) {
  outstanding -= cls;
  while (cachedBytes + cls > kMaxCached && !cache.empty()) {
    auto it = cache.begin();
    cachedBytes -= it->first;
    evicted++;
    free(it->second);
    cache.erase(it);
  }
  cache.emplace(cls, p);
  cachedBytes += cls;
}

// The finalizer of a leased block: returns it unless Recycle already did.
void Finalize(Napi::Env env, void*, Lease* lease) {
  bool give;
  {
    std::lock_guard<std::mutex> lock(mu);
    give = !lease->returned;
    if (give) {
      leased.erase(lease->p);
      GiveLocked(lease->p, lease->cls);
    }
  }
  delete lease;
  if (give) SyncExternal(env);
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
  Lease* lease = new Lease{p, cls};
  {
    std::lock_guard<std::mutex> lock(mu);
    leased[p] = lease;
  }
  SyncExternal(env);
  return Napi::ArrayBuffer::New(env, p, bytes, Finalize, lease);
}

// recycle(view) -> true when the view's ArrayBuffer was a leased block, now detached and back
// in the cache; false (and nothing done) for any other buffer.
Napi::Value RecycleEntry(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsTypedArray()) Fail(env, "`view` must be a typed array");
  Napi::ArrayBuffer ab = info[0].As<Napi::TypedArray>().ArrayBuffer();
  if (ab.IsDetached()) return Napi::Boolean::New(env, false);
  void* p = ab.Data();
  size_t cls;
  Lease* lease;
  {
    // Marked first: the finalizer (now, inside Detach, or later) must not give it back too,
    // and the lease is not touched again here.
    std::lock_guard<std::mutex> lock(mu);
    auto it = leased.find(p);
    if (it == leased.end()) return Napi::Boolean::New(env, false);
    lease = it->second;
    lease->returned = true;
    cls = lease->cls;
    leased.erase(it);
  }
  try {
    ab.Detach();  // every view of the block now has length 0
  } catch (const Napi::Error&) {
    // Not detachable: the buffer stays leased and returns through its finalizer.
    std::lock_guard<std::mutex> lock(mu);
    lease->returned = false;
    leased[p] = lease;
    return Napi::Boolean::New(env, false);
  }
  {
    std::lock_guard<std::mutex> lock(mu);
    GiveLocked(p, cls);
  }
  SyncExternal(env);
  return Napi::Boolean::New(env, true);
}

// pooled(view) -> true when the view's ArrayBuffer is a block leased from this pool (the only
// arrays the JS output cache may reuse: anything else may be a view of memory we do not own).
Napi::Value PooledEntry(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsTypedArray()) Fail(env, "`view` must be a typed array");
  Napi::ArrayBuffer ab = info[0].As<Napi::TypedArray>().ArrayBuffer();
  if (ab.IsDetached()) return Napi::Boolean::New(env, false);
  std::lock_guard<std::mutex> lock(mu);
  return Napi::Boolean::New(env, leased.count(ab.Data()) != 0);
}

// poolStats() -> {outstanding, cached, hits, fresh, evicted}: bytes out and cached now, and
// block counts since start-up (for benchmarks and tests of the pool's reuse).
Napi::Value StatsEntry(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  std::lock_guard<std::mutex> lock(mu);
  o.Set("outstanding", Napi::Number::New(env, static_cast<double>(outstanding)));
  o.Set("cached", Napi::Number::New(env, static_cast<double>(cachedBytes)));
  o.Set("hits", Napi::Number::New(env, static_cast<double>(hits)));
  o.Set("fresh", Napi::Number::New(env, static_cast<double>(fresh)));
  o.Set("evicted", Napi::Number::New(env, static_cast<double>(evicted)));
  return o;
}

}  // namespace

Napi::ArrayBuffer NewUninitBuffer(Napi::Env env, size_t bytes) {
  if (bytes == 0) return Napi::ArrayBuffer::New(env, bytes);
  return Pooled(env, bytes, false);
}

Napi::ArrayBuffer NewZeroBuffer(Napi::Env env, size_t bytes) {
  if (bytes == 0) return Napi::ArrayBuffer::New(env, bytes);
  return Pooled(env, bytes, true);
}

void InitBufferPool(Napi::Env env, Napi::Object exports) {
  exports.Set("recycle", Napi::Function::New(env, RecycleEntry));
  exports.Set("pooled", Napi::Function::New(env, PooledEntry));
  exports.Set("poolStats", Napi::Function::New(env, StatsEntry));
}

}  // namespace tfe
