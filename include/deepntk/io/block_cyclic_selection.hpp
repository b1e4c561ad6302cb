#pragma once
// The part of a block-cyclic matrix one process owns, as HDF5 regular hyperslabs.
//
// Along one dimension a process owns every P-th block of nb entries starting at block p:
// one regular pattern (start p*nb, stride P*nb, block nb, count = number of full blocks it
// owns), plus possibly the ragged last block (shorter than nb). In two dimensions the owned
// set is the product of the row pieces and the column pieces: at most 2 x 2 = 4 regular
// hyperslabs, whose union (H5S_SELECT_OR) is the process's whole selection. That lets each
// rank describe its entire share with one selection and move it with one H5Dwrite/H5Dread,
// instead of one call per block.
//
// Pure index arithmetic, no HDF5 or MPI: testable serially against brute force.

#include <array>
#include <cstdint>
#include <vector>

#include "deepntk/matrix/block_cyclic.hpp"
#include "deepntk/matrix/distribution.hpp"

namespace deepntk::io {

/// Entries start + k * stride + j for 0 <= k < count, 0 <= j < block.
struct RegularPiece {
  std::int64_t start = 0;
  std::int64_t stride = 1;
  std::int64_t count = 0;
  std::int64_t block = 0;
  friend bool operator==(const RegularPiece&, const RegularPiece&) = default;
};

/// The entries process `proc` owns in `map`, as at most two pieces in ascending order (full
/// blocks, then the ragged last block); empty if it owns nothing or `proc` is outside [0, P).
[[nodiscard]] std::vector<RegularPiece> owned_pieces(const matrix::BlockCyclic1D& map, int proc);

/// A two-dimensional regular hyperslab: rows from `rows`, columns from `cols`.
struct Hyperslab {
  RegularPiece rows;
  RegularPiece cols;
};

/// The entries of the process at (grid_row, grid_col) as at most four hyperslabs; empty for
/// a process that owns nothing (grid_row or grid_col -1: a rank outside the grid).
[[nodiscard]] std::vector<Hyperslab> owned_hyperslabs(const matrix::Distribution& dist, int grid_row, int grid_col);

}  // namespace deepntk::io
