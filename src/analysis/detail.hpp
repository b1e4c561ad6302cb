#pragma once
// Helpers private to src/analysis: compensated and rank-ordered reductions, and the few
// entry-wise operations on the local part of a distributed matrix that ScaLAPACK has no
// routine for (or for which a routine would only add communication).
//
// Determinism: a sum over a distributed matrix is formed as one compensated partial per rank
// (in the rank's local column-major order), the P partials are gathered on every rank
// (MPI_Allgather of 2 P numbers) and added in rank order. The result is identical on every
// rank and independent of the MPI library's reduction algorithm; it depends on the grid shape
// (which decides the partials) only through the last bits, which compensation keeps at the
// level of one rounding of the total. Minima and maxima are exact and order-free.

#include <mpi.h>

#include <cstdint>
#include <span>
#include <vector>

#include "deepntk/matrix/distributed_matrix.hpp"

namespace deepntk::analysis::detail {

/// Neumaier's compensated sum: error of O(eps) in the total instead of O(count * eps).
class CompensatedSum {
 public:
  void add(double x) noexcept;
  void add(const CompensatedSum& other) noexcept {
    add(other.sum_);
    add(other.compensation_);
  }
  [[nodiscard]] double value() const noexcept { return sum_ + compensation_; }
  [[nodiscard]] double sum() const noexcept { return sum_; }
  [[nodiscard]] double compensation() const noexcept { return compensation_; }

 private:
  double sum_ = 0;
  double compensation_ = 0;
};

/// Elementwise sums of every rank's partials, added in rank order (see file comment); every
/// rank passes the same number of partials and receives the totals.
[[nodiscard]] std::vector<double> ordered_sums(MPI_Comm comm, std::span<const CompensatedSum> partials);
[[nodiscard]] double ordered_sum(MPI_Comm comm, const CompensatedSum& partial);
[[nodiscard]] double global_min(MPI_Comm comm, double value);
[[nodiscard]] double global_max(MPI_Comm comm, double value);

/// Throws std::invalid_argument unless a and b live on the same grid with the same block size
/// (ScaLAPACK's solvers and PBLAS products need both).
void require_same_layout(const matrix::DistributedMatrix& a, const matrix::DistributedMatrix& b, const char* who);

/// Throws std::invalid_argument on every rank (after an MPI_Allreduce) if any entry of A, or of
/// its lower triangle only, is NaN or infinite: a factorization of such a matrix fails in
/// confusing ways (a "non-positive-definite minor", an eigensolver that does not converge) or,
/// worse, returns NaN quietly.
void require_finite(const matrix::DistributedMatrix& a, bool lower_triangle_only, const char* who);

/// A(i, i) += value for every diagonal entry (square A).
void add_to_diagonal(matrix::DistributedMatrix& a, double value);
/// Row i multiplied by factors[i] (factors indexed by global row).
void scale_rows(matrix::DistributedMatrix& a, std::span<const double> factors);
/// Column j multiplied by factors[j] (factors indexed by global column).
void scale_columns(matrix::DistributedMatrix& a, std::span<const double> factors);
/// A rows x cols matrix of ones, or the identity, on a's grid with a's block.
[[nodiscard]] matrix::DistributedMatrix constant_like(const matrix::DistributedMatrix& a, std::int64_t rows,
                                                      std::int64_t cols, double value);
[[nodiscard]] matrix::DistributedMatrix identity_like(const matrix::DistributedMatrix& a, std::int64_t n);

}  // namespace deepntk::analysis::detail
