#pragma once
// Depth diagnostics: the quantities the depth literature argues about, cheap enough for every
// recorded depth (distributed reductions over local entries; O(n) and O(m) vectors are the
// largest things communicated).
//
// The normalized Gram N_ij = K_ij / sqrt(K_ii K_jj) has a unit diagonal. The papers' claims
// are about its off-diagonal part: the ReLU NNGP correlation tends to the all-ones matrix 11^T;
// the normalized NTK of the same network tends to (3/4) I + (1/4) 11^T instead, and the
// predictor weights Kt K^-1 to 1/(n + 3) each. So we report the distance of N to 11^T and to the
// best matrix of the form (1 - c) I + c 11^T. That family has unit diagonal, so
//     ||N - ((1 - c) I + c 11^T)||_F^2 = sum_{i != j} (N_ij - c)^2,
// minimized by c = the mean off-diagonal entry (closed form, no fit). Both sums are formed in
// two passes (mean, then squared deviations), never as sum N^2 - n(n-1) c^2, which cancels
// catastrophically exactly where it matters (N close to the model).
//
// Reductions: per-rank compensated partials, gathered and added in rank order (2 P numbers):
// results are identical on every rank and independent of the MPI implementation's reduction
// order; across grid shapes they agree to about one rounding. Minima and maxima are exact.
// Only the strictly lower triangle of K is read (the diagonal comes from `diagonal`, which
// deepntk computes bit-identically on every grid).

#include <cstdint>
#include <span>
#include <vector>

#include "deepntk/analysis/ridge.hpp"
#include "deepntk/matrix/distributed_matrix.hpp"

namespace deepntk::analysis {

struct NormalizedGramDiagnostics {
  std::int64_t size = 0;
  /// Over i != j of N_ij (NaN when n < 2: there is no off-diagonal entry).
  double min_offdiagonal = 0;
  double mean_offdiagonal = 0;
  double max_offdiagonal = 0;
  /// ||N - 11^T||_F = sqrt(sum_{i != j} (1 - N_ij)^2), and divided by ||11^T||_F = n.
  double distance_to_ones = 0;
  double relative_distance_to_ones = 0;
  /// The best c (= mean_offdiagonal) and ||N - ((1 - c) I + c 11^T)||_F, also divided by
  /// ||(1 - c) I + c 11^T||_F = sqrt(n + n (n - 1) c^2).
  double best_c = 0;
  double distance_to_best = 0;
  double relative_distance_to_best = 0;
};

/// Diagnostics of the symmetric kernel K (n x n, strictly lower triangle read) whose diagonal
/// K_ii is `diagonal` (n values > 0, the same on every rank).
[[nodiscard]] NormalizedGramDiagnostics normalized_gram_diagnostics(const matrix::DistributedMatrix& k,
                                                                    std::span<const double> diagonal);

struct EntryRange {
  double min = 0;
  double mean = 0;
  double max = 0;
};

/// min / mean / max over all m x n entries of Kt_ij / sqrt(T_ii K_jj): the normalized cross
/// kernel between test and training points (T_ii = test_diagonal, K_jj = train_diagonal).
[[nodiscard]] EntryRange normalized_cross_diagnostics(const matrix::DistributedMatrix& kt,
                                                      std::span<const double> test_diagonal,
                                                      std::span<const double> train_diagonal);

/// Row sums of the predictor weights W = Kt (K + lambda I)^-1 (the weight each training label
/// gets in a test prediction, summed over training points), per test point.
struct PredictorWeightSums {
  std::vector<double> row_sums;  // m values, on every rank
  double min = 0;
  double mean = 0;               // summed in index order: identical on every rank
  double max = 0;
  SolveRecord record;            // how (K + lambda I) u = 1 was solved
};

/// W 1 = Kt u with u = (K + lambda I)^-1 1: one solve with a single right-hand side (ridge_solve,
/// so the Cholesky checks and fallback apply) and one m x n x 1 product, never W itself.
/// lambda = 0 gives the NTK predictor's weights Kt K^-1 (pseudo-inverse if K is singular).
[[nodiscard]] PredictorWeightSums predictor_weight_sums(const matrix::DistributedMatrix& kt,
                                                        const matrix::DistributedMatrix& k, double lambda,
                                                        const SolveOptions& options = {});

/// The same from an existing u = (K + lambda I)^-1 1 (n x 1), e.g. solved together with Y as one
/// more column.
[[nodiscard]] PredictorWeightSums predictor_weight_sums(const matrix::DistributedMatrix& kt,
                                                        const RidgeSolution& inverse_times_ones);

}  // namespace deepntk::analysis
