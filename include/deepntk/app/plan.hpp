#pragma once
// `deepntk plan`: how much memory each rank will need and how much work a run is, computed
// from the configuration alone, before anything is allocated.
//
// The memory model follows what `deepntk run` actually holds (src/app/run_pipeline.cpp,
// src/app/kernel_analysis.cpp, src/kernels/depth_sweep.cpp, src/linalg/eigen.cpp) phase by
// phase, for the rank at grid position (0, 0): with ScaLAPACK's block-cyclic layout it owns
// the most entries of every matrix. A phase's total is what is alive at its worst moment;
// the run's peak is the largest phase total. Where a step happens only sometimes (a solve
// that falls back to an eigendecomposition), the plan assumes it happens: it is an upper
// estimate, not a guarantee (docs/cli.md).
//
// No MPI and no file access here: the caller supplies the data sizes (PlanShape) and the
// memory available per rank (plan_available_memory.hpp).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "deepntk/app/config.hpp"
#include "deepntk/grid/process_grid.hpp"

namespace deepntk::app {

/// Sizes the configuration alone may not give (hdf5 input: d is the file's).
struct PlanShape {
  std::int64_t n_train = 0;
  std::int64_t n_test = 0;
  std::int64_t dim = 0;
  std::int64_t target_columns = 0;  ///< k: columns of the targets (0: no targets)
};

/// The sizes `config` implies, with `dimension` = d of the points after preprocessing (the
/// caller finds it: app::input_dimension, or the hdf5 file's header); 0 means data.dim.
/// Targets: one column for values, one per class for one-hot (10 when data.classes = 0).
[[nodiscard]] PlanShape plan_shape(const RunConfig& config, std::int64_t dimension = 0);

struct MemoryItem {
  std::string what;
  std::int64_t bytes = 0;
};

struct MemoryPhase {
  std::string name;
  std::vector<MemoryItem> items;
  [[nodiscard]] std::int64_t bytes() const;
};

struct WorkItem {
  std::string what;
  double amount = 0;   ///< pair-layer updates or flops, on the busiest rank
  std::string unit;    ///< "pair-layer updates", "flop"
  double seconds = 0;  ///< estimate (see plan.cpp for the measured rates)
};

struct Plan {
  int ranks = 1;
  grid::GridShape grid;
  std::int64_t block_size = 0;
  PlanShape shape;
  std::int64_t recorded_depths = 0;
  std::int64_t layer_steps = 0;  ///< layer steps of the sweep (sum of depths with per-depth passes)
  /// Finite width: the random networks per recorded depth (then layer_steps counts the layers of
  /// all of them); 0 for the analytic kernels.
  std::int64_t networks_per_depth = 0;
  std::int64_t width = 0;
  std::vector<MemoryPhase> phases;
  std::vector<WorkItem> work;
  /// Why the run cannot work whatever the memory: a ScaLAPACK size beyond its 32-bit integers
  /// (PDSYEVD's LWORK), which the run would meet only at its first analysis, after the sweep.
  std::optional<std::string> integer_limit;

  [[nodiscard]] std::int64_t peak_bytes() const;
  [[nodiscard]] const MemoryPhase& peak_phase() const;
  [[nodiscard]] double estimated_seconds() const;
};

/// The plan of `config` on `ranks` MPI ranks. The grid is parallel.grid, or the most square
/// shape for `ranks` when it is automatic. Throws ConfigError if parallel.grid needs more
/// ranks, std::invalid_argument if the schedule does not parse, SizeOverflow (naming n_train,
/// the ranks and the fix) if a per-rank count exceeds 64 bits. Memory and time O(1) in n_train: nothing is listed per point.
[[nodiscard]] Plan make_plan(const RunConfig& config, const PlanShape& shape, int ranks);

/// Peak bytes per rank only (cheap: no per-pair counting), for searching rank counts.
[[nodiscard]] std::int64_t peak_bytes_per_rank(const RunConfig& config, const PlanShape& shape, int ranks);

/// The runtime's own resident memory (MPI, BLAS, HDF5 libraries) before deepntk allocates
/// anything; a measured constant, see plan.cpp.
[[nodiscard]] std::int64_t runtime_baseline_bytes();

/// Memory available per rank and where the number came from ("parallel.memory_per_rank",
/// "SLURM_MEM_PER_NODE / 4 ranks on this node", ...).
struct AvailableMemory {
  std::optional<std::int64_t> bytes_per_rank;  ///< unknown: nothing is refused
  std::string source;
};

/// Why `plan` cannot run, as one line: its integer_limit if any; else why it does not fit in
/// `available`, naming the rank count that would fit (with the automatic grid and the same
/// memory per rank), or saying that no rank count can; nullopt when it fits or the available
/// memory is unknown.
[[nodiscard]] std::optional<std::string> refusal(const RunConfig& config, const Plan& plan,
                                                 const AvailableMemory& available);

/// The plan as a readable table: memory per phase with its items, the peak against the
/// available memory, and the work with estimated times.
[[nodiscard]] std::string format_plan(const Plan& plan, const AvailableMemory& available);

/// "1.50 GiB", "512 MiB", "12.0 KiB", "800 B"; the double form for totals beyond 64 bits.
[[nodiscard]] std::string format_bytes(std::int64_t bytes);
[[nodiscard]] std::string format_bytes(double bytes);

}  // namespace deepntk::app
