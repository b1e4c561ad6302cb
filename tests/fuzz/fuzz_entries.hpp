#pragma once
// The entry points the fuzz targets (fuzz_target.cpp, libFuzzer) and the regression test
// (test_fuzz_regressions.cpp, the default suite) share: one input in, one verdict out. Each
// calls deepntk's own API exactly as a run would and then checks what that API promises, so
// a promise broken without a crash (a header accepted with fewer bytes than it declares, a
// configuration that does not survive its own round trip) is found too, not only crashes.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace deepntk::fuzz {

enum class Verdict {
  accepted,  ///< the input was read and everything read back is consistent
  refused,   ///< the API threw the documented exception (ConfigError, std::invalid_argument)
  broken,    ///< anything else: another exception type, or a broken promise (see detail)
};

struct Outcome {
  Verdict verdict = Verdict::broken;
  std::string detail;  ///< the refusal message, or what is broken
};

using Bytes = std::span<const std::uint8_t>;

/// The input as a TOML document: app::parse_config_string (which validates), and for an
/// accepted configuration the exact round trip parse_config_string(to_toml(c)) == c.
Outcome run_config(Bytes input);
/// The input as an IDX file (plain or gzipped): data::read_idx, then data::idx_pool with the
/// file as both images and labels, every row copied out.
Outcome run_idx(Bytes input);
/// The input as a CIFAR-10 binary batch: data::cifar10_pool, every row copied out.
Outcome run_cifar10(Bytes input);

/// The entry point of a target by name ("config", "idx", "cifar10"), or nullptr.
using Entry = Outcome (*)(Bytes);
Entry find_entry(std::string_view target);

}  // namespace deepntk::fuzz
