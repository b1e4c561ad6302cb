#include "deepntk/io/block_cyclic_selection.hpp"

namespace deepntk::io {

std::vector<RegularPiece> owned_pieces(const matrix::BlockCyclic1D& map, int proc) {
  std::vector<RegularPiece> pieces;
  const int procs = map.procs();
  if (proc < 0 || proc >= procs) return pieces;
  if (procs == 1) {
    // One process owns the whole dimension: one contiguous run instead of a train of
    // adjacent blocks keeps the selection (and the MPI datatype HDF5 builds from it) small.
    if (map.extent() > 0) pieces.push_back({0, map.extent(), 1, map.extent()});
    return pieces;
  }
  const std::int64_t nb = map.block();
  const std::int64_t full_blocks = map.extent() / nb;
  const std::int64_t ragged = map.extent() % nb;

  // Full blocks proc, proc + P, proc + 2P, ... below full_blocks.
  if (proc < full_blocks) {
    const std::int64_t count = (full_blocks - 1 - proc) / procs + 1;
    pieces.push_back({proc * nb, procs * nb, count, nb});
  }
  // The ragged block has index full_blocks; its owner continues the cycle.
  if (ragged > 0 && full_blocks % procs == proc) {
    // A single block: the stride is irrelevant but HDF5 wants it >= the block length.
    pieces.push_back({full_blocks * nb, ragged, 1, ragged});
  }
  return pieces;
}

std::vector<Hyperslab> owned_hyperslabs(const matrix::Distribution& dist, int grid_row, int grid_col) {
  std::vector<Hyperslab> slabs;
  const auto row_pieces = owned_pieces(dist.row_map(), grid_row);
  const auto col_pieces = owned_pieces(dist.col_map(), grid_col);
  for (const auto& rows : row_pieces)
    for (const auto& cols : col_pieces) slabs.push_back({rows, cols});
  return slabs;
}

}  // namespace deepntk::io
