#pragma once
// Distributed Cholesky factorization and solve (PDPOTRF / PDPOTRS).

#include "deepntk/linalg/pblas.hpp"
#include "deepntk/matrix/distributed_matrix.hpp"

namespace deepntk::linalg {

/// Overwrites `triangle` of the symmetric positive definite A with its Cholesky factor.
/// Throws NotPositiveDefinite naming the failing leading minor.
void cholesky_factor(Triangle triangle, matrix::DistributedMatrix& a);

/// Solves A X = B in place of B, given the factor from cholesky_factor.
void cholesky_solve(Triangle triangle, const matrix::DistributedMatrix& factor, matrix::DistributedMatrix& b);

/// Estimate of the reciprocal condition number 1 / (||A||_1 ||A^-1||_1) of the symmetric
/// positive definite A, from its Cholesky factor and `one_norm` = ||A||_1 of A itself
/// (PDPOCON; O(n^2) work). A successful Cholesky factorization does not mean a usable one: a
/// numerically singular kernel can pass with a pivot of rounding size, and the solve then
/// returns noise. The same value on every rank.
[[nodiscard]] double cholesky_reciprocal_condition(Triangle triangle, const matrix::DistributedMatrix& factor,
                                                   double one_norm);

}  // namespace deepntk::linalg
