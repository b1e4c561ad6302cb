#pragma once
// Spectra of a symmetric kernel matrix K (train x train): all eigenpairs, eigenvalues only,
// the top k; the summary numbers the depth studies report; and the quality of a computed
// decomposition.
//
// Conventions for the whole analysis folder:
//  * K is symmetric and only its LOWER triangle is read (eigensolvers, Cholesky, PDSYMM,
//    norms and the diagnostics all read the same triangle, so every routine sees the same
//    matrix even if the upper triangle is stale).
//  * Inputs are never modified: routines that factor K work on a copy (memory: say so below).
//  * Every returned scalar or vector is identical on every rank of the grid's communicator,
//    ranks outside the grid included; every routine is collective on that communicator.
//  * deepntk stores deep kernels scaled (attribute log_scale, K_true = exp(log_scale) K). These
//    routines see the matrix as passed: eigenvalues, trace and lambda_min/max scale with it,
//    the log-determinant shifts by n * log_scale, the condition number and effective rank do
//    not change.

#include <cstdint>
#include <span>
#include <vector>

#include "deepntk/linalg/eigen.hpp"
#include "deepntk/matrix/distributed_matrix.hpp"

namespace deepntk::analysis {

/// All eigenpairs of K, eigenvalues ascending (PDSYEVD on a copy of K). Memory while it runs:
/// the copy, the eigenvectors (kept) and PDSYEVD's workspace (about one more local part).
[[nodiscard]] linalg::EigenDecomposition eigendecomposition(const matrix::DistributedMatrix& k);

/// All eigenvalues of K, ascending, without eigenvectors (PDSYEVR, JOBZ = 'N', on a copy of K).
/// Use when the spectrum alone is recorded: it needs one n x n matrix less than
/// eigendecomposition; the time is about the same (both are dominated by the tridiagonal
/// reduction; see linalg/eigen.hpp).
[[nodiscard]] std::vector<double> eigenvalues(const matrix::DistributedMatrix& k);

/// The `count` largest eigenpairs of K (PDSYEVR, RANGE = 'I', on a copy of K), ascending like
/// every spectrum here: the largest eigenvalue is last. Vectors, if kept, are n x count; while
/// it runs PDSYEVR still wants an n x n eigenvector array, so the saving is in time (only
/// count vectors are computed and back-transformed), not in peak memory.
[[nodiscard]] linalg::EigenDecomposition top_eigenpairs(const matrix::DistributedMatrix& k, std::int64_t count,
                                                        bool keep_vectors);

/// trace(K), the sum of the diagonal, added in a fixed order (see the reduction note in
/// diagnostics.hpp).
[[nodiscard]] double trace(const matrix::DistributedMatrix& k);

/// What the depth studies read off a spectrum. Built from ALL eigenvalues (a top-k subset
/// cannot give lambda_min, the trace or the log-determinant).
struct SpectrumSummary {
  std::int64_t size = 0;
  double lambda_min = 0;
  double lambda_max = 0;
  /// Sum of the eigenvalues (compensated), equal to trace(K) up to the eigensolver's accuracy.
  double trace = 0;
  /// lambda_max / lambda_min; +infinity when lambda_min <= 0 (K is singular or, through
  /// rounding, indefinite: a 2-norm condition number does not exist, and +inf says so without
  /// a sign flip that would read as "well conditioned").
  double condition_number = 0;
  /// Participation ratio of the clipped spectrum lambda+ = max(lambda, 0):
  ///     r = (sum lambda+)^2 / sum (lambda+)^2,   1 <= r <= n  (0 for a zero matrix).
  /// r = n for a multiple of I and 1 for rank one; scale-free and cheap. Chosen over the
  /// entropy form because it has closed forms for the depth limits: the limit NTK Gram
  /// (3/4) I + (1/4) 11^T gives r = 16 n / (n + 15) (so r -> 16 however large n is), the
  /// all-ones limit gives 1. Negative eigenvalues are rounding noise of a PSD kernel and are
  /// clipped rather than allowed to cancel positive ones.
  double effective_rank = 0;
  /// sum log lambda over all eigenvalues (compensated). When K is not positive definite:
  /// -infinity if lambda_min == 0 exactly, NaN if lambda_min < 0 (the logarithm of a negative
  /// determinant does not exist); `nonpositive` says how many eigenvalues caused it.
  double log_determinant = 0;
  /// Number of eigenvalues <= 0.
  std::int64_t nonpositive = 0;
};

/// Summary of a spectrum (any order; replicated values, so no communication). Throws
/// std::invalid_argument on an empty spectrum.
[[nodiscard]] SpectrumSummary summarize_spectrum(std::span<const double> spectrum);

/// How good a computed decomposition K V = V Lambda is.
struct DecompositionQuality {
  /// ||K V - V Lambda||_F / ||K||_F (V n x k, any k; PDSYMM with K's lower triangle, PDLANGE,
  /// PDLANSY). A backward-stable solver gives O(n eps).
  double residual = 0;
  /// ||V^T V - I||_F (PDSYRK of V V^T for all n vectors, PDGEMM for top k): loss of orthogonality, the failure mode of eigensolvers on
  /// clustered spectra such as the deep-kernel limit.
  double orthogonality = 0;
};

/// Quality of `decomposition` (which must hold vectors) of K. Cost: two products, 4 n^2 k flops
/// (for all n eigenpairs about a third of the PDSYEVD time, measured at n = 2000).
[[nodiscard]] DecompositionQuality decomposition_quality(const matrix::DistributedMatrix& k,
                                                         const linalg::EigenDecomposition& decomposition);

}  // namespace deepntk::analysis
