#pragma once
// Keys that a configuration sets but the run never reads, because another key decides they do
// not apply (network.alpha for an mlp, data.noise for points on the sphere, ...). Not an error:
// a file written for one architecture or source often keeps the other's keys. But a user who
// sets network.alpha on an mlp expects it to matter, so each such key gets one warning.

#include "deepntk/app/config.hpp"

namespace deepntk::app {

/// One "warning: ..." line per key whose value differs from its default while the key does not
/// apply to `config` (the keys at their defaults are never mentioned, so the effective
/// configuration and examples/default.toml, which write every key, stay quiet).
[[nodiscard]] ConfigNotes inapplicable_key_warnings(const RunConfig& config);

}  // namespace deepntk::app
