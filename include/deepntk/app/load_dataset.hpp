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
/// dataset: for `deepntk plan`. Local (no MPI); hdf5 returns 0 (the caller reads the file's
/// header itself); idx reads the train images file. Throws std::invalid_argument.
[[nodiscard]] std::int64_t input_dimension(const DataConfig& config);

/// Writes the inputs as used (after preprocessing) under /data, with their provenance: the
/// attributes source, subset, preprocessing; the source rows used (train_index, test_index)
/// for file sources; the class labels (train_labels, test_labels) when there are classes.
/// Collective (docs/output-format.md).
void write_inputs(io::File& file, const data::Dataset& dataset);

}  // namespace deepntk::app
