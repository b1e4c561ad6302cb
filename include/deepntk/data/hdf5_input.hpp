#pragma once
// Input points from an HDF5 file: `x_train` (n x d, any floating type), optional `x_test`
// (m x d), and optional targets `y_train` (n or n x k) and `y_test` (m or m x k). Read
// collectively; every rank gets the same points and targets.
//
// Targets, by TargetMode:
//  * values: real targets as stored (any floating or integer type; a 1-D dataset is k = 1).
//    A file without y_train simply has no targets (the run computes kernels only).
//  * onehot: y_train / y_test hold integer class labels 0 .. C-1 (1-D, or n x 1; integral
//    floats accepted), C = 1 + the largest label in train and test. They are returned as
//    labels (k = 1, Dataset::classes = C); the analysis encodes them one-hot
//    (analysis::one_hot_targets), where the targets are distributed. y_train is then required.

#include <cstdint>
#include <string>

#include "deepntk/data/point_set.hpp"
#include "deepntk/mpi/communicator.hpp"

namespace deepntk::data {

enum class TargetMode { none, values, onehot };

struct Hdf5Input {
  std::string path;
  std::string x_train = "x_train";
  std::string x_test = "x_test";
  std::int64_t n_train = 0;  // use the first n_train rows of x_train (must exist)
  std::int64_t n_test = 0;   // use the first n_test rows of x_test, when x_test exists
  std::string y_train = "y_train";
  std::string y_test = "y_test";
  TargetMode targets = TargetMode::values;
};

/// Throws mpi::CollectiveError (on every rank) naming the file, the dataset and the problem.
[[nodiscard]] Dataset read_hdf5_dataset(const mpi::Communicator& comm, const Hdf5Input& input);

}  // namespace deepntk::data
