#pragma once
// A memory bound for a spawned deepntk process, as a command prefix (it goes right before the
// deepntk executable, after mpiexec and its arguments if any).
//
// Normally an address-space limit (prlimit --as). AddressSanitizer reserves terabytes of
// shadow address space at start-up, so under an address-space limit an instrumented deepntk
// dies before main ("ReserveShadowMemoryRange failed"). In a sanitized build (the target
// defines DEEPNTK_SANITIZED) the bound is ASan's hard RSS limit instead: the process aborts
// once its resident memory passes `bytes`, which still fails a run that really allocates that
// much (the tests keep their control case that proves the bound bites).

#include <string>

namespace deepntk::cli_test {

inline std::string memory_bound(unsigned long long bytes) {
#ifdef DEEPNTK_SANITIZED
  return "env \"ASAN_OPTIONS=${ASAN_OPTIONS}:hard_rss_limit_mb=" + std::to_string(bytes >> 20) + "\" ";
#else
  return "prlimit --as=" + std::to_string(bytes) + " ";
#endif
}

}  // namespace deepntk::cli_test
