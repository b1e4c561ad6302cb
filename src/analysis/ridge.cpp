#include "deepntk/analysis/ridge.hpp"

#include <cmath>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>

#include <fmt/format.h>

#include "deepntk/analysis/spectrum.hpp"
#include "deepntk/linalg/cholesky.hpp"
#include "deepntk/linalg/error.hpp"
#include "deepntk/linalg/norms.hpp"
#include "detail.hpp"

namespace deepntk::analysis {

using matrix::DistributedMatrix;

double Ridge::resolve(double trace, std::int64_t n) const {
  if (!(value >= 0) || !std::isfinite(value)) throw std::invalid_argument("ridge: lambda must be finite and >= 0");
  if (scale == Scale::absolute) return value;
  if (n <= 0) throw std::invalid_argument("ridge: a relative lambda needs a non-empty kernel");
  const double mean = trace / static_cast<double>(n);
  if (!(mean > 0) || !std::isfinite(mean)) {
    throw std::invalid_argument("ridge: a relative lambda needs trace(K) > 0 (got " + fmt::format("{:g}", trace) + ")");
  }
  return value * mean;
}

const char* to_string(SolveMethod method) noexcept {
  switch (method) {
    case SolveMethod::cholesky: return "cholesky";
    case SolveMethod::cholesky_jitter: return "cholesky_jitter";
    case SolveMethod::spectral: return "spectral";
  }
  return "?";
}

const char* to_string(FallbackReason reason) noexcept {
  switch (reason) {
    case FallbackReason::none: return "none";
    case FallbackReason::not_positive_definite: return "not_positive_definite";
    case FallbackReason::ill_conditioned: return "ill_conditioned";
  }
  return "?";
}

std::string SolveRecord::describe() const {
  std::string out = to_string(method);
  std::string why;
  if (reason == FallbackReason::not_positive_definite) {
    why = fmt::format("K + lambda I not positive definite at leading minor {}", failing_minor);
  } else if (reason == FallbackReason::ill_conditioned) {
    why = fmt::format("K + lambda I ill-conditioned, reciprocal condition estimate {:.3g}", reciprocal_condition);
  }
  std::string detail = fmt::format("lambda {:.6g}", lambda);
  if (method == SolveMethod::cholesky_jitter) {
    detail += fmt::format(", jitter {:.3g} after {} factorizations", jitter, cholesky_attempts);
  } else if (method == SolveMethod::spectral) {
    detail += fmt::format(", floor {:.3g}, {} directions truncated, {} negative eigenvalues taken as 0", floor,
                          truncated, negative_eigenvalues);
  } else if (reciprocal_condition >= 0) {
    detail += fmt::format(", reciprocal condition estimate {:.3g}", reciprocal_condition);
  }
  return out + " (" + (why.empty() ? "" : why + "; ") + detail + ")";
}

double ridge_filter(double eigenvalue, double lambda, double floor) noexcept {
  const double regularized = std::max(eigenvalue, 0.0) + lambda;
  return regularized > floor && regularized > 0 ? 1.0 / regularized : 0.0;
}

RidgeSolution spectral_ridge(const SpectralBasis& basis, double lambda) {
  if (!(lambda >= 0) || !std::isfinite(lambda)) throw std::invalid_argument("spectral_ridge: lambda must be finite and >= 0");
  SolveRecord record;
  record.method = SolveMethod::spectral;
  record.lambda = lambda;
  record.floor = basis.floor;
  std::vector<double> filter(basis.eigenvalues.size());
  for (std::size_t i = 0; i < filter.size(); ++i) {
    const double w = basis.eigenvalues[i];
    filter[i] = ridge_filter(w, lambda, basis.floor);
    if (filter[i] == 0.0) ++record.truncated;
    if (w < 0) ++record.negative_eigenvalues;
  }
  return RidgeSolution{apply_spectral_filter(basis, filter), record};
}

std::vector<RidgeSolution> ridge_path(const SpectralBasis& basis, std::span<const double> lambdas) {
  std::vector<RidgeSolution> out;
  out.reserve(lambdas.size());
  for (double lambda : lambdas) out.push_back(spectral_ridge(basis, lambda));
  return out;
}

namespace {

// One attempt at a Cholesky factor of K + shift I, accepted or not; on refusal the reason (and
// minor or condition estimate) is returned through the out-parameters.
std::optional<DistributedMatrix> try_cholesky(const DistributedMatrix& k, double shift, double min_rcond,
                                              FallbackReason& reason, int& minor, double& rcond) {
  DistributedMatrix a = k;
  detail::add_to_diagonal(a, shift);
  const bool estimate = min_rcond != 0;
  const double one_norm = estimate ? linalg::symmetric_one_norm(linalg::Triangle::lower, a) : 0.0;
  try {
    linalg::cholesky_factor(linalg::Triangle::lower, a);
  } catch (const linalg::NotPositiveDefinite& e) {  // raised on every rank together
    reason = FallbackReason::not_positive_definite;
    minor = e.minor();
    return std::nullopt;
  }
  if (estimate) {
    rcond = linalg::cholesky_reciprocal_condition(linalg::Triangle::lower, a, one_norm);
    if (min_rcond > 0 && !(rcond >= min_rcond)) {  // NaN is refused too
      reason = FallbackReason::ill_conditioned;
      return std::nullopt;
    }
  }
  reason = FallbackReason::none;
  return a;
}

DistributedMatrix solve_with(const DistributedMatrix& factor, const DistributedMatrix& y) {
  DistributedMatrix x = y;
  linalg::cholesky_solve(linalg::Triangle::lower, factor, x);
  return x;
}

}  // namespace

RidgeSolution ridge_solve(const DistributedMatrix& k, const DistributedMatrix& y, double lambda,
                          const SolveOptions& options, const SpectralBasis* fallback_basis) {
  if (k.rows() != k.cols()) throw std::invalid_argument("ridge_solve: K must be square");
  if (y.rows() != k.rows()) {
    throw std::invalid_argument("ridge_solve: Y has " + std::to_string(y.rows()) + " rows, K " +
                                std::to_string(k.rows()));
  }
  detail::require_same_layout(k, y, "ridge_solve");
  if (!(lambda >= 0) || !std::isfinite(lambda)) throw std::invalid_argument("ridge_solve: lambda must be finite and >= 0");
  if (fallback_basis && (fallback_basis->vectors.rows() != k.rows() || fallback_basis->projected_targets.cols() != y.cols())) {
    throw std::invalid_argument("ridge_solve: the fallback basis does not belong to this K and Y");
  }
  detail::require_finite(k, true, "ridge_solve (K)");
  detail::require_finite(y, false, "ridge_solve (Y)");
  const std::int64_t n = k.rows();
  // With Fallback::none the estimate is recorded but never acted upon (threshold 0 below).
  const double threshold =
      options.min_reciprocal_condition < 0 ? default_relative_floor(n) : options.min_reciprocal_condition;
  const double acting_threshold = options.fallback == Fallback::none ? 0.0 : threshold;
  // A negative value marks "estimate, never refuse"; 0 means "no estimate at all".
  const double attempt_threshold = threshold == 0 ? 0.0 : (acting_threshold == 0 ? -1.0 : acting_threshold);

  SolveRecord record;
  record.lambda = lambda;
  FallbackReason reason = FallbackReason::none;
  int minor = 0;
  double rcond = -1;
  record.cholesky_attempts = 1;
  auto factor = try_cholesky(k, lambda, attempt_threshold, reason, minor, rcond);
  record.reason = reason;
  record.failing_minor = minor;
  record.reciprocal_condition = rcond;
  if (factor) return RidgeSolution{solve_with(*factor, y), record};

  switch (options.fallback) {
    case Fallback::none:
      throw linalg::NotPositiveDefinite("PDPOTRF", minor);
    case Fallback::spectral: {
      RidgeSolution solution = fallback_basis ? spectral_ridge(*fallback_basis, lambda)
                                              : spectral_ridge(make_spectral_basis(eigendecomposition(k), y,
                                                                                   options.relative_floor),
                                                               lambda);
      solution.record.reason = record.reason;
      solution.record.failing_minor = record.failing_minor;
      solution.record.reciprocal_condition = record.reciprocal_condition;
      solution.record.cholesky_attempts = record.cholesky_attempts;
      return solution;
    }
    case Fallback::jitter: {
      const double mean = trace(k) / static_cast<double>(std::max<std::int64_t>(n, 1));
      if (!(mean > 0) || !std::isfinite(mean)) {
        throw linalg::LinalgError("ridge_solve", 0,
                                  "ridge_solve: Cholesky failed and jitter needs trace(K) > 0 (trace/n = " +
                                      fmt::format("{:g}", mean) + ")");
      }
      double jitter = options.jitter_start * mean;
      for (int attempt = 0; attempt < options.jitter_attempts; ++attempt, jitter *= options.jitter_factor) {
        FallbackReason jitter_reason = FallbackReason::none;
        int jitter_minor = 0;
        double jitter_rcond = -1;
        ++record.cholesky_attempts;
        auto jittered = try_cholesky(k, lambda + jitter, attempt_threshold, jitter_reason, jitter_minor, jitter_rcond);
        if (jittered) {
          record.method = SolveMethod::cholesky_jitter;
          record.jitter = jitter;
          return RidgeSolution{solve_with(*jittered, y), record};
        }
      }
      throw linalg::LinalgError(
          "ridge_solve", minor,
          fmt::format("ridge_solve: K + (lambda + jitter) I was not accepted by Cholesky for any jitter up to {:.3g} "
                      "({} attempts; first failure: {})",
                      jitter / options.jitter_factor, options.jitter_attempts, record.describe()));
    }
  }
  throw std::logic_error("ridge_solve: unknown fallback");
}

}  // namespace deepntk::analysis
