#pragma once
// The depth sweep's state (kernels::SweepState) in a checkpoint file, written from one grid
// and read back on any other.
//
// Layout under "/sweep" (docs/checkpoints.md):
//   counters            int64 [k], attribute "names" (comma-separated)
//   reals               float64 [k], attribute "names"
//   point_k0            float64 [p]: every distinct K0(x,x) of all ranks, ascending
//   points/<name>       float64 [p]: per-point recursion state, aligned with point_k0
//   pairs/<group>/<name> float64 [rows x cols]: per-pair state laid out like the Gram matrix of
//                        that group (0: train x train, 1: test x train); entries the sweep never
//                        computes (above a symmetric diagonal) are NaN. Group attribute "arrays".
//   point_vectors/<set>/<name> float64 [n]: per-point state by point id (set 0 the train, 1 the
//                        test points; Monte-Carlo kernels only). Group attribute "vectors".
// The per-pair arrays are distributed matrices (one hyperslab selection per rank, io/matrix_io),
// so reading them on another grid redistributes them; per-point arrays are replicated.

#include <cstdint>
#include <memory>
#include <span>

#include "deepntk/grid/process_grid.hpp"
#include "deepntk/io/file.hpp"
#include "deepntk/kernels/depth_sweep.hpp"

namespace deepntk::app {

/// A group of pairs: the global Gram matrix its sweep blocks are the local parts of.
struct PairGroup {
  std::int64_t group = 0;
  std::int64_t rows = 0, cols = 0;
};

/// How the sweep's blocks map onto the grid: each rank holds exactly one block per group,
/// the local part of DistributedMatrix(grid, rows, cols, block).
struct SweepLayout {
  std::shared_ptr<const grid::ProcessGrid> grid;
  std::int64_t block = 0;
  std::vector<PairGroup> groups;
};

/// Collective: writes this rank's part of `state` (from KernelProducer::save_state()).
void write_sweep_state(io::File& file, const kernels::SweepState& state, const SweepLayout& layout);

/// Collective: the saved state for this rank's `blocks` (from any grid), ready for
/// KernelProducer::restore_state(). Throws mpi::CollectiveError if the file does not match.
[[nodiscard]] kernels::SweepState read_sweep_state(const io::File& file, const kernels::KernelProducer& sweep,
                                                   std::span<const kernels::PairBlock> blocks,
                                                   const SweepLayout& layout);

}  // namespace deepntk::app
