// The tfe-js ring addon: registers every kernel family's entry points.
#include <napi.h>

#include "buffer_pool.h"
#include "malloc_tuning.h"
#include "thread_pool.h"

namespace tfe {
void InitElementwise(Napi::Env env, Napi::Object exports);
void InitCompare(Napi::Env env, Napi::Object exports);
void InitUnary(Napi::Env env, Napi::Object exports);
void InitBits(Napi::Env env, Napi::Object exports);
void InitMovement(Napi::Env env, Napi::Object exports);
void InitReduce(Napi::Env env, Napi::Object exports);
void InitMatMul(Napi::Env env, Napi::Object exports);
void InitConv(Napi::Env env, Napi::Object exports);
void InitPrg(Napi::Env env, Napi::Object exports);
void InitFusedPond(Napi::Env env, Napi::Object exports);
void InitSecureNNCompare(Napi::Env env, Napi::Object exports);
void InitSecureNNOddRing(Napi::Env env, Napi::Object exports);
void InitBitPack(Napi::Env env, Napi::Object exports);
void InitPondTree(Napi::Env env, Napi::Object exports);
void InitX25519(Napi::Env env, Napi::Object exports);
void InitDcf(Napi::Env env, Napi::Object exports);
}  // namespace tfe

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  const bool mallocTuned = tfe::TuneMalloc();
  tfe::InitElementwise(env, exports);
  tfe::InitCompare(env, exports);
  tfe::InitUnary(env, exports);
  tfe::InitBits(env, exports);
  tfe::InitMovement(env, exports);
  tfe::InitReduce(env, exports);
  tfe::InitMatMul(env, exports);
  tfe::InitConv(env, exports);
  tfe::InitPrg(env, exports);
  tfe::InitFusedPond(env, exports);
  tfe::InitBufferPool(env, exports);
  tfe::InitSecureNNCompare(env, exports);
  tfe::InitSecureNNOddRing(env, exports);
  tfe::InitBitPack(env, exports);
  tfe::InitPondTree(env, exports);
  tfe::InitX25519(env, exports);
  tfe::InitDcf(env, exports);
  exports.Set("threads", Napi::Number::New(env, tfe::PoolThreads()));
  exports.Set("mallocTuned", Napi::Boolean::New(env, mallocTuned));
  return exports;
}

NODE_API_MODULE(tfe_ring, Init)
