// A distributed matrix on every grid shape that fits the run: fill by global index, gather,
// compare; ranks outside the grid own nothing; the grid is freed with its last matrix.
#include <boost/test/unit_test.hpp>

#include <vector>

#include "deepntk/matrix/distributed_matrix.hpp"
#include "mpi_test_support.hpp"

using deepntk::grid::GridShape;
using deepntk::matrix::DistributedMatrix;
using deepntk::matrix::GlobalIndex;
using deepntk::matrix::LocalIndex;
using deepntk::testing::make_grid;
using deepntk::testing::world;

namespace {
double entry(std::int64_t i, std::int64_t j) { return static_cast<double>(i) * 1000.0 + static_cast<double>(j) + 0.25; }
}  // namespace

BOOST_AUTO_TEST_CASE(fill_and_gather_on_every_grid) {
  for (GridShape shape : {GridShape{1, 1}, GridShape{1, 2}, GridShape{2, 1}, GridShape{2, 2}, GridShape{1, 3}}) {
    if (shape.cells() > world().size()) continue;
    auto grid = make_grid(shape);
    for (auto [rows, cols, nb] : {std::tuple<std::int64_t, std::int64_t, std::int64_t>{10, 7, 3}, {5, 5, 8}, {37, 41, 4}}) {
      BOOST_TEST_CONTEXT("grid " << grid->describe() << " matrix " << rows << "x" << cols << " nb " << nb) {
        DistributedMatrix m(grid, rows, cols, nb);
        m.fill([](GlobalIndex i, GlobalIndex j) { return entry(i.value(), j.value()); });
        if (!grid->contains_me()) {
          BOOST_TEST(m.local_rows() * m.local_cols() == 0);
        }
        const auto whole = m.gather();
        bool all_equal = true;
        for (std::int64_t j = 0; j < cols; ++j)
          for (std::int64_t i = 0; i < rows; ++i) all_equal &= whole[static_cast<std::size_t>(i + j * rows)] == entry(i, j);
        BOOST_TEST(all_equal);
        // Local entries through the typed maps agree with the fill function.
        for (std::int64_t c = 0; c < m.local_cols(); ++c)
          for (std::int64_t r = 0; r < m.local_rows(); ++r)
            BOOST_TEST(m.at(LocalIndex(r), LocalIndex(c)) ==
                       entry(m.global_row(LocalIndex(r)).value(), m.global_col(LocalIndex(c)).value()));
        // Total owned entries across ranks equals the matrix size.
        BOOST_TEST(world().sum(m.local_rows() * m.local_cols()) == rows * cols);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(grid_shape_requests) {
  BOOST_CHECK_THROW(make_grid(GridShape{world().size() + 1, 1}), std::invalid_argument);
  auto automatic = make_grid();
  BOOST_TEST(automatic->shape().cells() == world().size());
  BOOST_TEST(automatic->contains_me());
  // A move keeps the context; the moved-from grid no longer owns it.
  deepntk::grid::ProcessGrid first(MPI_COMM_WORLD);
  const int context = first.context();
  deepntk::grid::ProcessGrid second(std::move(first));
  BOOST_TEST(second.context() == context);
  BOOST_TEST(first.context() == -1);  // NOLINT(bugprone-use-after-move): checking the moved-from state
}
