// Argument checks, output allocation and the sync/async runner shared by every entry point.
#include "napi_util.h"

#include "async_lane.h"
#include "buffer_pool.h"

namespace tfe {

void Fail(Napi::Env env, const std::string& msg) {
  throw Napi::TypeError::New(env, "tfe native: " + msg);
}

Arr GetArr(const Napi::CallbackInfo& info, size_t i, const char* name) {
  Napi::Value v = info[i];
  if (!v.IsTypedArray()) Fail(info.Env(), std::string("`") + name + "` must be a BigUint64Array or Uint8Array");
  Napi::TypedArray t = v.As<Napi::TypedArray>();
  Arr a;
  napi_typedarray_type ty = t.TypedArrayType();
  if (ty == napi_biguint64_array) {
    a.u64 = true;
  } else if (ty != napi_uint8_array) {
    Fail(info.Env(), std::string("`") + name + "` must be a BigUint64Array or Uint8Array");
  }
  a.length = t.ElementLength();
  a.data = static_cast<uint8_t*>(t.ArrayBuffer().Data()) + t.ByteOffset();
  a.value = v;
  return a;
}

Arr GetU64(const Napi::CallbackInfo& info, size_t i, const char* name) {
  Arr a = GetArr(info, i, name);
  if (!a.u64) Fail(info.Env(), std::string("`") + name + "` must be a BigUint64Array");
  return a;
}

Arr GetU8(const Napi::CallbackInfo& info, size_t i, const char* name) {
  Arr a = GetArr(info, i, name);
  if (a.u64) Fail(info.Env(), std::string("`") + name + "` must be a Uint8Array");
  return a;
}

void CheckLength(Napi::Env env, const Arr& a, size_t want, const char* name) {
  if (a.length != want) {
    Fail(env, std::string("`") + name + "` must have " + std::to_string(want) + " elements, got " +
                  std::to_string(a.length));
  }
}

int64_t GetInt(const Napi::CallbackInfo& info, size_t i, const char* name, int64_t lo, int64_t hi) {
  Napi::Value v = info[i];
  if (!v.IsNumber()) Fail(info.Env(), std::string("`") + name + "` must be a number");
  double d = v.As<Napi::Number>().DoubleValue();
  int64_t x = static_cast<int64_t>(d);
  if (static_cast<double>(x) != d || x < lo || x > hi) {
    Fail(info.Env(), std::string("`") + name + "` must be an integer in [" + std::to_string(lo) + ", " +
                         std::to_string(hi) + "]");
  }
  return x;
}

bool GetBool(const Napi::CallbackInfo& info, size_t i, const char* name) {
  Napi::Value v = info[i];
  if (!v.IsBoolean()) Fail(info.Env(), std::string("`") + name + "` must be a boolean");
  return v.As<Napi::Boolean>().Value();
}

std::vector<int64_t> GetInts(const Napi::CallbackInfo& info, size_t i, const char* name) {
  Napi::Value v = info[i];
  std::vector<int64_t> out;
  if (v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == napi_int32_array) {
    Napi::Int32Array t = v.As<Napi::Int32Array>();
    out.assign(t.Data(), t.Data() + t.ElementLength());
    return out;
  }
  if (!v.IsArray()) Fail(info.Env(), std::string("`") + name + "` must be an array of integers");
  Napi::Array arr = v.As<Napi::Array>();
  uint32_t n = arr.Length();
  out.resize(n);
  for (uint32_t k = 0; k < n; k++) {
    Napi::Value e = arr.Get(k);
    if (!e.IsNumber()) Fail(info.Env(), std::string("`") + name + "` must be an array of integers");
    double d = e.As<Napi::Number>().DoubleValue();
    int64_t x = static_cast<int64_t>(d);
    if (static_cast<double>(x) != d || x < -(int64_t(1) << 53) || x > (int64_t(1) << 53)) {
      Fail(info.Env(), std::string("`") + name + "` must be an array of integers");
    }
    out[k] = x;
  }
  return out;
}

int64_t Numel(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

Napi::Value NewU64(Napi::Env env, size_t n, bool zero, uint64_t** data) {
  Napi::ArrayBuffer ab = zero ? NewZeroBuffer(env, n * 8) : NewUninitBuffer(env, n * 8);
  *data = static_cast<uint64_t*>(ab.Data());
  return Napi::BigUint64Array::New(env, n, ab, 0);
}

Napi::Value NewU8(Napi::Env env, size_t n, bool zero, uint8_t** data) {
  Napi::ArrayBuffer ab = zero ? NewZeroBuffer(env, n) : NewUninitBuffer(env, n);
  *data = static_cast<uint8_t*>(ab.Data());
  return Napi::Uint8Array::New(env, n, ab, 0);
}

Arr OutArr(const Napi::CallbackInfo& info, size_t i, bool u64, size_t n) {
  if (info.Length() > i && info[i].IsTypedArray()) {
    Napi::TypedArray t = info[i].As<Napi::TypedArray>();
    const napi_typedarray_type want = u64 ? napi_biguint64_array : napi_uint8_array;
    if (t.TypedArrayType() == want && t.ElementLength() == n) {
      Arr a;
      a.u64 = u64;
      a.length = n;
      a.value = t;
      a.data = static_cast<uint8_t*>(t.ArrayBuffer().Data()) + t.ByteOffset();
      return a;
    }
  }
  return NewArr(info.Env(), u64, n, false);
}

Arr NewArr(Napi::Env env, bool u64, size_t n, bool zero) {
  Arr a;
  a.u64 = u64;
  a.length = n;
  if (u64) {
    uint64_t* p;
    a.value = NewU64(env, n, zero, &p);
    a.data = p;
  } else {
    uint8_t* p;
    a.value = NewU8(env, n, zero, &p);
    a.data = p;
  }
  return a;
}

Napi::Value RunWork(Napi::Env env, bool async, std::vector<Napi::Value> keep, Napi::Value result,
                    std::function<void()> work) {
  if (!async) {
    work();
    return result;
  }
  return QueueOnLane(env, std::move(keep), result, std::move(work));
}

}  // namespace tfe
