// Output buffers: large ones come from a cache of huge-page-backed blocks and are handed to JS
// as external ArrayBuffers, so a fresh output costs no page faults or zero-filling.
#pragma once
#include <napi.h>

#include <cstddef>

namespace tfe {

// An ArrayBuffer of `bytes` whose contents are unspecified (the caller overwrites all of it).
Napi::ArrayBuffer NewUninitBuffer(Napi::Env env, size_t bytes);

// An ArrayBuffer of `bytes` filled with zeros.
Napi::ArrayBuffer NewZeroBuffer(Napi::Env env, size_t bytes);

// Exports `recycle(view)`: hands a pooled block back at once (detaching its ArrayBuffer).
void InitBufferPool(Napi::Env env, Napi::Object exports);

}  // namespace tfe
