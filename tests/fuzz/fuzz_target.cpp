// The libFuzzer driver of one target, chosen at compile time (DEEPNTK_FUZZ_TARGET): the
// target's entry point from fuzz_entries.cpp on each input. A crash or sanitizer report
// ends the run by itself; a broken promise (Verdict::broken) is turned into one with abort(),
// so libFuzzer saves the input as crash-<sha1> like any other crash.

#include <cstdio>
#include <cstdlib>

#include "fuzz_entries.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const deepntk::fuzz::Entry entry = [] {
    const auto found = deepntk::fuzz::find_entry(DEEPNTK_FUZZ_TARGET);
    if (found == nullptr) {
      std::fprintf(stderr, "deepntk fuzz: no target named '%s'\n", DEEPNTK_FUZZ_TARGET);
      std::abort();
    }
    return found;
  }();
  const deepntk::fuzz::Outcome outcome = entry({data, size});
  if (outcome.verdict == deepntk::fuzz::Verdict::broken) {
    std::fprintf(stderr, "deepntk fuzz (%s): broken: %s\n", DEEPNTK_FUZZ_TARGET, outcome.detail.c_str());
    std::abort();
  }
  return 0;
}
