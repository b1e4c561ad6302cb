#pragma once
// The dataset a run computes kernels on, as the [data] section describes it: generated
// (sphere, sine) or read from files (hdf5, idx, cifar10), a subset of rows, class labels or
// targets, preprocessing; and how the inputs and their provenance are stored in the result.

#include "deepntk/app/config.hpp"
#include "deepntk/data/point_set.hpp"
#include "deepntk/io/file.hpp"
#include "deepntk/mpi/communicator.hpp"

namespace deepntk::app {

/// Collective: every rank ends up with the same points. Any problem with the data (a file that
/// is missing, damaged or malformed, NaN/Inf, labels out of range, too few points, a zero point
/// before "sphere") throws mpi::CollectiveError on every rank with one message naming it.
[[nodiscard]] data::Dataset load_dataset(const DataConfig& config, const mpi::Communicator& world);

/// The dimension d of the points a run will use (after preprocessing), without loading the
/// dataset: for `deepntk plan`. Local (no MPI collectives); hdf5 and idx read the train file's
/// header (O(1) memory). Throws std::invalid_argument (or mpi::CollectiveError from the HDF5
/// file layer) naming the problem.
[[nodiscard]] std::int64_t input_dimension(const DataConfig& config);

/// How many train and test points a run will use, without loading the dataset: the configured
/// counts, and for "all" (DataConfig::all_rows, the default of file sources) the rows the files'
/// headers declare (hdf5: x_train / x_test, 0 test rows without x_test; idx: the images files;
/// cifar10: the batch sizes / 3073), read in O(1) memory after the checks the readers make.
/// Local; throws as input_dimension does.
struct InputRows {
  std::int64_t n_train = 0;
  std::int64_t n_test = 0;
};
[[nodiscard]] InputRows input_rows(const DataConfig& config);

/// Writes the inputs as used (after preprocessing) under /data, with their provenance: the
/// attributes source, subset, preprocessing; the source rows used (train_index, test_index)
/// for file sources; the class labels (train_labels, test_labels) when there are classes.
/// Collective (docs/output-format.md).
void write_inputs(io::File& file, const data::Dataset& dataset);

}  // namespace deepntk::app
