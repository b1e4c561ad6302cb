#include "deepntk/data/hdf5_input.hpp"

#include <cmath>
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "deepntk/core/checked_arithmetic.hpp"
#include "deepntk/data/dataset_broadcast.hpp"
#include "deepntk/data/example_pool.hpp"
#include "deepntk/data/hdf5_dataset_check.hpp"
#include "deepntk/io/file.hpp"
#include "deepntk/io/replicated_array.hpp"
#include "deepntk/mpi/error.hpp"

namespace deepntk::data {

namespace {

// Configurations name datasets as users see them in h5py ("x_train" or "/group/x"); the
// file layer wants absolute paths.
std::string absolute(const std::string& name) { return name.starts_with('/') ? name : "/" + name; }

// The points of a 2-D floating-point dataset, read a run of consecutive rows at a time (one
// hyperslab per run: the first n rows are one read).
class PointRows {
 public:
  PointRows(CheckedDataset dataset, std::string what) : dataset_(std::move(dataset)), what_(std::move(what)) {}

  void copy(std::span<const std::int64_t> rows, std::span<double> out) const {
    const auto columns = dataset_.shape[1];
    std::size_t begin = 0;
    while (begin < rows.size()) {
      std::size_t end = begin + 1;
      while (end < rows.size() && rows[end] == rows[end - 1] + 1) ++end;
      const auto length = static_cast<std::int64_t>(end - begin);
      const io::DataspaceId file_space(io::check(H5Dget_space(dataset_.id.get()), "H5Dget_space", what_));
      const hsize_t start[2] = {static_cast<hsize_t>(rows[begin]), 0};
      const hsize_t count[2] = {static_cast<hsize_t>(length), static_cast<hsize_t>(columns)};
      io::check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start, nullptr, count, nullptr),
                "H5Sselect_hyperslab", what_);
      const hsize_t elements = static_cast<hsize_t>(checked_multiply(length, columns, what_));
      const io::DataspaceId memory_space(io::check(H5Screate_simple(1, &elements, nullptr), "H5Screate_simple", what_));
      io::check(H5Dread(dataset_.id.get(), H5T_NATIVE_DOUBLE, memory_space.get(), file_space.get(), H5P_DEFAULT,
                        out.data() + begin * static_cast<std::size_t>(columns)),
                "H5Dread", what_);
      begin = end;
    }
  }

 private:
  CheckedDataset dataset_;
  std::string what_;
};

std::string type_class_name(H5T_class_t type_class) {
  switch (type_class) {
    case H5T_INTEGER: return "integer";
    case H5T_STRING: return "string";
    case H5T_COMPOUND: return "compound (record)";
    case H5T_ENUM: return "enum";
    default: return "non-numeric";
  }
}

// A 1-D (k = 1) or 2-D target dataset, as read; integers are converted.
PointSet read_targets(const io::File& file, const Hdf5Input& input, const std::string& name) {
  static_cast<void>(open_checked_dataset(file, absolute(name)));  // links, filters, storage
  io::Array<double> array;
  try {
    array = io::read_double_array(file, absolute(name));
  } catch (const mpi::CollectiveError&) {
    // Not floating point: integer labels.
    const auto integers = io::read_int64_array(file, absolute(name));
    array.shape = integers.shape;
    array.values.assign(integers.values.begin(), integers.values.end());
  }
  if (array.shape.empty() || array.shape.size() > 2) {
    throw std::invalid_argument(fmt::format("{}: target dataset '{}' has {} dimensions; expected 1 (one target per "
                                            "point) or 2 (points x outputs)",
                                            input.path, name, array.shape.size()));
  }
  const std::int64_t k = array.shape.size() == 2 ? array.shape[1] : 1;
  return PointSet{array.shape[0], k, std::move(array.values)};
}

std::vector<std::int64_t> as_labels(const PointSet& values, const Hdf5Input& input, const std::string& name) {
  if (values.dimension != 1) {
    throw std::invalid_argument(fmt::format("{}: data.targets = \"onehot\" wants one integer label per point in '{}', "
                                            "but it has {} columns",
                                            input.path, name, values.dimension));
  }
  std::vector<std::int64_t> labels;
  for (std::size_t i = 0; i < values.values.size(); ++i) {
    const double v = values.values[i];
    if (!(v == std::trunc(v) && std::abs(v) < 1e9)) {
      throw std::invalid_argument(fmt::format("{}: '{}' row {} holds the label {}; class labels must be integers 0, 1, "
                                              "2, ...",
                                              input.path, name, i, v));
    }
    labels.push_back(static_cast<std::int64_t>(v));
  }
  return labels;
}

// x: checked, 2-D, floating point.
CheckedDataset open_points(const io::File& file, const std::string& x) {
  auto dataset = open_checked_dataset(file, absolute(x));
  const auto what = file.describe(absolute(x));
  if (dataset.shape.size() != 2) {
    std::string shape;
    for (const auto extent : dataset.shape) shape += (shape.empty() ? "" : " x ") + std::to_string(extent);
    throw std::invalid_argument(fmt::format("dataset {} has {} dimension(s) (shape {}) but 2 are expected (points x "
                                            "features)",
                                            what, dataset.shape.size(), shape.empty() ? "scalar" : shape));
  }
  const io::DatatypeId type(io::check(H5Dget_type(dataset.id.get()), "H5Dget_type", what));
  const auto type_class = H5Tget_class(type.get());
  if (type_class != H5T_FLOAT) {
    throw std::invalid_argument(fmt::format("dataset {} holds {} values where floating-point values are expected",
                                            what, type_class_name(type_class)));
  }
  return dataset;
}

// A pool whose points stay in the file until the selection asks for rows. The pool holds the
// dataset open: it must be gone before `file` closes.
ExamplePool read_pool(const io::File& file, const Hdf5Input& input, const std::string& x, const std::string& y,
                      bool required_y) {
  auto points = open_points(file, x);
  ExamplePool pool;
  pool.name = fmt::format("'{}' in {}", x, input.path);
  pool.count = points.shape[0];
  pool.dimension = points.shape[1];
  const auto rows = std::make_shared<const PointRows>(std::move(points), file.describe(absolute(x)));
  pool.copy_rows = [rows](std::span<const std::int64_t> wanted, std::span<double> out) { rows->copy(wanted, out); };
  pool.copy_row = [rows](std::int64_t row, std::span<double> out) { rows->copy(std::span(&row, 1), out); };
  if (input.targets == TargetMode::none) return pool;
  if (!file.exists(absolute(y))) {
    if (required_y) {
      throw std::invalid_argument(fmt::format("{}: data.targets = \"onehot\" but the file has no dataset '{}'",
                                              input.path, y));
    }
    return pool;
  }
  auto targets = read_targets(file, input, y);
  if (targets.count != pool.count) {
    throw std::invalid_argument(fmt::format("{}: '{}' has {} rows but '{}' has {}; they need one row per point",
                                            input.path, x, pool.count, y, targets.count));
  }
  if (input.targets == TargetMode::onehot) {
    pool.labels = as_labels(targets, input, y);
  } else {
    pool.targets = std::move(targets);
  }
  return pool;
}

Dataset read_locally(const Hdf5Input& input, const Selection& selection) {
  const mpi::Communicator self(MPI_COMM_SELF);
  const auto file = io::File::open_read_only(self, input.path);
  // The pools hold datasets open; they close before the file.
  DataPools pools;
  pools.origin = input.path;
  pools.train = read_pool(file, input, input.x_train, input.y_train, input.targets == TargetMode::onehot);
  if (input.test && file.exists(absolute(input.x_test))) {
    pools.test = read_pool(file, input, input.x_test, input.y_test, false);
  }
  auto dataset = select_dataset(pools, selection);
  if (selection.n_test != 0 && !pools.test) {
    dataset.description = fmt::format("no '{}' in the file, so no test points", input.x_test);
  }
  return dataset;
}

}  // namespace

Dataset read_hdf5_dataset(const mpi::Communicator& comm, const Hdf5Input& input, const Selection& selection) {
  std::optional<std::string> error;
  Dataset dataset;
  if (comm.is_root()) {
    // Whatever goes wrong reading the file is a problem with the input, seen by rank 0 alone:
    // it becomes one message on every rank (exit 1), never an abort.
    try {
      dataset = read_locally(input, selection);
    } catch (const std::exception& e) {
      error = e.what();
    }
  }
  mpi::raise_if_any(comm.handle(), error);
  return broadcast_dataset(comm, std::move(dataset));
}

Hdf5Shape read_hdf5_shape(const Hdf5Input& input) {
  const mpi::Communicator self(MPI_COMM_SELF);
  const auto file = io::File::open_read_only(self, input.path);
  Hdf5Shape shape;
  {
    const auto train = open_points(file, input.x_train);
    shape.train_rows = train.shape[0];
    shape.columns = train.shape[1];
  }
  if (input.test && file.exists(absolute(input.x_test))) shape.test_rows = open_points(file, input.x_test).shape[0];
  return shape;
}

}  // namespace deepntk::data
