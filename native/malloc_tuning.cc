// glibc malloc settings for a process that moves megabyte tensors and messages all the time.
//
// By default glibc maps every block above its mmap threshold freshly and gives freed heap top
// above its trim threshold back to the kernel; the dynamic thresholds settle at sizes well
// below a 10^6-element tensor's 8 MB once blocks of several sizes come and go. Each such block
// then costs a page fault per 4 KiB and the kernel's zeroing of every page: on a networked
// ABY3 relu of 10^6 elements that was about 10% of a player's CPU (clear_page_erms), and the
// 10^6-element relu took 230-320 ms networked against 175-200 ms with the settings below.
//
// Blocks up to 32 MiB (glibc's largest mmap threshold) come from the heap, and up to 256 MiB
// of free heap top is kept for the next block. A user's own MALLOC_MMAP_THRESHOLD_,
// MALLOC_TRIM_THRESHOLD_ or glibc.malloc.* tunables (GLIBC_TUNABLES) win, and
// TFE_NATIVE_MALLOC=default leaves glibc's defaults.
#include "malloc_tuning.h"

#include <cstdlib>
#include <cstring>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace tfe {

bool TuneMalloc() {
#if defined(__GLIBC__)
  const char* mode = std::getenv("TFE_NATIVE_MALLOC");
  if (mode && std::strcmp(mode, "default") == 0) return false;
  if (std::getenv("MALLOC_MMAP_THRESHOLD_") || std::getenv("MALLOC_TRIM_THRESHOLD_")) return false;
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  if (tunables && std::strstr(tunables, "glibc.malloc.")) return false;
  // Setting either turns glibc's dynamic thresholds off, so both are set.
  return mallopt(M_MMAP_THRESHOLD, 32 << 20) == 1 && mallopt(M_TRIM_THRESHOLD, 256 << 20) == 1;
#else
  return false;
#endif
}

}  // namespace tfe
