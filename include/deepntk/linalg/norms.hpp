#pragma once
// Matrix norms of distributed matrices (PDLANGE / PDLANSY). ScaLAPACK returns the norm on the
// grid's ranks only; these wrappers give rank 0's value to every rank of the communicator, so
// decisions taken on a norm are the same everywhere. For a given grid the value is reproducible
// (BLACS combines the partial sums in a fixed order).

#include "deepntk/linalg/pblas.hpp"
#include "deepntk/matrix/distributed_matrix.hpp"

namespace deepntk::linalg {

/// ||A||_F of a general matrix.
[[nodiscard]] double frobenius_norm(const matrix::DistributedMatrix& a);

/// ||A||_F of the symmetric matrix whose `triangle` is stored in A (the other triangle is not read).
[[nodiscard]] double symmetric_frobenius_norm(Triangle triangle, const matrix::DistributedMatrix& a);

/// ||A||_1 (= ||A||_inf) of the symmetric matrix whose `triangle` is stored in A: the ANORM that
/// the condition estimate of a Cholesky factor needs.
[[nodiscard]] double symmetric_one_norm(Triangle triangle, const matrix::DistributedMatrix& a);

}  // namespace deepntk::linalg
