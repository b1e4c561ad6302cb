#include "deepntk/data/hdf5_input.hpp"

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
  dataset.description = fmt::format("hdf5: {} train points of dimension {} from {}:{}, {}", input.n_train,
                                    x_train.shape[1], input.path, input.x_train, test_note);
  return dataset;
}

}  // namespace deepntk::data
