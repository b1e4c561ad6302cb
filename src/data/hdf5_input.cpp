#include "deepntk/data/hdf5_input.hpp"

#include <cmath>

#include <fmt/format.h>

#include "deepntk/io/file.hpp"
#include "deepntk/io/replicated_array.hpp"
#include "deepntk/mpi/error.hpp"

namespace deepntk::data {

namespace {

// Configurations name datasets as users see them in h5py ("x_train" or "/group/x"); the
// file layer wants absolute paths.
std::string absolute(const std::string& name) { return name.starts_with('/') ? name : "/" + name; }

// A 1-D (k = 1) or 2-D target dataset, as read; integers are converted.
PointSet read_targets(const io::File& file, const Hdf5Input& input, const std::string& name) {
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
  const std::int64_t k = array.shape.size() == 2 ? array.shape[1] : 1;
  return PointSet{array.shape[0], k, std::move(array.values)};
}

std::vector<std::int64_t> as_labels(const PointSet& values, const Hdf5Input& input, const std::string& name) {
  if (values.dimension != 1) {
    throw mpi::CollectiveError(fmt::format("{}: data.targets = \"onehot\" wants one integer label per point in '{}', "
                                           "but it has {} columns",
                                           input.path, name, values.dimension));
  }
  std::vector<std::int64_t> labels;
  for (std::size_t i = 0; i < values.values.size(); ++i) {
    const double v = values.values[i];
    if (!(v == std::trunc(v) && std::abs(v) < 1e9)) {
      throw mpi::CollectiveError(fmt::format("{}: '{}' row {} holds the label {}; class labels must be integers 0, 1, "
                                             "2, ...",
                                             input.path, name, i, v));
    }
    labels.push_back(static_cast<std::int64_t>(v));
  }
  return labels;
}

ExamplePool read_pool(const io::File& file, const Hdf5Input& input, const std::string& x, const std::string& y,
                      bool required_y) {
  const auto array = io::read_double_array(file, absolute(x), 2);
  ExamplePool pool = pool_of(fmt::format("'{}' in {}", x, input.path),
                             PointSet{array.shape[0], array.shape[1], std::move(array.values)});
  if (input.targets == TargetMode::none) return pool;
  if (!file.exists(absolute(y))) {
    if (required_y) {
      throw mpi::CollectiveError(fmt::format("{}: data.targets = \"onehot\" but the file has no dataset '{}'",
                                             input.path, y));
    }
    return pool;
  }
  auto targets = read_targets(file, input, y);
  if (targets.count != pool.count) {
    throw mpi::CollectiveError(fmt::format("{}: '{}' has {} rows but '{}' has {}; they need one row per point",
                                           input.path, x, pool.count, y, targets.count));
  }
  if (input.targets == TargetMode::onehot) {
    pool.labels = as_labels(targets, input, y);
  } else {
    pool.targets = std::move(targets);
  }
  return pool;
}

}  // namespace

DataPools read_hdf5_pools(const mpi::Communicator& comm, const Hdf5Input& input) {
  const auto file = io::File::open_read_only(comm, input.path);
  DataPools pools;
  pools.origin = input.path;
  pools.train = read_pool(file, input, input.x_train, input.y_train, input.targets == TargetMode::onehot);
  if (input.test && file.exists(absolute(input.x_test))) {
    pools.test = read_pool(file, input, input.x_test, input.y_test, false);
  }
  return pools;
}

}  // namespace deepntk::data
