#pragma once
// Small helpers shared by MPI tests.

#include <mpi.h>

#include <memory>

#include "deepntk/grid/process_grid.hpp"
#include "deepntk/mpi/communicator.hpp"

namespace deepntk::testing {

inline mpi::Communicator world() { return mpi::Communicator::world(); }

/// A grid on MPI_COMM_WORLD of the given shape, or the most square one.
inline std::shared_ptr<const grid::ProcessGrid> make_grid(std::optional<grid::GridShape> shape = std::nullopt) {
  return std::make_shared<const grid::ProcessGrid>(MPI_COMM_WORLD, shape);
}

/// True when the world has at least `ranks` ranks (tests of larger grids skip otherwise).
inline bool world_has(int ranks) { return world().size() >= ranks; }

}  // namespace deepntk::testing
