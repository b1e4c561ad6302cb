// The block-cyclic index maps against a brute-force dealing of blocks to processes.
#include <boost/test/unit_test.hpp>

#include <map>
#include <tuple>
#include <utility>
#include <vector>

#include "deepntk/grid/process_grid.hpp"
#include "deepntk/matrix/block_cyclic.hpp"
#include "deepntk/matrix/distribution.hpp"
#include "deepntk/matrix/lower_triangle_count.hpp"

using deepntk::grid::GridShape;
using deepntk::matrix::BlockCyclic1D;
using deepntk::matrix::Distribution;
using deepntk::matrix::GlobalIndex;
using deepntk::matrix::LocalIndex;

namespace {

// Deal blocks round robin and append each block's entries to its process's list: the
// definition of block-cyclic, with no arithmetic shortcuts.
std::vector<std::vector<std::int64_t>> deal(std::int64_t n, std::int64_t nb, int procs) {
  std::vector<std::vector<std::int64_t>> owned(static_cast<std::size_t>(procs));
  for (std::int64_t start = 0, block = 0; start < n; start += nb, ++block) {
    auto& list = owned[static_cast<std::size_t>(block % procs)];
    for (std::int64_t g = start; g < std::min(n, start + nb); ++g) list.push_back(g);
  }
  return owned;
}

void check_against_brute_force(std::int64_t n, std::int64_t nb, int procs) {
  BOOST_TEST_CONTEXT("n=" << n << " nb=" << nb << " procs=" << procs) {
    const BlockCyclic1D map(n, nb, procs);
    const auto owned = deal(n, nb, procs);
    std::int64_t total = 0;
    for (int p = 0; p < procs; ++p) {
      const auto& list = owned[static_cast<std::size_t>(p)];
      BOOST_TEST(map.local_extent(p) == static_cast<std::int64_t>(list.size()));
      total += map.local_extent(p);
      for (std::size_t l = 0; l < list.size(); ++l) {
        const GlobalIndex g(list[l]);
        BOOST_TEST(map.owner(g) == p);
        BOOST_TEST(map.to_local(g).value() == static_cast<std::int64_t>(l));
        BOOST_TEST(map.to_global(LocalIndex(static_cast<std::int64_t>(l)), p).value() == list[l]);
      }
    }
    BOOST_TEST(total == n);
    BOOST_TEST(map.local_extent(procs) == 0);
    BOOST_TEST(map.local_extent(-1) == 0);
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(one_dimensional_maps_match_brute_force) {
  // multiples of the block, ragged last blocks, n < nb, more processes than blocks, n = 0
  for (std::int64_t n : {0, 1, 5, 7, 16, 17, 63, 64, 65, 100, 257})
    for (std::int64_t nb : {1, 2, 3, 8, 64, 100})
      for (int procs : {1, 2, 3, 4, 5, 7}) check_against_brute_force(n, nb, procs);
}

BOOST_AUTO_TEST_CASE(two_dimensional_distribution_covers_every_entry_once) {
  for (GridShape shape : {GridShape{1, 1}, GridShape{1, 2}, GridShape{2, 1}, GridShape{2, 2}, GridShape{1, 3}}) {
    for (auto [rows, cols, nb] : {std::tuple<std::int64_t, std::int64_t, std::int64_t>{10, 7, 3}, {5, 5, 8},
                                  {33, 17, 4}, {2, 9, 1}}) {
      BOOST_TEST_CONTEXT("grid " << shape.rows << "x" << shape.cols << " matrix " << rows << "x" << cols << " nb "
                                 << nb) {
        const Distribution dist(rows, cols, nb, nb, shape);
        std::map<std::pair<std::int64_t, std::int64_t>, int> seen;
        for (int pr = 0; pr < shape.rows; ++pr)
          for (int pc = 0; pc < shape.cols; ++pc)
            for (std::int64_t lc = 0; lc < dist.local_cols(pc); ++lc)
              for (std::int64_t lr = 0; lr < dist.local_rows(pr); ++lr) {
                const auto gr = dist.row_map().to_global(LocalIndex(lr), pr).value();
                const auto gc = dist.col_map().to_global(LocalIndex(lc), pc).value();
                ++seen[{gr, gc}];
              }
        BOOST_TEST(static_cast<std::int64_t>(seen.size()) == rows * cols);
        for (const auto& [entry, count] : seen) {
          BOOST_TEST(count == 1);
          BOOST_TEST(entry.first < rows);
          BOOST_TEST(entry.second < cols);
        }
        const auto desc = dist.descriptor(7, 0);
        BOOST_TEST(desc[0] == 1);
        BOOST_TEST(desc[1] == 7);
        BOOST_TEST(desc[2] == rows);
        BOOST_TEST(desc[3] == cols);
        BOOST_TEST(desc[8] == std::max<std::int64_t>(1, dist.local_rows(0)));
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(most_square_shapes) {
  BOOST_TEST((deepntk::grid::most_square_shape(1) == GridShape{1, 1}));
  BOOST_TEST((deepntk::grid::most_square_shape(2) == GridShape{1, 2}));
  BOOST_TEST((deepntk::grid::most_square_shape(3) == GridShape{1, 3}));
  BOOST_TEST((deepntk::grid::most_square_shape(4) == GridShape{2, 2}));
  BOOST_TEST((deepntk::grid::most_square_shape(6) == GridShape{2, 3}));
  BOOST_TEST((deepntk::grid::most_square_shape(7) == GridShape{1, 7}));
  BOOST_TEST((deepntk::grid::most_square_shape(12) == GridShape{3, 4}));
  BOOST_TEST((deepntk::grid::most_square_shape(16) == GridShape{4, 4}));
  BOOST_CHECK_THROW((void)deepntk::grid::most_square_shape(0), std::invalid_argument);
  BOOST_CHECK_THROW(BlockCyclic1D(10, 0, 2), std::invalid_argument);
}

// The arithmetic lower-triangle count of process (0, 0) against counting the dealt rows and
// columns pair by pair, over ragged and unragged sizes and grids of 1..5 x 1..5.
BOOST_AUTO_TEST_CASE(lower_triangle_count_matches_the_dealt_pairs) {
  for (std::int64_t n = 0; n <= 41; ++n) {
    for (std::int64_t nb = 1; nb <= 9; ++nb) {
      for (int p = 1; p <= 5; ++p) {
        for (int q = 1; q <= 5; ++q) {
          const auto rows = deal(n, nb, p)[0], cols = deal(n, nb, q)[0];
          std::int64_t expected = 0;
          for (const auto i : rows)
            for (const auto j : cols) expected += i >= j ? 1 : 0;
          BOOST_TEST(deepntk::matrix::lower_triangle_count_at_origin(n, nb, p, q) == expected,
                     "n " << n << " nb " << nb << " grid " << p << "x" << q);
        }
      }
    }
  }
}

// The documented maximum n_train: exact, immediate, and no memory in n (the plan listed the
// rows before: 17 GB); a count beyond 64 bits is a SizeOverflow, not a wrapped number.
BOOST_AUTO_TEST_CASE(lower_triangle_count_at_the_largest_n) {
  constexpr std::int64_t n = 2147483647;
  BOOST_TEST(deepntk::matrix::lower_triangle_count_at_origin(n, 64, 1, 1) == n * ((n + 1) / 2));
  BOOST_TEST(deepntk::matrix::lower_triangle_count_at_origin(n, 1, 1, 1) == n * ((n + 1) / 2));
  // 2 x 1 with nb = 1: the even rows i hold j <= i, (i + 1) pairs each.
  const std::int64_t evens = (n + 1) / 2;  // 0, 2, ..., n - 1
  BOOST_TEST(deepntk::matrix::lower_triangle_count_at_origin(n, 1, 2, 1) == evens * evens);
}
