#include "deepntk/data/hdf5_input.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "deepntk/io/file.hpp"
#include "deepntk/io/replicated_array.hpp"
#include "deepntk/mpi/error.hpp"

namespace deepntk::data {

namespace {

PointSet first_rows(const io::Array<double>& array, std::int64_t rows) {
  const std::int64_t dim = array.shape[1];
  return PointSet{rows, dim,
                  std::vector<double>(array.values.begin(), array.values.begin() + static_cast<std::ptrdiff_t>(rows * dim))};
}

// Configurations name datasets as users see them in h5py ("x_train" or "/group/x"); the
// file layer wants absolute paths.
std::string absolute(const std::string& name) { return name.starts_with('/') ? name : "/" + name; }

// The first `rows` rows of a 1-D (k = 1) or 2-D target dataset, as read; integers are converted.
PointSet read_targets(const io::File& file, const Hdf5Input& input, const std::string& name, std::int64_t rows) {
  io::Array<double> array;
  try {
    array = io::read_double_array(file, absolute(name));
  } catch (const mpi::CollectiveError&) {
    // Not floating point (every rank saw the same file, so every rank is here): integer labels.
    const auto integers = io::read_int64_array(file, absolute(name));
    array.shape = integers.shape;
    array.values.assign(integers.values.begin(), integers.values.end());
  }
  if (array.shape.empty() || array.shape.size() > 2) {
    throw mpi::CollectiveError(fmt::format("{}: target dataset '{}' has {} dimensions; expected 1 (one target per "
                                           "point) or 2 (points x outputs)",
                                           input.path, name, array.shape.size()));
  }
  if (array.shape[0] < rows) {
    throw mpi::CollectiveError(fmt::format("{}: target dataset '{}' has {} rows but {} points are used; it needs one "
                                           "row per point",
                                           input.path, name, array.shape[0], rows));
  }
  const std::int64_t k = array.shape.size() == 2 ? array.shape[1] : 1;
  return PointSet{rows, k, std::vector<double>(array.values.begin(), array.values.begin() + static_cast<std::ptrdiff_t>(rows * k))};
}

void check_labels(const PointSet& labels, const Hdf5Input& input, const std::string& name) {
  if (labels.dimension != 1) {
    throw mpi::CollectiveError(fmt::format("{}: data.targets = \"onehot\" wants one integer label per point in '{}', "
                                           "but it has {} columns",
                                           input.path, name, labels.dimension));
  }
  for (double v : labels.values) {
    if (!(v >= 0 && v < 1e9 && v == std::trunc(v))) {
      throw mpi::CollectiveError(fmt::format("{}: '{}' holds the label {}; class labels must be integers 0, 1, 2, ...",
                                             input.path, name, v));
    }
  }
}

// Reads y_train (and y_test when there are test points) as TargetMode asks.
void read_dataset_targets(const io::File& file, const Hdf5Input& input, Dataset& dataset) {
  if (input.targets == TargetMode::none) return;
  if (!file.exists(absolute(input.y_train))) {
    if (input.targets == TargetMode::onehot) {
      throw mpi::CollectiveError(fmt::format("{}: data.targets = \"onehot\" but the file has no dataset '{}'",
                                             input.path, input.y_train));
    }
    return;
  }
  dataset.y_train = read_targets(file, input, input.y_train, dataset.train.count);
  if (dataset.test.count > 0 && file.exists(absolute(input.y_test))) {
    dataset.y_test = read_targets(file, input, input.y_test, dataset.test.count);
    if (input.targets == TargetMode::values && dataset.y_test->dimension != dataset.y_train->dimension) {
      throw mpi::CollectiveError(fmt::format("{}: '{}' has {} outputs but '{}' has {}", input.path, input.y_test,
                                             dataset.y_test->dimension, input.y_train, dataset.y_train->dimension));
    }
  }
  if (input.targets == TargetMode::onehot) {
    check_labels(*dataset.y_train, input, input.y_train);
    double largest = 0;
    for (double v : dataset.y_train->values) largest = std::max(largest, v);
    if (dataset.y_test) {
      check_labels(*dataset.y_test, input, input.y_test);
      for (double v : dataset.y_test->values) largest = std::max(largest, v);
    }
    dataset.classes = static_cast<std::int64_t>(largest) + 1;
    if (dataset.classes < 2) {
      throw mpi::CollectiveError(fmt::format("{}: '{}' names a single class; one-hot targets need at least 2",
                                             input.path, input.y_train));
    }
  }
}

}  // namespace

Dataset read_hdf5_dataset(const mpi::Communicator& comm, const Hdf5Input& input) {
  const auto file = io::File::open_read_only(comm, input.path);
  const auto x_train = io::read_double_array(file, absolute(input.x_train), 2);
  if (x_train.shape[0] < input.n_train) {
    throw mpi::CollectiveError(fmt::format("{}: dataset '{}' has {} rows but data.n_train = {}; set data.n_train to at "
                                           "most {}",
                                           input.path, input.x_train, x_train.shape[0], input.n_train,
                                           x_train.shape[0]));
  }
  Dataset dataset;
  dataset.train = first_rows(x_train, input.n_train);
  std::string test_note = "no test points";
  if (input.n_test > 0 && file.exists(absolute(input.x_test))) {
    const auto x_test = io::read_double_array(file, absolute(input.x_test), 2);
    if (x_test.shape[1] != x_train.shape[1]) {
      throw mpi::CollectiveError(fmt::format("{}: '{}' has {} columns but '{}' has {}; train and test points must "
                                             "have the same dimension",
                                             input.path, input.x_test, x_test.shape[1], input.x_train,
                                             x_train.shape[1]));
    }
    if (x_test.shape[0] < input.n_test) {
      throw mpi::CollectiveError(fmt::format("{}: dataset '{}' has {} rows but data.n_test = {}; set data.n_test to at "
                                             "most {}",
                                             input.path, input.x_test, x_test.shape[0], input.n_test,
                                             x_test.shape[0]));
    }
    dataset.test = first_rows(x_test, input.n_test);
    test_note = fmt::format("{} test points from '{}'", input.n_test, input.x_test);
  } else {
    dataset.test = PointSet{0, x_train.shape[1], {}};
    if (input.n_test > 0) test_note = fmt::format("no '{}' in the file, so no test points", input.x_test);
  }
  read_dataset_targets(file, input, dataset);
  dataset.description = fmt::format("hdf5: {} train points of dimension {} from {}:{}, {}", input.n_train,
                                    x_train.shape[1], input.path, input.x_train, test_note);
  if (dataset.y_train) {
    dataset.description += dataset.classes > 0 ? fmt::format(", {} classes (one-hot)", dataset.classes)
                                                : fmt::format(", {} target(s) per point", dataset.y_train->dimension);
  }
  return dataset;
}

}  // namespace deepntk::data
