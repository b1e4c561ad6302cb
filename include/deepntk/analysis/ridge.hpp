#pragma once
// Kernel ridge regression alpha = (K + lambda I)^-1 Y with multi-output targets Y (n x k, e.g.
// one-hot classes), by Cholesky, with a recorded fallback when K + lambda I is not (numerically)
// positive definite; and the regularization path from one eigendecomposition.
//
// When is the Cholesky path refused? Deep kernels become numerically singular (duplicate or
// near-duplicate points, and depth itself drives normalized Grams towards low rank), and the
// infinite-time NTK predictor is the lambda -> 0 limit. Two things can happen:
//  * PDPOTRF stops at a leading minor that is not positive definite (NotPositiveDefinite);
//  * PDPOTRF succeeds on a pivot of rounding size, and the solve returns noise of size
//    1/pivot. A success is therefore only accepted if PDPOCON's estimate of the reciprocal
//    condition number of K + lambda I is at least min_reciprocal_condition (default n eps,
//    the same threshold as the spectral floor, so the two paths agree on what "singular" is).
// Either way the record says so (reason, failing minor, condition estimate) and the fallback
// runs:
//  * Fallback::spectral (default): an eigendecomposition of K and the spectral solve
//    alpha = V diag(g) V^T Y with g_i = 1 / (max(lambda_i, 0) + lambda), and g_i = 0 where
//    max(lambda_i, 0) + lambda <= floor (see spectral_filter.hpp for why this truncation is
//    exact for a PSD kernel, not a regularization). For lambda = 0 this is the pseudo-inverse
//    solution, the limit of the ridge solution as lambda -> 0+, i.e. the infinite-time
//    gradient-flow predictor restricted to the span of K. Cost: one PDSYEVD (about 20x a
//    Cholesky plus condition estimate, measured at n = 2000 on 1 x 2).
//  * Fallback::jitter (the source papers' code): add jitter = jitter_start * trace(K)/n to the
//    diagonal, times jitter_factor until the factorization is accepted, at most jitter_attempts
//    times; then throw. This changes the problem (the result is the ridge solution for
//    lambda + jitter), which the record states.
//  * Fallback::none: throw NotPositiveDefinite (on every rank) when PDPOTRF fails; a factor
//    that passes is used even if ill-conditioned, with its condition estimate in the record.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "deepntk/analysis/spectral_filter.hpp"
#include "deepntk/matrix/distributed_matrix.hpp"

namespace deepntk::analysis {

/// The ridge parameter as configured.
struct Ridge {
  enum class Scale {
    absolute,  // lambda = value, in the units of the matrix as passed: for a kernel stored
               // scaled (K_true = exp(log_scale) K), lambda_true = exp(log_scale) * lambda gives
               // the same predictions Kt (K + lambda I)^-1 Y
    relative,  // lambda = value * trace(K) / n: the same meaning at every depth and kernel scale
  };
  double value = 0;
  Scale scale = Scale::relative;

  /// The absolute lambda for a kernel with this trace and size.
  [[nodiscard]] double resolve(double trace, std::int64_t n) const;
};

enum class Fallback { none, spectral, jitter };
enum class SolveMethod { cholesky, cholesky_jitter, spectral };
enum class FallbackReason { none, not_positive_definite, ill_conditioned };

[[nodiscard]] const char* to_string(SolveMethod method) noexcept;      // "cholesky", "cholesky_jitter", "spectral"
[[nodiscard]] const char* to_string(FallbackReason reason) noexcept;   // "none", "not_positive_definite", "ill_conditioned"

struct SolveOptions {
  Fallback fallback = Fallback::spectral;
  /// Accept a Cholesky factor only if PDPOCON's estimate of 1 / cond_1(K + lambda I) is at least
  /// this. < 0: n * eps (default). 0: no estimate, any successful factorization is accepted.
  double min_reciprocal_condition = -1;
  /// Spectral fallback: eigenvalue floor relative to lambda_max; < 0: n * eps.
  double relative_floor = -1;
  /// Jitter fallback: first jitter relative to trace(K)/n, growth factor, attempts.
  double jitter_start = 1e-10;
  double jitter_factor = 10;
  int jitter_attempts = 10;
};

/// What happened in a solve: store it next to the result and warn when fell_back().
struct SolveRecord {
  SolveMethod method = SolveMethod::cholesky;
  double lambda = 0;                          // the requested ridge (absolute)
  FallbackReason reason = FallbackReason::none;  // why plain Cholesky on K + lambda I was not used
  int failing_minor = 0;                      // PDPOTRF's first non-PD leading minor (1-based), or 0
  double reciprocal_condition = -1;           // PDPOCON estimate for K + lambda I; -1: not estimated
  double jitter = 0;                          // cholesky_jitter: absolute amount added to lambda
  int cholesky_attempts = 0;                  // factorizations tried
  double floor = 0;                           // spectral: absolute eigenvalue floor
  std::int64_t truncated = 0;                 // spectral: directions given g = 0
  std::int64_t negative_eigenvalues = 0;      // spectral: eigenvalues < 0 (taken as 0)

  [[nodiscard]] bool fell_back() const noexcept { return reason != FallbackReason::none; }
  /// One line for a warning or a log, e.g. "spectral (not_positive_definite at minor 41;
  /// lambda 0, floor 2.1e-13, 3 of 120 directions truncated)".
  [[nodiscard]] std::string describe() const;
};

struct RidgeSolution {
  matrix::DistributedMatrix alpha;  // n x k
  SolveRecord record;
};

/// alpha = (K + lambda I)^-1 Y for lambda >= 0 (see the file comment for the paths). K n x n
/// (lower triangle read) and Y n x k share grid and block; NaN or infinite entries are refused
/// (std::invalid_argument on every rank) before any factorization. Memory: one n x n copy of K (two
/// while an eigendecomposition runs). `fallback_basis`, if given, must be a basis of this K and
/// this Y; the spectral fallback then reuses it instead of decomposing K again.
[[nodiscard]] RidgeSolution ridge_solve(const matrix::DistributedMatrix& k, const matrix::DistributedMatrix& y,
                                        double lambda, const SolveOptions& options = {},
                                        const SpectralBasis* fallback_basis = nullptr);

/// The ridge filter value 1 / (max(lambda_i, 0) + lambda), or 0 at or below the floor.
[[nodiscard]] double ridge_filter(double eigenvalue, double lambda, double floor) noexcept;

/// One spectral ridge solve from a basis (method = spectral in the record, reason none).
[[nodiscard]] RidgeSolution spectral_ridge(const SpectralBasis& basis, double lambda);

/// The regularization path: alpha for every lambda (>= 0), from one basis, in the given order.
[[nodiscard]] std::vector<RidgeSolution> ridge_path(const SpectralBasis& basis, std::span<const double> lambdas);

}  // namespace deepntk::analysis
