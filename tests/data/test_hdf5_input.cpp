// Input points from an HDF5 file: the rows used, the optional test set, and one clear
// message (on every rank) for each malformed request.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "deepntk/data/hdf5_input.hpp"
#include "deepntk/io/file.hpp"
#include "deepntk/io/replicated_array.hpp"
#include "deepntk/mpi/error.hpp"
#include "mpi_test_support.hpp"

namespace fs = std::filesystem;
using deepntk::data::Hdf5Input;
using deepntk::data::read_hdf5_dataset;
using deepntk::testing::world;

namespace {

fs::path scratch(const std::string& name) {
  return fs::path(boost::unit_test::framework::master_test_suite().argv[1]) /
         (name + ".ranks" + std::to_string(world().size()) + ".h5");
}

// x_train 6 x 3 with x[i][k] = i + k / 10, x_test 4 x 3, x_wide 2 x 5.
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
  file.close();
  return path;
}

std::string failure_of(const Hdf5Input& input) {
  try {
    (void)read_hdf5_dataset(world(), input);
  } catch (const deepntk::mpi::CollectiveError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

BOOST_AUTO_TEST_CASE(reads_the_first_rows) {
  const auto path = make_input();
  const auto dataset = read_hdf5_dataset(world(), {path.string(), "x_train", "x_test", 4, 2});
  BOOST_TEST(dataset.train.count == 4);
  BOOST_TEST(dataset.train.dimension == 3);
  BOOST_TEST(dataset.train.point(3)[2] == 3.2);
  BOOST_TEST(dataset.test.count == 2);
  BOOST_TEST(dataset.test.point(1)[1] == -2.1);
  // No test set in the file: the run goes on without test points and says so.
  const auto no_test = read_hdf5_dataset(world(), {path.string(), "x_train", "nothing_here", 6, 5});
  BOOST_TEST(no_test.test.count == 0);
  BOOST_TEST(no_test.description.find("no 'nothing_here'") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(bad_requests_are_named) {
  const auto path = make_input();
  const auto too_many = failure_of({path.string(), "x_train", "x_test", 7, 0});
  BOOST_TEST(too_many.find("has 6 rows but data.n_train = 7") != std::string::npos, too_many);
  const auto mismatch = failure_of({path.string(), "x_train", "x_wide", 3, 1});
  BOOST_TEST(mismatch.find("same dimension") != std::string::npos, mismatch);
  const auto missing = failure_of({path.string(), "x_nope", "x_test", 3, 1});
  BOOST_TEST(missing.find("x_nope") != std::string::npos, missing);
  const auto no_file = failure_of({(path.parent_path() / "absent.h5").string(), "x_train", "x_test", 3, 1});
  BOOST_TEST(no_file.find("absent.h5") != std::string::npos, no_file);
}
