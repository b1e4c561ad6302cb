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

}  // namespace deepntk::linalg
