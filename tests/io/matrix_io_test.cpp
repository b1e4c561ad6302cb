// Distributed matrix I/O on the ranks of this run (1, 2 or 4): every shape class (multiple
// of the block, ragged last block, non-square, smaller than one block, ranks outside the
// grid), read back on the same grid and on other grids and block sizes, the file layout
// checked row-major (K[i, j], not the transpose), collective I/O confirmed, and the errors.

#include <boost/test/unit_test.hpp>

#include <optional>
#include <string>
#include <vector>

#include "deepntk/io/file.hpp"
#include "deepntk/io/matrix_io.hpp"
#include "deepntk/io/replicated_array.hpp"
#include "deepntk/matrix/distributed_matrix.hpp"
#include "io_test_support.hpp"
#include "mpi_test_support.hpp"

using deepntk::grid::GridShape;
using deepntk::matrix::DistributedMatrix;
using deepntk::matrix::GlobalIndex;
namespace io = deepntk::io;
namespace testing = deepntk::testing;
using deepntk::io_test::collective_message;
using deepntk::io_test::contains;
using deepntk::io_test::entry;
using deepntk::io_test::wrong_entries;

namespace {

struct Case {
  std::string name;
  std::int64_t rows;
  std::int64_t cols;
  std::int64_t block;
  std::optional<GridShape> shape;  // nullopt: the most square grid on all ranks
  int min_ranks;
};

std::vector<Case> cases() {
  return {
      {"multiple_of_block", 16, 16, 4, std::nullopt, 1},
      {"ragged_last_block", 13, 13, 4, std::nullopt, 1},
      {"non_square", 13, 7, 3, std::nullopt, 1},
      {"smaller_than_block", 5, 3, 8, std::nullopt, 1},
      {"single_entry", 1, 1, 1, std::nullopt, 1},
      {"grid_1x3", 11, 9, 2, GridShape{1, 3}, 3},  // at 4 ranks, rank 3 is outside the grid
      {"grid_2x1", 10, 12, 3, GridShape{2, 1}, 2},
      {"grid_1x1", 9, 6, 2, GridShape{1, 1}, 1},  // at 2 and 4 ranks, only rank 0 owns entries
      {"no_rows", 0, 5, 2, std::nullopt, 1},
  };
}

DistributedMatrix test_matrix(std::shared_ptr<const deepntk::grid::ProcessGrid> grid, std::int64_t rows,
                              std::int64_t cols, std::int64_t block) {
  DistributedMatrix m(std::move(grid), rows, cols, block);
  m.fill([](GlobalIndex i, GlobalIndex j) { return entry(i.value(), j.value()); });
  return m;
}


}  // namespace

BOOST_AUTO_TEST_SUITE(matrix_io)

BOOST_AUTO_TEST_CASE(round_trip_on_any_grid_and_block) {
  const auto world = testing::world();
  const auto dir = deepntk::io_test::scratch_directory("matrix_io");
  auto file = io::File::create(world, dir / "round_trip.h5");
  const std::vector<std::optional<GridShape>> read_shapes = {std::nullopt, GridShape{1, world.size()},
                                                             GridShape{world.size(), 1}};
  for (const auto& c : cases()) {
    if (!testing::world_has(c.min_ranks)) continue;
    BOOST_TEST_CONTEXT(c.name << " " << c.rows << "x" << c.cols << " block " << c.block) {
      const auto grid = testing::make_grid(c.shape);
      const auto written = test_matrix(grid, c.rows, c.cols, c.block);
      const std::string path = "/matrices/" + c.name;
      const auto write_report = io::write_matrix(file, path, written);
      BOOST_TEST(write_report.collective(), "write was " << write_report.describe());

      DistributedMatrix same(grid, c.rows, c.cols, c.block);
      const auto read_report = io::read_matrix(file, path, same);
      BOOST_TEST(read_report.collective(), "read was " << read_report.describe());
      BOOST_TEST(wrong_entries(same) == 0);

      for (const auto& shape : read_shapes) {
        for (const std::int64_t block : {std::int64_t{1}, c.block + 1, std::int64_t{5}}) {
          DistributedMatrix other(testing::make_grid(shape), c.rows, c.cols, block);
          io::read_matrix(file, path, other);
          BOOST_TEST(wrong_entries(other) == 0, "read on grid " << other.grid().describe() << " block " << block);
        }
      }

      // The file itself is row-major: element (i, j) of the dataset is entry(i, j).
      const auto whole = io::read_double_array(file, path, 2);
      BOOST_TEST((whole.shape == io::Shape{c.rows, c.cols}));
      std::int64_t wrong = 0;
      for (std::int64_t i = 0; i < c.rows; ++i)
        for (std::int64_t j = 0; j < c.cols; ++j)
          if (whole(i, j) != entry(i, j)) ++wrong;
      BOOST_TEST(wrong == 0);
    }
  }
}

BOOST_AUTO_TEST_CASE(a_matrix_nobody_wrote_is_not_what_we_read) {
  // Guards the comparisons above: a zero matrix must fail them.
  const auto grid = testing::make_grid();
  DistributedMatrix zero(grid, 6, 4, 2);
  BOOST_TEST(wrong_entries(zero) == 24);
}

BOOST_AUTO_TEST_CASE(reads_any_floating_type) {
  const auto world = testing::world();
  const auto dir = deepntk::io_test::scratch_directory("matrix_io_types");
  auto file = io::File::create(world, dir / "types.h5");
  const std::int64_t rows = 7;
  const std::int64_t cols = 5;
  std::vector<float> single;  // entry(i, j) is exact in single precision at this size
  for (std::int64_t i = 0; i < rows; ++i)
    for (std::int64_t j = 0; j < cols; ++j) single.push_back(static_cast<float>(entry(i, j)));
  deepntk::io_test::write_foreign_dataset(file, "/single", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT,
                                          {static_cast<hsize_t>(rows), static_cast<hsize_t>(cols)}, single.data());
  DistributedMatrix m(testing::make_grid(), rows, cols, 2);
  const auto report = io::read_matrix(file, "/single", m);
  BOOST_TEST_MESSAGE("float32 -> double read: " << report.describe());
  BOOST_TEST(wrong_entries(m) == 0);

  std::vector<int> integers(static_cast<std::size_t>(rows * cols), 3);
  deepntk::io_test::write_foreign_dataset(file, "/integers", H5T_STD_I32LE, H5T_NATIVE_INT,
                                          {static_cast<hsize_t>(rows), static_cast<hsize_t>(cols)}, integers.data());
  const auto message = collective_message([&] { io::read_matrix(file, "/integers", m); });
  BOOST_TEST_MESSAGE("integer dataset: " << message);
  BOOST_TEST(contains(message, "'/integers'"));
  BOOST_TEST(contains(message, "32-bit integer"));
  BOOST_TEST(contains(message, "floating-point"));
}

BOOST_AUTO_TEST_CASE(errors_name_the_dataset_and_the_problem) {
  const auto world = testing::world();
  const auto dir = deepntk::io_test::scratch_directory("matrix_io_errors");
  auto file = io::File::create(world, dir / "errors.h5");
  const auto grid = testing::make_grid();
  io::write_matrix(file, "/kernels/k", test_matrix(grid, 6, 5, 2));

  DistributedMatrix transposed(grid, 5, 6, 2);
  const auto mismatch = collective_message([&] { io::read_matrix(file, "/kernels/k", transposed); });
  BOOST_TEST_MESSAGE("shape mismatch: " << mismatch);
  BOOST_TEST(contains(mismatch, "'/kernels/k'"));
  BOOST_TEST(contains(mismatch, "errors.h5"));
  BOOST_TEST(contains(mismatch, "6 x 5"));
  BOOST_TEST(contains(mismatch, "5 x 6"));

  const auto missing = collective_message([&] { io::read_matrix(file, "/kernels/missing", transposed); });
  BOOST_TEST_MESSAGE("missing: " << missing);
  BOOST_TEST(contains(missing, "dataset '/kernels/missing' not found"));
  BOOST_TEST(contains(missing, "errors.h5"));

  const auto missing_parent = collective_message([&] { io::read_matrix(file, "/nothing/here", transposed); });
  BOOST_TEST(contains(missing_parent, "dataset '/nothing/here' not found"));

  const auto twice = collective_message([&] { io::write_matrix(file, "/kernels/k", test_matrix(grid, 6, 5, 2)); });
  BOOST_TEST_MESSAGE("existing: " << twice);
  BOOST_TEST(contains(twice, "'/kernels/k'"));
  BOOST_TEST(contains(twice, "already exists"));

  const auto relative = collective_message([&] { io::write_matrix(file, "kernels/x", test_matrix(grid, 2, 2, 2)); });
  BOOST_TEST(contains(relative, "must be absolute"));

  // After all these errors the file is still consistent and usable on every rank.
  DistributedMatrix again(grid, 6, 5, 3);
  io::read_matrix(file, "/kernels/k", again);
  BOOST_TEST(wrong_entries(again) == 0);
  file.close();
  BOOST_TEST(!file.is_open());
}

BOOST_AUTO_TEST_SUITE_END()
