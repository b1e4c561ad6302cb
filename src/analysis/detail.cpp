#include "detail.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "deepntk/mpi/error.hpp"

namespace deepntk::analysis::detail {

using matrix::LocalIndex;

void CompensatedSum::add(double x) noexcept {
  const double t = sum_ + x;
  // Whichever operand is larger in magnitude keeps its bits in t; recover the other's lost bits.
  if (std::abs(sum_) >= std::abs(x)) {
    compensation_ += (sum_ - t) + x;
  } else {
    compensation_ += (x - t) + sum_;
  }
  sum_ = t;
}

std::vector<double> ordered_sums(MPI_Comm comm, std::span<const CompensatedSum> partials) {
  int size = 0;
  mpi::check(MPI_Comm_size(comm, &size), "MPI_Comm_size");
  const std::size_t count = partials.size();
  std::vector<double> mine;
  mine.reserve(2 * count);
  for (const auto& p : partials) {
    mine.push_back(p.sum());
    mine.push_back(p.compensation());
  }
  std::vector<double> all(2 * count * static_cast<std::size_t>(size));
  mpi::check(MPI_Allgather(mine.data(), static_cast<int>(mine.size()), MPI_DOUBLE, all.data(),
                           static_cast<int>(mine.size()), MPI_DOUBLE, comm),
             "MPI_Allgather");
  std::vector<double> totals(count);
  for (std::size_t i = 0; i < count; ++i) {
    CompensatedSum total;
    for (int rank = 0; rank < size; ++rank) {
      const std::size_t base = 2 * count * static_cast<std::size_t>(rank) + 2 * i;
      total.add(all[base]);
      total.add(all[base + 1]);
    }
    totals[i] = total.value();
  }
  return totals;
}

double ordered_sum(MPI_Comm comm, const CompensatedSum& partial) {
  return ordered_sums(comm, std::span<const CompensatedSum>(&partial, 1)).front();
}

double global_min(MPI_Comm comm, double value) {
  double out = 0;
  mpi::check(MPI_Allreduce(&value, &out, 1, MPI_DOUBLE, MPI_MIN, comm), "MPI_Allreduce");
  return out;
}

double global_max(MPI_Comm comm, double value) {
  double out = 0;
  mpi::check(MPI_Allreduce(&value, &out, 1, MPI_DOUBLE, MPI_MAX, comm), "MPI_Allreduce");
  return out;
}

void require_same_layout(const matrix::DistributedMatrix& a, const matrix::DistributedMatrix& b, const char* who) {
  if (&a.grid() != &b.grid() || a.block() != b.block()) {
    throw std::invalid_argument(std::string(who) +
                                ": the matrices must live on the same process grid with the same block size");
  }
}

void require_finite(const matrix::DistributedMatrix& a, bool lower_triangle_only, const char* who) {
  int bad = 0;
  for (std::int64_t c = 0; c < a.local_cols() && !bad; ++c) {
    const auto gc = a.global_col(LocalIndex(c));
    for (std::int64_t r = 0; r < a.local_rows(); ++r) {
      if (lower_triangle_only && a.global_row(LocalIndex(r)) < gc) continue;
      if (!std::isfinite(a.at(LocalIndex(r), LocalIndex(c)))) {
        bad = 1;
        break;
      }
    }
  }
  int any = 0;
  mpi::check(MPI_Allreduce(&bad, &any, 1, MPI_INT, MPI_MAX, a.grid().communicator()), "MPI_Allreduce");
  if (any) throw std::invalid_argument(std::string(who) + ": the matrix holds NaN or infinite entries");
}

void add_to_diagonal(matrix::DistributedMatrix& a, double value) {
  for (std::int64_t c = 0; c < a.local_cols(); ++c) {
    const auto gc = a.global_col(LocalIndex(c)).value();
    for (std::int64_t r = 0; r < a.local_rows(); ++r)
      if (a.global_row(LocalIndex(r)).value() == gc) a.at(LocalIndex(r), LocalIndex(c)) += value;
  }
}

void scale_rows(matrix::DistributedMatrix& a, std::span<const double> factors) {
  if (static_cast<std::int64_t>(factors.size()) != a.rows()) throw std::invalid_argument("scale_rows: one factor per row");
  for (std::int64_t c = 0; c < a.local_cols(); ++c)
    for (std::int64_t r = 0; r < a.local_rows(); ++r)
      a.at(LocalIndex(r), LocalIndex(c)) *= factors[static_cast<std::size_t>(a.global_row(LocalIndex(r)).value())];
}

void scale_columns(matrix::DistributedMatrix& a, std::span<const double> factors) {
  if (static_cast<std::int64_t>(factors.size()) != a.cols()) {
    throw std::invalid_argument("scale_columns: one factor per column");
  }
  for (std::int64_t c = 0; c < a.local_cols(); ++c) {
    const double f = factors[static_cast<std::size_t>(a.global_col(LocalIndex(c)).value())];
    for (std::int64_t r = 0; r < a.local_rows(); ++r) a.at(LocalIndex(r), LocalIndex(c)) *= f;
  }
}

matrix::DistributedMatrix constant_like(const matrix::DistributedMatrix& a, std::int64_t rows, std::int64_t cols,
                                        double value) {
  matrix::DistributedMatrix out(a.shared_grid(), rows, cols, a.block());
  out.fill([value](matrix::GlobalIndex, matrix::GlobalIndex) { return value; });
  return out;
}

matrix::DistributedMatrix identity_like(const matrix::DistributedMatrix& a, std::int64_t n) {
  matrix::DistributedMatrix out(a.shared_grid(), n, n, a.block());
  out.fill([](matrix::GlobalIndex r, matrix::GlobalIndex c) { return r == c ? 1.0 : 0.0; });
  return out;
}

}  // namespace deepntk::analysis::detail
