#pragma once
// Every rank's values, concatenated in rank order, on every rank (counts may differ by rank).

#include <mpi.h>

#include <vector>

namespace deepntk::mpi {

[[nodiscard]] std::vector<double> all_gather(MPI_Comm comm, const std::vector<double>& mine);

}  // namespace deepntk::mpi
