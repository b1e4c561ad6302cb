#pragma once
// Input points from an HDF5 file: `x_train` (n x d, any floating type), optional `x_test`
// (m x d), and optional targets `y_train` (n or n x k) and `y_test` (m or m x k), as pools
// (data/example_pool.hpp) from which data/selection.hpp chooses the rows a run uses. Read
// collectively (rank 0 reads, every rank gets the same arrays).
//
// Targets, by TargetMode:
//  * values: real targets as stored (any floating or integer type; a 1-D dataset is k = 1).
//    A file without y_train simply has no targets (the run computes kernels only).
//  * onehot: y_train / y_test hold integer class labels (1-D, or n x 1; integral floats
//    accepted), returned as the pools' labels; the analysis encodes them one-hot where the
//    targets are distributed. y_train is then required.

#include <string>

#include "deepntk/data/example_pool.hpp"
#include "deepntk/mpi/communicator.hpp"

namespace deepntk::data {

enum class TargetMode { none, values, onehot };

struct Hdf5Input {
  std::string path;
  std::string x_train = "x_train";
  std::string x_test = "x_test";
  std::string y_train = "y_train";
  std::string y_test = "y_test";
  TargetMode targets = TargetMode::values;
  bool test = true;  // read x_test (and y_test) when the file has it
};

/// Throws mpi::CollectiveError (on every rank) naming the file, the dataset and the problem.
[[nodiscard]] DataPools read_hdf5_pools(const mpi::Communicator& comm, const Hdf5Input& input);

}  // namespace deepntk::data
