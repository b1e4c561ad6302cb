#pragma once
// Input points from an HDF5 file: `x_train` (n x d, any floating type), optional `x_test`
// (m x d), and optional targets `y_train` (n or n x k) and `y_test` (m or m x k). Rank 0 opens
// the file alone (the file system sees one reader however many ranks there are), checks every
// dataset it touches before reading it (data/hdf5_dataset_check.hpp: links, filters, unwritten
// storage), chooses the rows with data/selection.hpp and reads only those rows of x_train and
// x_test; every rank then gets the same Dataset.
//
// Targets, by TargetMode:
//  * values: real targets as stored (any floating or integer type; a 1-D dataset is k = 1).
//    A file without y_train simply has no targets (the run computes kernels only).
//  * onehot: y_train / y_test hold integer class labels (1-D, or n x 1; integral floats
//    accepted); the analysis encodes them one-hot where the targets are distributed. y_train is
//    then required.
// Targets and labels are read whole: labels decide a balanced subset and the class count, and
// both are small next to the points (n x k against n x d); their storage is checked first.

#include <cstdint>
#include <string>

#include "deepntk/data/point_set.hpp"
#include "deepntk/data/selection.hpp"
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

/// Collective: the rows `selection` chooses, on every rank. Throws mpi::CollectiveError (on
/// every rank) naming the file, the dataset and the problem.
[[nodiscard]] Dataset read_hdf5_dataset(const mpi::Communicator& comm, const Hdf5Input& input,
                                        const Selection& selection);

/// The rows of x_train and x_test (0 when input.test is false or the file has no x_test) and
/// the columns of x_train, from the file's headers (no data read, O(1) memory), for `deepntk
/// plan`. Local (the file is opened on MPI_COMM_SELF). Throws std::invalid_argument (or
/// mpi::CollectiveError from the file layer) naming the problem.
struct Hdf5Shape {
  std::int64_t train_rows = 0;
  std::int64_t test_rows = 0;
  std::int64_t columns = 0;
};
[[nodiscard]] Hdf5Shape read_hdf5_shape(const Hdf5Input& input);

}  // namespace deepntk::data
