// Boundary helpers of the CUDA addon: device handles (External<DeviceBuf>), argument readers
// that throw TypeErrors naming the argument, and strided views checked against their buffers.
#pragma once
#include <napi.h>

#include <string>
#include <vector>

#include "tfe_cuda.h"

namespace tfe_cuda_addon {

using tfe_cuda::NdView;

// A device allocation owned by a JS handle. Freed by free() or, failing that, by the GC.
struct DeviceBuf {
  void* ptr = nullptr;
  size_t n = 0;
  bool u64 = false;
  bool freed = false;
  size_t Bytes() const { return n * (u64 ? 8 : 1); }
};

constexpr size_t kPinnedMin = 64 * 1024;  // downloads from this size go through pinned memory

[[noreturn]] inline void Fail(Napi::Env env, const std::string& msg) {
  throw Napi::TypeError::New(env, "tfe cuda: " + msg);
}

// Runs a CUDA call, turning std::runtime_error into a JS Error.
template <class F>
auto Guard(Napi::Env env, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const std::runtime_error& e) {
    throw Napi::Error::New(env, e.what());
  }
}

inline void Release(Napi::Env env, DeviceBuf* b) {
  if (b->freed) return;
  b->freed = true;
  tfe_cuda::DeviceFree(b->ptr);
  Napi::MemoryManagement::AdjustExternalMemory(env, -static_cast<int64_t>(b->Bytes()));
}

inline Napi::Value NewHandle(Napi::Env env, bool u64, size_t n, bool zero) {
  auto* b = new DeviceBuf();
  b->n = n;
  b->u64 = u64;
  b->ptr = Guard(env, [&] { return tfe_cuda::DeviceAlloc(b->Bytes(), zero); });
  // Device memory is invisible to V8: report it so unreachable handles get collected.
  Napi::MemoryManagement::AdjustExternalMemory(env, static_cast<int64_t>(b->Bytes()));
  return Napi::External<DeviceBuf>::New(env, b, [](Napi::Env e, DeviceBuf* d) {
    try { Release(e, d); } catch (...) { /* finalizers must not throw */ }
    delete d;
  });
}

inline DeviceBuf* Buf(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (!info[i].IsExternal()) Fail(info.Env(), std::string("`") + name + "` must be a device handle");
  DeviceBuf* b = info[i].As<Napi::External<DeviceBuf>>().Data();
  if (b->freed) Fail(info.Env(), std::string("`") + name + "` was already released");
  return b;
}

inline int64_t Int(const Napi::CallbackInfo& info, size_t i, const char* name, int64_t lo, int64_t hi) {
  if (!info[i].IsNumber()) Fail(info.Env(), std::string("`") + name + "` must be a number");
  const double v = info[i].As<Napi::Number>().DoubleValue();
  if (!(v >= double(lo) && v <= double(hi)) || v != static_cast<double>(static_cast<int64_t>(v))) {
    Fail(info.Env(), std::string("`") + name + "` must be an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  }
  return static_cast<int64_t>(v);
}

inline bool Bool(const Napi::CallbackInfo& info, size_t i) { return info[i].ToBoolean().Value(); }

inline std::vector<int64_t> Ints(const Napi::CallbackInfo& info, size_t i, const char* name) {
  Napi::Env env = info.Env();
  std::vector<int64_t> out;
  if (info[i].IsTypedArray()) {
    auto t = info[i].As<Napi::TypedArray>();
    if (t.TypedArrayType() != napi_int32_array) Fail(env, std::string("`") + name + "` must be an array or Int32Array");
    auto a = t.As<Napi::Int32Array>();
    for (size_t k = 0; k < a.ElementLength(); k++) {
      if (a[k] < 0) Fail(env, std::string("`") + name + "` must hold non-negative integers");
      out.push_back(a[k]);
    }
    return out;
  }
  if (!info[i].IsArray()) Fail(env, std::string("`") + name + "` must be an array");
  auto a = info[i].As<Napi::Array>();
  for (uint32_t k = 0; k < a.Length(); k++) {
    Napi::Value v = a[k];
    if (!v.IsNumber()) Fail(env, std::string("`") + name + "` must hold numbers");
    const double d = v.As<Napi::Number>().DoubleValue();
    if (!(d >= 0 && d <= 9007199254740991.0) || d != static_cast<double>(static_cast<int64_t>(d))) {
      Fail(env, std::string("`") + name + "` must hold non-negative safe integers");
    }
    out.push_back(static_cast<int64_t>(d));
  }
  return out;
}

inline int64_t Product(const std::vector<int64_t>& v) {
  int64_t p = 1;
  for (int64_t x : v) p *= x;
  return p;
}

// A view over `shape` with up to three operands (offset, strides), each checked to stay inside
// `lengths[t]` elements.
inline NdView View(Napi::Env env, const std::vector<int64_t>& shape, std::vector<std::vector<int64_t>> strides,
            std::vector<int64_t> offsets, std::vector<size_t> lengths) {
  NdView v{};
  if (shape.size() > static_cast<size_t>(tfe_cuda::kMaxRank)) Fail(env, "rank above 8 is not supported");
  v.rank = static_cast<int>(shape.size());
  const bool empty = Product(shape) == 0;
  for (size_t t = 0; t < strides.size(); t++) {
    if (strides[t].size() != shape.size()) Fail(env, "strides must match the shape's rank");
    int64_t last = offsets[t];
    for (size_t d = 0; d < shape.size(); d++) {
      v.strides[t][d] = strides[t][d];
      if (shape[d] > 0) last += (shape[d] - 1) * strides[t][d];
    }
    v.offset[t] = offsets[t];
    if (!empty && static_cast<size_t>(last) >= lengths[t]) Fail(env, "a strided view reaches outside its buffer");
  }
  for (size_t d = 0; d < shape.size(); d++) v.shape[d] = shape[d];
  return v;
}

inline uint32_t Modulus(const Napi::CallbackInfo& info, size_t i, const DeviceBuf* x) {
  const int64_t m = Int(info, i, "modulus", 0, 256);
  if (x->u64 != (m == 0) || m == 1) Fail(info.Env(), "`modulus` must be 0 for u64 operands and in [2, 256] for u8");
  return static_cast<uint32_t>(m);
}

}  // namespace tfe_cuda_addon
