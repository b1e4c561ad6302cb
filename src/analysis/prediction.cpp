#include "deepntk/analysis/prediction.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "deepntk/analysis/ridge.hpp"
#include "deepntk/linalg/pblas.hpp"
#include "detail.hpp"

namespace deepntk::analysis {

using matrix::DistributedMatrix;

DistributedMatrix predict(const DistributedMatrix& kt, const DistributedMatrix& alpha) {
  if (kt.cols() != alpha.rows()) {
    throw std::invalid_argument("predict: Kt has " + std::to_string(kt.cols()) + " columns, alpha " +
                                std::to_string(alpha.rows()) + " rows");
  }
  detail::require_same_layout(kt, alpha, "predict");
  DistributedMatrix f(kt.shared_grid(), kt.rows(), alpha.cols(), kt.block());
  linalg::gemm(linalg::Op::none, linalg::Op::none, 1.0, kt, alpha, 0.0, f);
  return f;
}

double gradient_flow_filter(double eigenvalue, double t, double floor) noexcept {
  if (!(eigenvalue > floor) || !(eigenvalue > 0)) return 0.0;
  if (std::isinf(t)) return 1.0 / eigenvalue;
  return -std::expm1(-eigenvalue * t) / eigenvalue;
}

namespace {
std::vector<double> flow_filter(const SpectralBasis& basis, double t, std::int64_t& truncated) {
  if (!(t >= 0)) throw std::invalid_argument("gradient flow: the time t must be >= 0");
  std::vector<double> filter(basis.eigenvalues.size());
  truncated = 0;
  for (std::size_t i = 0; i < filter.size(); ++i) {
    filter[i] = gradient_flow_filter(basis.eigenvalues[i], t, basis.floor);
    if (!(basis.eigenvalues[i] > basis.floor) || !(basis.eigenvalues[i] > 0)) ++truncated;
  }
  return filter;
}

void require_test_kernel(const SpectralBasis& basis, const DistributedMatrix& kt, const char* who) {
  if (kt.cols() != basis.vectors.rows()) {
    throw std::invalid_argument(std::string(who) + ": Kt must have one column per training point");
  }
  detail::require_same_layout(kt, basis.vectors, who);
}
}  // namespace

DistributedMatrix gradient_flow_coefficients(const SpectralBasis& basis, double t) {
  std::int64_t truncated = 0;
  return apply_spectral_filter(basis, flow_filter(basis, t, truncated));
}

std::vector<PathPrediction> ridge_predictions(const SpectralBasis& basis, const DistributedMatrix& kt,
                                              std::span<const double> lambdas) {
  require_test_kernel(basis, kt, "ridge_predictions");
  std::vector<PathPrediction> out;
  out.reserve(lambdas.size());
  for (double lambda : lambdas) {
    auto solution = spectral_ridge(basis, lambda);
    out.push_back(PathPrediction{lambda, predict(kt, solution.alpha), solution.record.truncated});
  }
  return out;
}

std::vector<PathPrediction> gradient_flow_predictions(const SpectralBasis& basis, const DistributedMatrix& kt,
                                                      std::span<const double> times) {
  require_test_kernel(basis, kt, "gradient_flow_predictions");
  std::vector<PathPrediction> out;
  out.reserve(times.size());
  for (double t : times) {
    std::int64_t truncated = 0;
    const auto filter = flow_filter(basis, t, truncated);
    out.push_back(PathPrediction{t, predict(kt, apply_spectral_filter(basis, filter)), truncated});
  }
  return out;
}

}  // namespace deepntk::analysis
