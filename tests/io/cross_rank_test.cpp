// A file written on one rank count reads back on others. ctest runs `write_fixture` at 4
// ranks (FIXTURES_SETUP), then `read_fixture` at 1 and 2 ranks and tests/io/check_layout.py
// in h5py (FIXTURES_REQUIRED). The file path comes after `--` on the command line.
//
// The fixture file:
//   /kernels/ntk/10/train  13 x 10, block 4, most-square grid (2x2 at 4 ranks)
//   /square                12 x 12, block 5, grid 1x3 (at 4 ranks, rank 3 owns nothing)
//   /depths                int64 [1, 2, 5, 10]
//   root attributes        version (string), ranks (int64), sigma_w (double),
//                          grid (int64 array), weights (double array)
// with entry (i, j) = i * 1000 + j + 0.5 in both matrices.

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "deepntk/io/atomic_output.hpp"
#include "deepntk/io/attributes.hpp"
#include "deepntk/io/file.hpp"
#include "deepntk/io/matrix_io.hpp"
#include "deepntk/io/replicated_array.hpp"
#include "deepntk/matrix/distributed_matrix.hpp"
#include "io_test_support.hpp"
#include "mpi_test_support.hpp"

namespace io = deepntk::io;
namespace testing = deepntk::testing;
using deepntk::grid::GridShape;
using deepntk::io_test::entry;
using deepntk::io_test::wrong_entries;
using deepntk::matrix::DistributedMatrix;
using deepntk::matrix::GlobalIndex;

namespace {

std::filesystem::path fixture_path() {
  const auto& suite = boost::unit_test::framework::master_test_suite();
  if (suite.argc < 2) throw std::invalid_argument("usage: io.cross_rank --run_test=<case> -- <file.h5>");
  return suite.argv[suite.argc - 1];
}

struct MatrixSpec {
  const char* path;
  std::int64_t rows;
  std::int64_t cols;
};
constexpr MatrixSpec kernel{"/kernels/ntk/10/train", 13, 10};
constexpr MatrixSpec square{"/square", 12, 12};


}  // namespace

BOOST_AUTO_TEST_SUITE(cross_rank)

BOOST_AUTO_TEST_CASE(write_fixture) {
  const auto world = testing::world();
  BOOST_TEST_REQUIRE(world.size() == 4);  // the point is a rank count the readers do not use
  io::AtomicOutput output(world, fixture_path(), true);
  auto& file = output.file();

  DistributedMatrix k(testing::make_grid(), kernel.rows, kernel.cols, 4);
  k.fill([](GlobalIndex i, GlobalIndex j) { return entry(i.value(), j.value()); });
  const auto report = io::write_matrix(file, kernel.path, k);
  BOOST_TEST(report.collective(), report.describe());

  DistributedMatrix s(testing::make_grid(GridShape{1, 3}), square.rows, square.cols, 5);
  s.fill([](GlobalIndex i, GlobalIndex j) { return entry(i.value(), j.value()); });
  BOOST_TEST(io::write_matrix(file, square.path, s).collective());

  io::write_vector(file, "/depths", std::vector<std::int64_t>{1, 2, 5, 10});
  io::write_attribute(file, "/", "version", "0.1.0");
  io::write_attribute(file, "/", "ranks", world.size());
  io::write_attribute(file, "/", "sigma_w", 1.5);
  io::write_attribute(file, "/", "grid", std::vector<std::int64_t>{2, 2});
  io::write_attribute(file, "/", "weights", std::vector<double>{0.25, -4.0});
  output.commit();
}

BOOST_AUTO_TEST_CASE(read_fixture) {
  const auto world = testing::world();
  auto file = io::File::open_read_only(world, fixture_path());
  BOOST_TEST(io::read_attribute<std::int64_t>(file, "/", "ranks") == 4);  // really from another rank count
  BOOST_TEST(world.size() != 4);
  for (const auto& spec : {kernel, square}) {
    for (const std::int64_t block : {1, 2, 3, 7, 16}) {
      for (const auto& shape : {std::optional<GridShape>{}, std::optional<GridShape>{GridShape{world.size(), 1}}}) {
        DistributedMatrix m(testing::make_grid(shape), spec.rows, spec.cols, block);
        const auto report = io::read_matrix(file, spec.path, m);
        BOOST_TEST(report.collective(), report.describe());
        BOOST_TEST(wrong_entries(m) == 0, spec.path << " on grid " << m.grid().describe() << " block " << block);
      }
    }
  }
  const auto depths = io::read_int64_array(file, "/depths", 1);
  BOOST_TEST(depths.values == (std::vector<std::int64_t>{1, 2, 5, 10}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()
