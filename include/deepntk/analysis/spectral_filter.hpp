#pragma once
// Spectral estimators: with K = V diag(lambda) V^T computed once and the targets projected
// once (Z = V^T Y), every estimator of the form
//
//     alpha = V diag(g(lambda)) V^T Y        (f_test = Kt alpha)
//
// costs two n x n x k products and no new factorization: a whole regularization path
// (g = 1 / (lambda_i + lambda)) or a list of gradient-flow times (g = (1 - e^(-lambda_i t)) /
// lambda_i) from ONE eigendecomposition.
//
// The floor. Eigenvalues at or below floor = relative_floor * lambda_max are indistinguishable
// from the eigensolver's rounding (its backward error is O(n eps) ||K||): their eigenvectors
// are an arbitrary basis of a numerical null space, and 1 / lambda_i of them is noise. Such
// directions get g = 0, i.e. the pseudo-inverse on the numerical range of K (NumPy's pinv /
// LAPACK's least-squares rcond convention, default n eps). This is exact, not a
// regularization, for a kernel that is positive semi-definite on train and test points
// together: K = Phi Phi^T and Kt = Phi_t Phi^T, so K v = 0 implies Phi^T v = 0 and Kt v = 0 —
// a null direction of K contributes nothing to any prediction, at any t or lambda, in exact
// arithmetic; in floating point it contributes only amplified rounding. (Duplicate training
// points are the typical case: identical rows and columns in K and in Kt.)

#include <cstdint>
#include <span>
#include <vector>

#include "deepntk/linalg/eigen.hpp"
#include "deepntk/matrix/distributed_matrix.hpp"

namespace deepntk::analysis {

/// The default relative floor for an n x n kernel: n * machine epsilon.
[[nodiscard]] double default_relative_floor(std::int64_t n) noexcept;

struct SpectralBasis {
  std::vector<double> eigenvalues;              // ascending, on every rank
  matrix::DistributedMatrix vectors;            // V, n x n
  matrix::DistributedMatrix projected_targets;  // Z = V^T Y, n x k
  double floor = 0;                             // absolute: relative_floor * max(lambda_max, 0)
};

/// Takes a decomposition of K that holds all eigenvectors (moved in) and the n x k targets Y
/// (same grid and block as V); computes Z = V^T Y (PDGEMM). relative_floor < 0 means
/// default_relative_floor(n); 0 keeps every direction with a positive (regularized) eigenvalue.
[[nodiscard]] SpectralBasis make_spectral_basis(linalg::EigenDecomposition decomposition,
                                                const matrix::DistributedMatrix& y, double relative_floor = -1);

/// alpha = V diag(filter) Z, n x k: filter holds g(lambda_i) for every eigenvalue, in the
/// basis's order. Cost: one n x n x k PDGEMM.
[[nodiscard]] matrix::DistributedMatrix apply_spectral_filter(const SpectralBasis& basis,
                                                              std::span<const double> filter);

}  // namespace deepntk::analysis
