#pragma once
// Distributed matrix products (PBLAS). All operands must live on the same grid; ranks
// outside the grid return at once.

#include "deepntk/matrix/distributed_matrix.hpp"

namespace deepntk::linalg {

enum class Op { none, transpose };
enum class Triangle { lower, upper };

/// C := alpha * op(A) * op(B) + beta * C
void gemm(Op op_a, Op op_b, double alpha, const matrix::DistributedMatrix& a, const matrix::DistributedMatrix& b,
          double beta, matrix::DistributedMatrix& c);

/// C := alpha * A * A^T + beta * C on `triangle` of the symmetric C (the other triangle is untouched).
void syrk(Triangle triangle, double alpha, const matrix::DistributedMatrix& a, double beta,
          matrix::DistributedMatrix& c);

/// Copies the `from` triangle of a square matrix onto the other one, exactly (no arithmetic):
/// afterwards A is symmetric and bit-identical across the diagonal.
void mirror_triangle(Triangle from, matrix::DistributedMatrix& a);

}  // namespace deepntk::linalg
