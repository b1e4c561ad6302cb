#pragma once
// How much memory one rank may use, for `deepntk plan` and the check `deepntk run` makes
// before it allocates anything. In order of precedence:
//   1. parallel.memory_per_rank (e.g. "4GiB"), when set;
//   2. SLURM_MEM_PER_CPU (MiB) x SLURM_CPUS_PER_TASK (default 1), as SLURM sets for --mem-per-cpu;
//   3. SLURM_MEM_PER_NODE (MiB) / ranks on this node, as SLURM sets for --mem;
//   4. MemAvailable of /proc/meminfo / ranks on this node.
// No MPI here: the caller says how many ranks share the node.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "deepntk/app/plan.hpp"

namespace deepntk::app {

/// "4GiB", "512 MiB", "1.5G", "800000000": a byte count. Units: B; K/KiB, M/MiB, G/GiB, T/TiB
/// (powers of 1024, as SLURM reads them); KB, MB, GB, TB (powers of 1000). Case-insensitive.
/// nullopt when the text is not a positive size.
[[nodiscard]] std::optional<std::int64_t> parse_byte_size(std::string_view text);

/// The allowed spellings, for messages: "a size such as \"4GiB\" or \"512MiB\" ...".
[[nodiscard]] std::string byte_size_expected();

/// Environment lookup (nullopt = unset); tests pass their own.
using EnvironmentLookup = std::function<std::optional<std::string>(const char* name)>;
[[nodiscard]] EnvironmentLookup process_environment();

/// The memory one rank may use. `configured` is parallel.memory_per_rank ("" = detect).
[[nodiscard]] AvailableMemory available_memory(std::string_view configured, int ranks_on_node,
                                               const EnvironmentLookup& environment = process_environment(),
                                               const std::filesystem::path& meminfo = "/proc/meminfo");

}  // namespace deepntk::app
