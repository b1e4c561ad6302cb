#pragma once
// ScaLAPACK gives every rank of the grid the same INFO, but ranks outside the grid never
// called the routine. Rank 0 is always in the grid, so its INFO is everyone's: sharing it
// makes all ranks throw (or not) together instead of some hanging in the next collective.

#include <mpi.h>

#include "deepntk/grid/process_grid.hpp"
#include "deepntk/mpi/error.hpp"

namespace deepntk::linalg::detail {

inline int shared_info(const grid::ProcessGrid& grid, int info) {
  mpi::check(MPI_Bcast(&info, 1, MPI_INT, 0, grid.communicator()), "MPI_Bcast");
  return info;
}

}  // namespace deepntk::linalg::detail
