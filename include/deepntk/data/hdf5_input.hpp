#pragma once
// Input points from an HDF5 file: `x_train` (n x d, any floating type), optional `x_test`
// (m x d). Read collectively; every rank gets the same points. Targets (`y_train`,
// `y_test`) belong to the regression analysis and are read there.

#include <cstdint>
#include <string>

#include "deepntk/data/point_set.hpp"
#include "deepntk/mpi/communicator.hpp"

namespace deepntk::data {

struct Hdf5Input {
  std::string path;
  std::string x_train = "x_train";
  std::string x_test = "x_test";
  std::int64_t n_train = 0;  // use the first n_train rows of x_train (must exist)
  std::int64_t n_test = 0;   // use the first n_test rows of x_test, when x_test exists
};

/// Throws mpi::CollectiveError (on every rank) naming the file, the dataset and the problem.
[[nodiscard]] Dataset read_hdf5_dataset(const mpi::Communicator& comm, const Hdf5Input& input);

}  // namespace deepntk::data
