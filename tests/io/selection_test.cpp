// The block-cyclic hyperslab decomposition against brute force: every entry a process owns
// is selected exactly once, nothing else is, and there are at most two pieces per dimension
// (so at most four hyperslabs per rank).

#include <boost/test/unit_test.hpp>

#include <set>
#include <tuple>
#include <utility>

#include "deepntk/io/block_cyclic_selection.hpp"

using deepntk::io::owned_hyperslabs;
using deepntk::io::owned_pieces;
using deepntk::matrix::BlockCyclic1D;
using deepntk::matrix::Distribution;
using deepntk::matrix::GlobalIndex;

BOOST_AUTO_TEST_SUITE(block_cyclic_selection)

BOOST_AUTO_TEST_CASE(one_dimension_matches_brute_force) {
  int cases = 0;
  for (std::int64_t extent = 0; extent <= 23; ++extent) {
    for (std::int64_t block = 1; block <= 9; ++block) {
      for (int procs = 1; procs <= 5; ++procs) {
        const BlockCyclic1D map(extent, block, procs);
        for (int proc = 0; proc < procs; ++proc) {
          std::set<std::int64_t> expected;
          for (std::int64_t g = 0; g < extent; ++g)
            if (map.owner(GlobalIndex(g)) == proc) expected.insert(g);

          const auto pieces = owned_pieces(map, proc);
          BOOST_TEST(pieces.size() <= 2u);
          std::set<std::int64_t> selected;
          std::int64_t last = -1;
          std::int64_t total = 0;
          for (const auto& piece : pieces) {
            BOOST_TEST(piece.count >= 1);
            BOOST_TEST(piece.block >= 1);
            BOOST_TEST(piece.stride >= piece.block);  // HDF5 rejects overlapping blocks
            for (std::int64_t k = 0; k < piece.count; ++k)
              for (std::int64_t j = 0; j < piece.block; ++j) {
                const std::int64_t g = piece.start + k * piece.stride + j;
                BOOST_TEST(g > last);  // ascending: HDF5 order equals local order
                last = g;
                selected.insert(g);
                ++total;
              }
          }
          BOOST_TEST(total == static_cast<std::int64_t>(selected.size()));  // no entry twice
          BOOST_TEST((selected == expected), "extent " << extent << " block " << block << " procs " << procs
                                                       << " proc " << proc);
          BOOST_TEST(total == map.local_extent(proc));
          ++cases;
        }
      }
    }
  }
  BOOST_TEST(cases > 1000);
}

BOOST_AUTO_TEST_CASE(outside_the_grid_owns_nothing) {
  const BlockCyclic1D map(10, 3, 2);
  BOOST_TEST(owned_pieces(map, -1).empty());
  BOOST_TEST(owned_pieces(map, 2).empty());
  const Distribution dist(10, 7, 3, 3, {1, 3});
  BOOST_TEST(owned_hyperslabs(dist, -1, -1).empty());
}

BOOST_AUTO_TEST_CASE(two_dimensions_cover_exactly_the_owned_entries) {
  for (const auto shape : {deepntk::grid::GridShape{1, 1}, {1, 3}, {2, 1}, {2, 2}, {3, 2}}) {
    for (const auto& [rows, cols, block] : {std::tuple<std::int64_t, std::int64_t, std::int64_t>{13, 10, 4},
                                            {16, 16, 4}, {5, 3, 8}, {1, 1, 1}, {9, 17, 2}}) {
      const Distribution dist(rows, cols, block, block, shape);
      std::set<std::pair<std::int64_t, std::int64_t>> seen;
      for (int pr = 0; pr < shape.rows; ++pr) {
        for (int pc = 0; pc < shape.cols; ++pc) {
          const auto slabs = owned_hyperslabs(dist, pr, pc);
          BOOST_TEST(slabs.size() <= 4u);
          std::int64_t count = 0;
          for (const auto& slab : slabs)
            for (std::int64_t a = 0; a < slab.rows.count; ++a)
              for (std::int64_t i = 0; i < slab.rows.block; ++i)
                for (std::int64_t b = 0; b < slab.cols.count; ++b)
                  for (std::int64_t j = 0; j < slab.cols.block; ++j) {
                    const std::int64_t r = slab.rows.start + a * slab.rows.stride + i;
                    const std::int64_t c = slab.cols.start + b * slab.cols.stride + j;
                    BOOST_TEST(dist.row_map().owner(GlobalIndex(r)) == pr);
                    BOOST_TEST(dist.col_map().owner(GlobalIndex(c)) == pc);
                    BOOST_TEST(seen.insert({r, c}).second);  // owned by one process, selected once
                    ++count;
                  }
          BOOST_TEST(count == dist.local_rows(pr) * dist.local_cols(pc));
        }
      }
      BOOST_TEST(static_cast<std::int64_t>(seen.size()) == rows * cols);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
