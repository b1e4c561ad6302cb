#pragma once
// The input Gram matrices, assembled distributed: K0 = X X^T / d (train x train) and
// K0 = X_test X^T / d (test x train). Every rank holds all points (Dataset is replicated) and
// computes its own local entries, each from its two points only (input_kernel_entry's sum in
// k order), so K0 is bit-identical on any grid and block size; no communication but, for
// large d, the mirror of the train triangle. Then, per local entry, the accurate input gap
// 1 - rho_0 that the depth recursion starts from.

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "deepntk/data/point_set.hpp"
#include "deepntk/grid/process_grid.hpp"
#include "deepntk/matrix/distributed_matrix.hpp"

namespace deepntk::data {

/// One Gram block's starting point for the depth sweep, in this rank's local layout
/// (column-major local_rows x local_cols of the distributed Gram matrix).
struct LocalInputBlock {
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  std::vector<double> row_k0_diagonal;  // K0(x, x) of each local row's point
  std::vector<double> col_k0_diagonal;  // K0(x, x) of each local column's point
  std::vector<double> gap;              // 1 - rho_0, column-major rows x cols
  std::vector<std::int64_t> row_points; // global point index of each local row
  std::vector<std::int64_t> col_points; // global point index of each local column
};

struct InputKernels {
  matrix::DistributedMatrix train;        // K0 train x train (both triangles)
  std::optional<matrix::DistributedMatrix> test;  // K0 test x train, when there are test points
  LocalInputBlock train_block;            // symmetric: entries above the diagonal are not filled
  std::optional<LocalInputBlock> test_block;
  std::vector<double> train_diagonal;     // K0(x, x) of every train point (replicated)
  std::vector<double> test_diagonal;      // K0(x, x) of every test point (replicated)
};

/// Points in fill_input_gram's two packed tiles (local rows, local columns): besides k0, it
/// holds input_gram_tile_points x d doubles.
inline constexpr std::int64_t input_gram_tile_rows = 128;
inline constexpr std::int64_t input_gram_tile_cols = 64;
inline constexpr std::int64_t input_gram_tile_points = input_gram_tile_rows + input_gram_tile_cols;

/// Above this input dimension the train Gram computes its lower triangle only and mirrors it
/// (PDTRAN through a transposed copy of the local matrix); up to it, computing the upper
/// entries directly is cheaper than the mirror (bench_input_gram, docs/performance.md). The
/// bits are the same either way: K0(x, y) and K0(y, x) are the same sum.
inline constexpr std::int64_t input_gram_direct_max_dimension = 512;
[[nodiscard]] constexpr bool input_gram_mirrors(std::int64_t dimension) {
  return dimension > input_gram_direct_max_dimension;
}

/// Sets every local entry (i, j) of `k0` to input_kernel_entry(rows.point(i), cols.point(j)):
/// each from its two points only, in k order, so the bits do not depend on the grid, the block
/// size or the tiling. With `lower_only` (k0 square, rows = cols), entries above the diagonal
/// may be left unset. Not collective.
void fill_input_gram(matrix::DistributedMatrix& k0, const PointSet& rows, const PointSet& cols, bool lower_only);

/// Assembles the input kernels of `dataset` on `grid` in blocks of `block` (collective).
[[nodiscard]] InputKernels assemble_input_kernels(const Dataset& dataset,
                                                  const std::shared_ptr<const grid::ProcessGrid>& grid,
                                                  std::int64_t block);

}  // namespace deepntk::data
