#pragma once
// Predictions on a test set from the test x train kernel Kt (m x n): kernel ridge regression
// for every lambda, the infinite-time NTK predictor, and gradient flow at finite times.
//
// Gradient flow: MSE loss L = (1/2) ||f(X) - Y||^2, zero initial function, learning rate 1, so
// that time t is in the units of the kernel as passed (for a kernel stored with log_scale,
// true time = t / exp(log_scale)). In the NTK regime the training outputs follow
// df/dt = -K (f - Y), hence
//     f_t(x) = Kt V diag(g_t(lambda)) V^T Y,  g_t(lambda) = (1 - exp(-lambda t)) / lambda,
// with g_t -> t as lambda t -> 0 and g_t -> 1 / lambda as t -> infinity: t = +infinity is the
// infinite-time NTK predictor Kt K^+ Y, the same as ridge_predictions with lambda = 0.
// (For the NNGP, the same formula is the posterior mean of a GP regression after "time" t;
// kernel ridge with lambda is the GP posterior mean with noise variance lambda.)

#include <cstdint>
#include <span>
#include <vector>

#include "deepntk/analysis/spectral_filter.hpp"
#include "deepntk/matrix/distributed_matrix.hpp"

namespace deepntk::analysis {

/// f = Kt alpha, m x k (PDGEMM): predictions from any coefficient matrix (a ridge_solve or a
/// spectral one).
[[nodiscard]] matrix::DistributedMatrix predict(const matrix::DistributedMatrix& kt,
                                                const matrix::DistributedMatrix& alpha);

/// g_t(lambda_i) = (1 - exp(-lambda_i t)) / lambda_i, evaluated as -expm1(-lambda_i t) /
/// lambda_i (no cancellation when lambda_i t is tiny, where it is t to rounding); 1 / lambda_i
/// for t = +infinity; 0 for lambda_i <= floor (see spectral_filter.hpp). t >= 0.
[[nodiscard]] double gradient_flow_filter(double eigenvalue, double t, double floor) noexcept;

/// alpha_t = V diag(g_t) V^T Y (n x k), so that f_t = Kt alpha_t.
[[nodiscard]] matrix::DistributedMatrix gradient_flow_coefficients(const SpectralBasis& basis, double t);

struct PathPrediction {
  double parameter = 0;                 // the lambda or the time t
  matrix::DistributedMatrix predictions;  // m x k
  std::int64_t truncated = 0;           // directions at or below the floor (g = 0)
};

/// Kernel ridge predictions Kt (K + lambda I)^-1 Y on the test set for every lambda (>= 0), in
/// the given order, from one basis of K and Y; lambda = 0 is the infinite-time NTK predictor.
/// Cost per lambda: two n x n x k and one m x n x k products.
[[nodiscard]] std::vector<PathPrediction> ridge_predictions(const SpectralBasis& basis,
                                                            const matrix::DistributedMatrix& kt,
                                                            std::span<const double> lambdas);

/// Gradient-flow predictions f_t on the test set for every time t (>= 0, +infinity allowed).
[[nodiscard]] std::vector<PathPrediction> gradient_flow_predictions(const SpectralBasis& basis,
                                                                    const matrix::DistributedMatrix& kt,
                                                                    std::span<const double> times);

}  // namespace deepntk::analysis
