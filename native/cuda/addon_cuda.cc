// The N-API surface of the CUDA backend (build/Release/tfe_cuda.node): device buffers behind
// External handles, explicit upload / download / free, and one entry point per kernel family
// (signatures mirror the CPU addon's, with handles in place of typed arrays; see
// src/kernels/cuda/binding.ts). Arguments are checked here, including that every strided view
// stays inside its buffer, because a bad offset on the device corrupts memory silently.
// Errors are TypeErrors `tfe cuda: ...` naming the argument; no element values ever appear.
#include <napi.h>

#include <cstring>
#include <string>
#include <vector>

#include "addon_util.h"

namespace {

using namespace tfe_cuda_addon;

// ---- memory ----

Napi::Value DeviceInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  tfe_cuda::DeviceInfo d;
  std::string why;
  if (!tfe_cuda::QueryDevice(&d, &why)) throw Napi::Error::New(env, why);
  Napi::Object o = Napi::Object::New(env);
  o.Set("count", d.count);
  o.Set("name", d.name);
  o.Set("major", d.major);
  o.Set("minor", d.minor);
  o.Set("memoryBytes", static_cast<double>(d.memoryBytes));
  return o;
}

Napi::Value Upload(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsTypedArray()) Fail(env, "`values` must be a BigUint64Array or Uint8Array");
  auto t = info[0].As<Napi::TypedArray>();
  const bool u64 = t.TypedArrayType() == napi_biguint64_array;
  if (!u64 && t.TypedArrayType() != napi_uint8_array) Fail(env, "`values` must be a BigUint64Array or Uint8Array");
  Napi::Value h = NewHandle(env, u64, t.ElementLength(), false);
  const DeviceBuf* b = h.As<Napi::External<DeviceBuf>>().Data();
  const uint8_t* src = static_cast<const uint8_t*>(t.ArrayBuffer().Data()) + t.ByteOffset();
  Guard(env, [&] { tfe_cuda::CopyToDevice(b->ptr, src, b->Bytes()); });
  return h;
}

// A typed array over `bytes` of pinned memory (returned to the pinned pool when collected).
Napi::Value PinnedArray(Napi::Env env, bool u64, size_t n, void* pinned, size_t bytes) {
  auto buf = Napi::ArrayBuffer::New(env, pinned, bytes, [bytes](Napi::Env, void* p) { tfe_cuda::PinnedFree(p, bytes); });
  if (u64) return Napi::BigUint64Array::New(env, n, buf, 0);
  return Napi::Uint8Array::New(env, n, buf, 0);
}

Napi::Value Download(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const DeviceBuf* b = Buf(info, 0, "handle");
  const size_t bytes = b->Bytes();
  if (bytes >= kPinnedMin) {
    void* p = Guard(env, [&] { return tfe_cuda::PinnedAlloc(bytes); });
    Guard(env, [&] { tfe_cuda::CopyToHost(p, b->ptr, bytes); });
    return PinnedArray(env, b->u64, b->n, p, bytes);
  }
  if (b->u64) {
    auto a = Napi::BigUint64Array::New(env, b->n);
    Guard(env, [&] { tfe_cuda::CopyToHost(a.Data(), b->ptr, bytes); });
    return a;
  }
  auto a = Napi::Uint8Array::New(env, b->n);
  Guard(env, [&] { tfe_cuda::CopyToHost(a.Data(), b->ptr, bytes); });
  return a;
}

// Copies device → pinned memory on a libuv worker, so the event loop keeps running.
class DownloadWorker : public Napi::AsyncWorker {
 public:
  DownloadWorker(Napi::Env env, Napi::Value handle, const DeviceBuf* b)
      : Napi::AsyncWorker(env, "tfe-cuda-download"), deferred_(Napi::Promise::Deferred::New(env)), b_(b) {
    keep_ = Napi::Persistent(handle);
  }
  Napi::Promise Promise() { return deferred_.Promise(); }
  void Execute() override {
    try {
      bytes_ = b_->Bytes();
      pinned_ = tfe_cuda::PinnedAlloc(bytes_);
      tfe_cuda::CopyToHost(pinned_, b_->ptr, bytes_);
    } catch (const std::runtime_error& e) {
      SetError(e.what());
    }
  }
  void OnOK() override { deferred_.Resolve(PinnedArray(Env(), b_->u64, b_->n, pinned_, bytes_)); }
  void OnError(const Napi::Error& e) override {
    tfe_cuda::PinnedFree(pinned_, bytes_);
    deferred_.Reject(e.Value());
  }

 private:
  Napi::Promise::Deferred deferred_;
  Napi::Reference<Napi::Value> keep_;
  const DeviceBuf* b_;
  void* pinned_ = nullptr;
  size_t bytes_ = 0;
};

Napi::Value DownloadAsync(const Napi::CallbackInfo& info) {
  const DeviceBuf* b = Buf(info, 0, "handle");
  auto* w = new DownloadWorker(info.Env(), info[0], b);
  Napi::Promise p = w->Promise();
  w->Queue();
  return p;
}

Napi::Value Free(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsExternal()) Fail(env, "`handle` must be a device handle");
  Guard(env, [&] { Release(env, info[0].As<Napi::External<DeviceBuf>>().Data()); });
  return env.Undefined();
}

Napi::Value Alloc(const Napi::CallbackInfo& info) {
  return NewHandle(info.Env(), Bool(info, 0), static_cast<size_t>(Int(info, 1, "n", 0, int64_t(1) << 40)), Bool(info, 2));
}

Napi::Value Fill(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  DeviceBuf* b = Buf(info, 0, "handle");
  if (!info[1].IsBigInt()) Fail(env, "`value` must be a bigint");
  bool lossless = false;
  const uint64_t v = info[1].As<Napi::BigInt>().Uint64Value(&lossless);
  if (!lossless || (!b->u64 && v > 255)) Fail(env, "`value` must fit the handle's element type");
  Guard(env, [&] { tfe_cuda::Fill(b->u64, v, static_cast<int64_t>(b->n), b->ptr); });
  return env.Undefined();
}

}  // namespace

void InitKernels(Napi::Env env, Napi::Object exports);  // addon_kernels.cc

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("deviceInfo", Napi::Function::New(env, DeviceInfo));
  exports.Set("upload", Napi::Function::New(env, Upload));
  exports.Set("download", Napi::Function::New(env, Download));
  exports.Set("downloadAsync", Napi::Function::New(env, DownloadAsync));
  exports.Set("free", Napi::Function::New(env, Free));
  exports.Set("alloc", Napi::Function::New(env, Alloc));
  exports.Set("fill", Napi::Function::New(env, Fill));
  InitKernels(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(tfe_cuda, Init)
