// The distributed input Gram (data/distributed_input_kernel.cpp) on every grid shape of the
// world and several block sizes: every local entry of K0, train x train (both triangles) and
// test x train, is input_kernel_entry of its two points bit for bit, so K0 cannot depend on the
// grid; its diagonal is train_diagonal bit for bit, and so are the row and column K0 values
// the sweep gets (K0(x, x) of every local row and column); every gap is input_gap of its
// entry and the two diagonals (near-duplicate pairs included).
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstring>
#include <vector>

#include "deepntk/data/distributed_input_kernel.hpp"
#include "deepntk/data/input_kernel.hpp"
#include "mpi_test_support.hpp"

using namespace deepntk;
using matrix::LocalIndex;

namespace {

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// count x d values of mixed signs and magnitudes; point 5 is point 2 moved by ~1e-9.
data::PointSet points(std::int64_t count, std::int64_t d, double phase) {
  data::PointSet p{count, d, {}};
  for (std::int64_t i = 0; i < count; ++i)
    for (std::int64_t k = 0; k < d; ++k)
      p.values.push_back(std::sin(phase + 0.37 * i + 1.3 * k + 0.011 * i * k) * (1 + k % 5));
  if (count > 5)
    for (std::int64_t k = 0; k < d; ++k)
      p.values[static_cast<std::size_t>(5 * d + k)] =
          p.values[static_cast<std::size_t>(2 * d + k)] * (1 + 1e-9 * (k % 3));
  return p;
}

// Every local entry of k0 against the scalar definition; the gaps of `block` against input_gap.
void check(const matrix::DistributedMatrix& k0, const data::LocalInputBlock& block, const data::PointSet& rows,
           const data::PointSet& cols, bool symmetric) {
  int wrong_entries = 0, wrong_gaps = 0, wrong_diagonals = 0;
  // The sweep's per-point K0 of every local row and column: K0(x, x) exactly.
  for (std::int64_t r = 0; r < block.rows; ++r) {
    const auto x = rows.point(block.row_points[static_cast<std::size_t>(r)]);
    const double stored = block.row_k0_diagonal[static_cast<std::size_t>(r)];
    if (!same_bits(stored, data::input_kernel_entry(x, x))) ++wrong_diagonals;
  }
  for (std::int64_t c = 0; c < block.cols; ++c) {
    const auto y = cols.point(block.col_points[static_cast<std::size_t>(c)]);
    const double stored = block.col_k0_diagonal[static_cast<std::size_t>(c)];
    if (!same_bits(stored, data::input_kernel_entry(y, y))) ++wrong_diagonals;
  }
  for (std::int64_t c = 0; c < k0.local_cols(); ++c) {
    const auto j = k0.global_col(LocalIndex(c)).value();
    for (std::int64_t r = 0; r < k0.local_rows(); ++r) {
      const auto i = k0.global_row(LocalIndex(r)).value();
      const double entry = k0.at(LocalIndex(r), LocalIndex(c));
      if (!same_bits(entry, data::input_kernel_entry(rows.point(i), cols.point(j)))) ++wrong_entries;
      if (symmetric && i <= j) continue;
      const double gap =
          data::input_gap(entry, block.row_k0_diagonal[static_cast<std::size_t>(r)],
                          block.col_k0_diagonal[static_cast<std::size_t>(c)], rows.point(i), cols.point(j));
      if (!same_bits(gap, block.gap[static_cast<std::size_t>(r + c * block.rows)])) ++wrong_gaps;
    }
  }
  BOOST_TEST(wrong_entries == 0);
  BOOST_TEST(wrong_gaps == 0);
  BOOST_TEST(wrong_diagonals == 0);
}

}  // namespace

BOOST_AUTO_TEST_CASE(k0_is_the_scalar_definition_on_every_grid) {
  const int ranks = testing::world().size();
  std::vector<grid::GridShape> shapes{grid::most_square_shape(ranks)};
  if (ranks > 1) shapes.push_back({ranks, 1});
  if (ranks == 4) shapes.push_back({1, 4});
  // Small tiles with ragged groups; d = 600: the lower triangle and its mirror (above
  // input_gram_direct_max_dimension); local extents over one tile (128 x 64, several tiles).
  struct Case {
    std::int64_t n, m, d;
  };
  const Case cases[] = {{45, 13, 1}, {45, 13, 37}, {45, 13, 300}, {45, 13, 600}, {300, 140, 37}};
  for (const auto [n, m, d] : cases) {
    data::Dataset dataset;
    dataset.train = points(n, d, 0.1);
    dataset.test = points(m, d, 2.0);
    const auto train_diagonal = data::input_kernel_diagonal(dataset.train);
    for (const auto shape : shapes) {
      const auto grid = testing::make_grid(shape);
      for (const std::int64_t block : {3, 8, 16, 64}) {
        BOOST_TEST_CONTEXT("n " << n << ", d " << d << ", grid " << shape.rows << "x" << shape.cols << ", block "
                                << block) {
          const auto k0 = data::assemble_input_kernels(dataset, grid, block);
          check(k0.train, k0.train_block, dataset.train, dataset.train, true);
          check(*k0.test, *k0.test_block, dataset.test, dataset.train, false);
          int wrong_diagonal = 0;
          for (std::int64_t c = 0; c < k0.train.local_cols(); ++c) {
            const auto j = k0.train.global_col(LocalIndex(c)).value();
            for (std::int64_t r = 0; r < k0.train.local_rows(); ++r) {
              if (k0.train.global_row(LocalIndex(r)).value() != j) continue;
              if (!same_bits(k0.train.at(LocalIndex(r), LocalIndex(c)), train_diagonal[static_cast<std::size_t>(j)]))
                ++wrong_diagonal;
            }
          }
          BOOST_TEST(wrong_diagonal == 0);
          BOOST_TEST(k0.train_diagonal == train_diagonal);
          BOOST_TEST(k0.test_diagonal == data::input_kernel_diagonal(dataset.test));
        }
      }
    }
  }
}
