// Input points from an HDF5 file (float64 and float32), targets and labels, the optional test
// set, subsets through data/selection.hpp, and one clear message (on every rank) for each
// malformed file or request.
#include <boost/test/unit_test.hpp>

#include <hdf5.h>

#include <filesystem>
#include <string>
#include <vector>

#include "deepntk/data/hdf5_input.hpp"
#include "deepntk/data/selection.hpp"
#include "deepntk/io/file.hpp"
#include "deepntk/io/replicated_array.hpp"
#include "deepntk/mpi/error.hpp"
#include "mpi_test_support.hpp"

namespace fs = std::filesystem;
using deepntk::data::Hdf5Input;
using deepntk::data::read_hdf5_dataset;
using deepntk::data::TargetMode;
using deepntk::testing::world;

namespace {

fs::path scratch(const std::string& name) {
  return fs::path(boost::unit_test::framework::master_test_suite().argv[1]) /
         (name + ".ranks" + std::to_string(world().size()) + ".h5");
}

// x_train 6 x 3 with x[i][k] = i + k / 10, x_test 4 x 3, x_wide 2 x 5, labels and values.
fs::path make_input() {
  const auto path = scratch("input");
  auto file = deepntk::io::File::create(world(), path, deepntk::io::IfExists::truncate);
  std::vector<double> train, test, wide(10, 1.0);
  for (int i = 0; i < 6; ++i)
    for (int k = 0; k < 3; ++k) train.push_back(i + k / 10.0);
  for (int i = 0; i < 4; ++i)
    for (int k = 0; k < 3; ++k) test.push_back(-i - k / 10.0 - 1);
  deepntk::io::write_array(file, "/x_train", train, {6, 3});
  deepntk::io::write_array(file, "/x_test", test, {4, 3});
  deepntk::io::write_array(file, "/x_wide", wide, {2, 5});
  const std::vector<std::int64_t> labels{0, 1, 2, 0, 1, 2}, test_labels{2, 1, 0, 0};
  deepntk::io::write_vector(file, "/y_train", std::span<const std::int64_t>(labels));
  deepntk::io::write_vector(file, "/y_test", std::span<const std::int64_t>(test_labels));
  const std::vector<double> values{0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5, 6};
  deepntk::io::write_array(file, "/y_values", values, {6, 2});
  deepntk::io::write_vector(file, "/y_short", std::span<const double>(values.data(), 5));
  file.close();
  return path;
}

// x_train as 32-bit floats (written with the HDF5 C API by rank 0: the io layer writes float64).
fs::path make_float32_input() {
  const auto path = scratch("float32");
  if (world().rank() == 0) {
    const float values[2][2] = {{0.1f, 2.5f}, {-3.25f, 1e-3f}};
    const hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    const hsize_t dims[2] = {2, 2};
    const hid_t space = H5Screate_simple(2, dims, nullptr);
    const hid_t set = H5Dcreate2(file, "x_train", H5T_IEEE_F32LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(set, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, values);
    H5Dclose(set);
    H5Sclose(space);
    H5Fclose(file);
  }
  MPI_Barrier(world().handle());
  return path;
}

std::string failure_of(const Hdf5Input& input, const deepntk::data::Selection& selection = {.n_train = 1}) {
  try {
    (void)read_hdf5_dataset(world(), input, selection);
  } catch (const deepntk::mpi::CollectiveError& e) {
    return e.what();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

}  // namespace

BOOST_AUTO_TEST_CASE(reads_points_labels_and_values) {
  const auto path = make_input().string();
  const auto d = read_hdf5_dataset(world(), {.path = path, .targets = TargetMode::onehot},
                                   {.n_train = 4, .n_test = 2, .labels = true});
  BOOST_TEST(d.train.count == 4);
  BOOST_TEST(d.train.dimension == 3);
  BOOST_TEST(d.y_train->values == (std::vector<double>{0, 1, 2, 0}), boost::test_tools::per_element());
  BOOST_TEST(d.train.point(3)[2] == 3.2);
  BOOST_TEST(d.test.point(1)[1] == -2.1);
  BOOST_TEST(d.classes == 3);
  BOOST_TEST(d.y_test->values == (std::vector<double>{2, 1}), boost::test_tools::per_element());

  const auto v = read_hdf5_dataset(world(), {.path = path, .y_train = "y_values", .test = false},
                                   {.n_train = 3, .n_test = 1, .targets = true});
  BOOST_TEST(v.test.count == 0);
  BOOST_TEST(v.y_train->dimension == 2);
  BOOST_TEST(v.y_train->values == (std::vector<double>{0.5, 1, 1.5, 2, 2.5, 3}), boost::test_tools::per_element());

  // No test set in the file: no test points.
  BOOST_TEST(read_hdf5_dataset(world(), {.path = path, .x_test = "nothing_here"}, {.n_train = 2, .n_test = 2})
                 .test.count == 0);

  // Every row, and a random subset: the rows chosen are read, in runs of consecutive rows.
  const auto all = read_hdf5_dataset(world(), {.path = path, .targets = TargetMode::none},
                                     {.n_train = deepntk::data::all_rows, .n_test = deepntk::data::all_rows});
  BOOST_TEST(all.train.count == 6);
  BOOST_TEST(all.test.count == 4);
  const auto random = read_hdf5_dataset(world(), {.path = path, .targets = TargetMode::none},
                                        {.n_train = 3, .rule = deepntk::data::SubsetRule::random, .seed = 5});
  for (std::int64_t i = 0; i < 3; ++i) {
    const auto row = random.train_index[static_cast<std::size_t>(i)];
    for (int k = 0; k < 3; ++k) BOOST_TEST(random.train.point(i)[static_cast<std::size_t>(k)] == row + k / 10.0);
  }
}

BOOST_AUTO_TEST_CASE(reads_float32_as_double) {
  const auto d = read_hdf5_dataset(world(), {.path = make_float32_input().string(), .targets = TargetMode::none},
                                   {.n_train = 2});
  BOOST_TEST(d.train.values == (std::vector<double>{0.1f, 2.5f, -3.25f, 1e-3f}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(bad_requests_are_named) {
  const auto path = make_input().string();
  const auto too_many = failure_of({.path = path}, {.n_train = 7});
  BOOST_TEST(too_many.find("'x_train' in " + path + " has 6 rows but 7 are asked for") != std::string::npos, too_many);
  const auto mismatch = failure_of({.path = path, .x_test = "x_wide", .targets = TargetMode::none},
                                   {.n_train = 3, .n_test = 1});
  BOOST_TEST(mismatch.find("same dimension") != std::string::npos, mismatch);
  const auto missing = failure_of({.path = path, .x_train = "x_nope"});
  BOOST_TEST(missing.find("x_nope") != std::string::npos, missing);
  const auto short_y = failure_of({.path = path, .y_train = "y_short"});
  BOOST_TEST(short_y.find("'x_train' has 6 rows but 'y_short' has 5") != std::string::npos, short_y);
  const auto no_labels = failure_of({.path = path, .y_train = "y_nope", .targets = TargetMode::onehot});
  BOOST_TEST(no_labels.find("no dataset 'y_nope'") != std::string::npos, no_labels);
  const auto not_integer = failure_of({.path = path, .y_train = "y_values", .targets = TargetMode::onehot});
  BOOST_TEST(not_integer.find("one integer label per point") != std::string::npos, not_integer);
  const auto no_file = failure_of({.path = (fs::path(path).parent_path() / "absent.h5").string()});
  BOOST_TEST(no_file.find("absent.h5") != std::string::npos, no_file);
}
