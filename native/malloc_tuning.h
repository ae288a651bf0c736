// See malloc_tuning.cc.
#pragma once

namespace tfe {

// Sets glibc's mmap and trim thresholds for large tensors (see malloc_tuning.cc); returns
// whether it did (false off glibc, with TFE_NATIVE_MALLOC=default, or when the user set
// glibc's own MALLOC_*_ variables or glibc.malloc.* tunables).
bool TuneMalloc();

}  // namespace tfe
