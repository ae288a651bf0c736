// Boundary helpers: read and check arguments, allocate outputs, run work sync or on a worker.
#pragma once
#include <napi.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace tfe {

// A typed-array argument: its element data and length, u64 (BigUint64Array) or u8 (Uint8Array).
struct Arr {
  void* data = nullptr;
  size_t length = 0;
  bool u64 = false;
  Napi::Value value;
  uint64_t* u() const { return static_cast<uint64_t*>(data); }
  uint8_t* b() const { return static_cast<uint8_t*>(data); }
};

// Throws a JS TypeError `tfe native: <msg>`.
[[noreturn]] void Fail(Napi::Env env, const std::string& msg);

Arr GetArr(const Napi::CallbackInfo& info, size_t i, const char* name);
Arr GetU64(const Napi::CallbackInfo& info, size_t i, const char* name);
Arr GetU8(const Napi::CallbackInfo& info, size_t i, const char* name);
// Checks the length of an array argument.
void CheckLength(Napi::Env env, const Arr& a, size_t want, const char* name);
int64_t GetInt(const Napi::CallbackInfo& info, size_t i, const char* name, int64_t lo, int64_t hi);
bool GetBool(const Napi::CallbackInfo& info, size_t i, const char* name);
// A JS array of non-negative safe integers (or an Int32Array).
std::vector<int64_t> GetInts(const Napi::CallbackInfo& info, size_t i, const char* name);
// Product of dims.
int64_t Numel(const std::vector<int64_t>& shape);

// A fresh BigUint64Array / Uint8Array of n elements, zeroed or not.
Napi::Value NewU64(Napi::Env env, size_t n, bool zero, uint64_t** data);
Napi::Value NewU8(Napi::Env env, size_t n, bool zero, uint8_t** data);
Arr NewArr(Napi::Env env, bool u64, size_t n, bool zero);
// The output array: argument i when it is an array of the right kind and length n (a buffer
// the caller reuses), else a fresh uninitialised one.
Arr OutArr(const Napi::CallbackInfo& info, size_t i, bool u64, size_t n);

// Runs `work` and returns `result`; when `async`, runs it on the executor (async_lane.h) and returns
// a Promise of `result`, keeping `keep` (the inputs) alive until it settles. `work` must not
// touch JS values.
Napi::Value RunWork(Napi::Env env, bool async, std::vector<Napi::Value> keep, Napi::Value result,
                    std::function<void()> work);

}  // namespace tfe
