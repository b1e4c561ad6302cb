#pragma once
// Distributed matrix products (PBLAS). All operands must live on the same grid; ranks
// outside the grid return at once.

#include <cstdint>

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

/// C := alpha * A * B + beta * C for the symmetric A, reading only `triangle` of A (PDSYMM,
/// A on the left). Used where the rest of deepntk's symmetric routines also read one triangle,
/// so that a product and a factorization see exactly the same matrix.
void symm(Triangle triangle, double alpha, const matrix::DistributedMatrix& a, const matrix::DistributedMatrix& b,
          double beta, matrix::DistributedMatrix& c);

/// B(:, 0:count) := A(:, first:first+count), a block of whole columns (PDGEADD with
/// beta = 0, which moves data between processes as needed). A and B live on
/// the same grid with the same number of rows and block size; B has at least `count` columns.
void copy_columns(const matrix::DistributedMatrix& a, std::int64_t first, std::int64_t count,
                  matrix::DistributedMatrix& b);

/// Copies the `from` triangle of a square matrix onto the other one, exactly (no arithmetic):
/// afterwards A is symmetric and bit-identical across the diagonal.
void mirror_triangle(Triangle from, matrix::DistributedMatrix& a);

}  // namespace deepntk::linalg
