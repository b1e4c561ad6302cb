#pragma once
// One rank's Dataset on every rank: for inputs read by one rank (HDF5, so that the file system
// sees one reader however many ranks a job has).

#include "deepntk/data/point_set.hpp"
#include "deepntk/mpi/communicator.hpp"

namespace deepntk::data {

/// Collective: every rank of `comm` returns `root`'s dataset (the others' argument is ignored).
[[nodiscard]] Dataset broadcast_dataset(const mpi::Communicator& comm, Dataset dataset, int root = 0);

}  // namespace deepntk::data
