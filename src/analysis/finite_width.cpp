#include "deepntk/analysis/finite_width.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "detail.hpp"
#include "deepntk/mpi/error.hpp"

namespace deepntk::analysis {

using matrix::DistributedMatrix;
using matrix::LocalIndex;

FiniteWidthComparison compare_with_reference(const DistributedMatrix& mean, const DistributedMatrix& standard_error,
                                             const DistributedMatrix& reference) {
  detail::require_same_layout(mean, standard_error, "compare_with_reference");
  detail::require_same_layout(mean, reference, "compare_with_reference");
  if (mean.rows() != mean.cols()) throw std::invalid_argument("compare_with_reference: the kernels must be square");
  // Partials: Σ w (M − K)², Σ w K² (w = 2 off the diagonal: both triangles), Σ z, Σ z².
  detail::CompensatedSum partials[4];
  const std::size_t bins = z_histogram_edges.size() + 1;
  std::vector<std::int64_t> counts(bins + 3, 0);  // the histogram's bins, then pairs, z pairs, |z| > 3
  double largest = 0;
  for (std::int64_t c = 0; c < mean.local_cols(); ++c) {
    const auto gc = mean.global_col(LocalIndex(c)).value();
    for (std::int64_t r = 0; r < mean.local_rows(); ++r) {
      const auto gr = mean.global_row(LocalIndex(r)).value();
      if (gr < gc) continue;
      const double m = mean.at(LocalIndex(r), LocalIndex(c)), k = reference.at(LocalIndex(r), LocalIndex(c));
      const double se = standard_error.at(LocalIndex(r), LocalIndex(c));
      const double weight = gr == gc ? 1.0 : 2.0;
      partials[0].add(weight * (m - k) * (m - k));
      partials[1].add(weight * k * k);
      ++counts[bins];
      if (!(se > 0)) continue;
      const double z = (m - k) / se;
      partials[2].add(z);
      partials[3].add(z * z);
      largest = std::max(largest, std::abs(z));
      ++counts[bins + 1];
      if (std::abs(z) > 3) ++counts[bins + 2];
      const auto bin = std::upper_bound(z_histogram_edges.begin(), z_histogram_edges.end(), z) - z_histogram_edges.begin();
      ++counts[static_cast<std::size_t>(bin)];
    }
  }
  const MPI_Comm comm = mean.grid().communicator();
  const auto sums = detail::ordered_sums(comm, partials);
  std::vector<std::int64_t> totals(counts.size());
  mpi::check(MPI_Allreduce(counts.data(), totals.data(), static_cast<int>(counts.size()), MPI_INT64_T, MPI_SUM, comm),
             "MPI_Allreduce");
  FiniteWidthComparison out;
  out.z_histogram.assign(totals.begin(), totals.begin() + static_cast<std::ptrdiff_t>(bins));
  out.pairs = totals[bins];
  out.z_pairs = totals[bins + 1];
  const std::int64_t above = totals[bins + 2];
  const double nan = std::numeric_limits<double>::quiet_NaN();
  out.relative_distance = sums[1] > 0 ? std::sqrt(sums[0] / sums[1]) : nan;
  const double zn = static_cast<double>(out.z_pairs);
  out.z_mean = out.z_pairs > 0 ? sums[2] / zn : nan;
  out.z_rms = out.z_pairs > 0 ? std::sqrt(sums[3] / zn) : nan;
  out.z_max_abs = out.z_pairs > 0 ? detail::global_max(comm, largest) : nan;
  out.fraction_above_3 = out.z_pairs > 0 ? static_cast<double>(above) / zn : nan;
  return out;
}

double mean_offdiagonal(const DistributedMatrix& values) {
  detail::CompensatedSum sum;
  std::int64_t counted = 0;
  for (std::int64_t c = 0; c < values.local_cols(); ++c) {
    const auto gc = values.global_col(LocalIndex(c)).value();
    for (std::int64_t r = 0; r < values.local_rows(); ++r) {
      const double x = values.at(LocalIndex(r), LocalIndex(c));
      if (values.global_row(LocalIndex(r)).value() > gc && !std::isnan(x)) {
        sum.add(x);
        ++counted;
      }
    }
  }
  const MPI_Comm comm = values.grid().communicator();
  std::int64_t pairs = 0;
  mpi::check(MPI_Allreduce(&counted, &pairs, 1, MPI_INT64_T, MPI_SUM, comm), "MPI_Allreduce");
  const double total = detail::ordered_sum(comm, sum);
  return pairs > 0 ? total / static_cast<double>(pairs) : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace deepntk::analysis
