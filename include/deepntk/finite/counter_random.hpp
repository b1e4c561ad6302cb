#pragma once
// Counter-based random numbers for the parameters of finite networks (docs/kernels.md
// §Finite-width networks): every parameter is a pure function of (seed, tensor, index), so a
// network is the same whatever the rank count, the order in which ranks draw it, or where a
// resumed run starts. Philox4x32-10 (Salmon et al., SC'11) is the generator: a keyed bijection
// of 128-bit counters, with published known-answer vectors (tests/finite).

#include <array>
#include <cstdint>
#include <span>

namespace deepntk::finite {

using PhiloxCounter = std::array<std::uint32_t, 4>;
using PhiloxKey = std::array<std::uint32_t, 2>;

/// Ten rounds of Philox4x32 on `counter` under `key`.
[[nodiscard]] PhiloxCounter philox4x32_10(PhiloxCounter counter, PhiloxKey key) noexcept;

/// A 64-bit seed mixed with a sample number into a Philox key (splitmix64 finalizer), so that
/// samples 0, 1, 2, ... of one run, and runs with neighbouring seeds, get unrelated streams.
[[nodiscard]] PhiloxKey sample_key(std::uint64_t seed, std::uint64_t sample) noexcept;

/// Standard normal numbers number `first`, `first` + 1, ... of the stream `stream` under `key`
/// into `out`. Pairs (2i, 2i+1) come from one Philox block by Box-Muller, so any sub-range gives
/// the same values as the whole stream.
void fill_standard_normal(PhiloxKey key, std::uint64_t stream, std::uint64_t first, std::span<double> out);

}  // namespace deepntk::finite
