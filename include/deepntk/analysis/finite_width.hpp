#pragma once
// How far a Monte-Carlo kernel of finite-width networks is from a reference kernel (the
// analytic infinite-width one of the same network), judged by its own standard errors: the
// numbers that say whether, and how fast, the bounded-width kernel approaches the reference
// (docs/kernels.md §Finite-width networks, docs/output-format.md).
//
// Over the pairs i >= j of the symmetric n x n matrices (the lower triangle and the diagonal):
//   relative_distance = ||M − K||_F / ||K||_F   (both triangles counted, as for the full matrix)
//   z_ij = (M_ij − K_ij) / SE_ij                 (entries with SE_ij = 0 are left out of z)
// If M is an unbiased estimate of K and SE its standard error, z has mean ≈ 0 and rms ≈ 1; a
// bounded-width kernel that differs from the infinite-width one shows |z| growing with the
// number of networks. Reductions as in diagnostics.hpp (rank-ordered compensated sums; counts
// and extremes exact).

#include <array>
#include <cstdint>
#include <vector>

#include "deepntk/matrix/distributed_matrix.hpp"

namespace deepntk::analysis {

/// Edges of the z histogram: bins (-inf, -4), [-4, -3), ..., [3, 4), [4, inf).
inline constexpr std::array<double, 9> z_histogram_edges{-4, -3, -2, -1, 0, 1, 2, 3, 4};

struct FiniteWidthComparison {
  std::int64_t pairs = 0;        ///< pairs i >= j compared
  std::int64_t z_pairs = 0;      ///< of them with SE > 0
  double relative_distance = 0;  ///< ||M − K||_F / ||K||_F
  double z_mean = 0, z_rms = 0, z_max_abs = 0;
  double fraction_above_3 = 0;   ///< of z_pairs with |z| > 3
  std::vector<std::int64_t> z_histogram;  ///< z_histogram_edges.size() + 1 counts
};

/// Collective. `mean`, `standard_error` and `reference` are n x n on the same grid and blocks,
/// their lower triangles and diagonals read.
[[nodiscard]] FiniteWidthComparison compare_with_reference(const matrix::DistributedMatrix& mean,
                                                           const matrix::DistributedMatrix& standard_error,
                                                           const matrix::DistributedMatrix& reference);

/// Collective. The mean of the entries i > j of the n x n `values` that are not NaN (strictly
/// lower triangle read; NaN when there is none), e.g. the across-network spread of each
/// normalized kernel entry (NaN where fewer than two networks gave it a value).
[[nodiscard]] double mean_offdiagonal(const matrix::DistributedMatrix& values);

}  // namespace deepntk::analysis
