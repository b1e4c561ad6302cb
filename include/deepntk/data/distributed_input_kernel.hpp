#pragma once
// The input Gram matrices, assembled distributed: K0 = X X^T / d (train x train, lower
// triangle, PDSYRK) and K0 = X_test X^T / d (test x train, PDGEMM), from X distributed
// block-cyclically over the grid. Then, per local entry, the accurate input gap
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

/// Assembles the input kernels of `dataset` on `grid` in blocks of `block` (collective).
[[nodiscard]] InputKernels assemble_input_kernels(const Dataset& dataset,
                                                  const std::shared_ptr<const grid::ProcessGrid>& grid,
                                                  std::int64_t block);

}  // namespace deepntk::data
