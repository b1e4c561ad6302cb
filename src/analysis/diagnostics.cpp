#include "deepntk/analysis/diagnostics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "deepntk/analysis/prediction.hpp"
#include "detail.hpp"

namespace deepntk::analysis {

using matrix::DistributedMatrix;
using matrix::LocalIndex;

namespace {
constexpr double nan = std::numeric_limits<double>::quiet_NaN();
constexpr double inf = std::numeric_limits<double>::infinity();

void require_positive(std::span<const double> diagonal, std::int64_t expected, const char* who) {
  if (static_cast<std::int64_t>(diagonal.size()) != expected) {
    throw std::invalid_argument(std::string(who) + ": expected " + std::to_string(expected) + " diagonal values, got " +
                                std::to_string(diagonal.size()));
  }
  for (double d : diagonal)
    if (!(d > 0) || !std::isfinite(d)) {
      throw std::invalid_argument(std::string(who) + ": every diagonal entry must be finite and > 0");
    }
}

// Calls f(N_ij) for every local entry of the strictly lower triangle.
template <class F>
void for_each_normalized_lower(const DistributedMatrix& k, std::span<const double> inv_sqrt_diag, F&& f) {
  for (std::int64_t c = 0; c < k.local_cols(); ++c) {
    const auto j = k.global_col(LocalIndex(c)).value();
    const double sj = inv_sqrt_diag[static_cast<std::size_t>(j)];
    for (std::int64_t r = 0; r < k.local_rows(); ++r) {
      const auto i = k.global_row(LocalIndex(r)).value();
      if (i <= j) continue;
      f(k.at(LocalIndex(r), LocalIndex(c)) * inv_sqrt_diag[static_cast<std::size_t>(i)] * sj);
    }
  }
}

std::vector<double> inverse_square_roots(std::span<const double> diagonal) {
  std::vector<double> out(diagonal.size());
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = 1.0 / std::sqrt(diagonal[i]);
  return out;
}
}  // namespace

NormalizedGramDiagnostics normalized_gram_diagnostics(const DistributedMatrix& k, std::span<const double> diagonal) {
  if (k.rows() != k.cols()) throw std::invalid_argument("normalized_gram_diagnostics: K must be square");
  const std::int64_t n = k.rows();
  require_positive(diagonal, n, "normalized_gram_diagnostics");
  const MPI_Comm comm = k.grid().communicator();
  const auto scale = inverse_square_roots(diagonal);
  NormalizedGramDiagnostics d;
  d.size = n;
  if (n < 2) {
    d.min_offdiagonal = d.mean_offdiagonal = d.max_offdiagonal = d.best_c = nan;
    return d;
  }
  const double pairs = static_cast<double>(n) * static_cast<double>(n - 1) / 2.0;  // strictly lower entries

  // Pass 1: min, max, sum; and the distance to 11^T, which needs no mean.
  double lo = inf, hi = -inf;
  detail::CompensatedSum partials[2];  // sum N_ij, sum (1 - N_ij)^2
  for_each_normalized_lower(k, scale, [&](double x) {
    lo = std::min(lo, x);
    hi = std::max(hi, x);
    partials[0].add(x);
    partials[1].add((1.0 - x) * (1.0 - x));
  });
  const auto sums = detail::ordered_sums(comm, partials);
  d.min_offdiagonal = detail::global_min(comm, lo);
  d.max_offdiagonal = detail::global_max(comm, hi);
  d.mean_offdiagonal = sums[0] / pairs;
  d.best_c = d.mean_offdiagonal;
  d.distance_to_ones = std::sqrt(2.0 * sums[1]);  // both triangles
  d.relative_distance_to_ones = d.distance_to_ones / static_cast<double>(n);

  // Pass 2: squared deviations from the mean.
  const double c = d.best_c;
  detail::CompensatedSum deviation;
  for_each_normalized_lower(k, scale, [&](double x) { deviation.add((x - c) * (x - c)); });
  d.distance_to_best = std::sqrt(2.0 * detail::ordered_sum(comm, deviation));
  const double dn = static_cast<double>(n);
  d.relative_distance_to_best = d.distance_to_best / std::sqrt(dn + dn * (dn - 1) * c * c);
  return d;
}

EntryRange normalized_cross_diagnostics(const DistributedMatrix& kt, std::span<const double> test_diagonal,
                                        std::span<const double> train_diagonal) {
  require_positive(test_diagonal, kt.rows(), "normalized_cross_diagnostics");
  require_positive(train_diagonal, kt.cols(), "normalized_cross_diagnostics");
  const auto row_scale = inverse_square_roots(test_diagonal);
  const auto col_scale = inverse_square_roots(train_diagonal);
  double lo = inf, hi = -inf;
  detail::CompensatedSum sum;
  for (std::int64_t c = 0; c < kt.local_cols(); ++c) {
    const double sj = col_scale[static_cast<std::size_t>(kt.global_col(LocalIndex(c)).value())];
    for (std::int64_t r = 0; r < kt.local_rows(); ++r) {
      const double x = kt.at(LocalIndex(r), LocalIndex(c)) *
                       row_scale[static_cast<std::size_t>(kt.global_row(LocalIndex(r)).value())] * sj;
      lo = std::min(lo, x);
      hi = std::max(hi, x);
      sum.add(x);
    }
  }
  const MPI_Comm comm = kt.grid().communicator();
  EntryRange out;
  const double count = static_cast<double>(kt.rows()) * static_cast<double>(kt.cols());
  const double total = detail::ordered_sum(comm, sum);
  out.min = detail::global_min(comm, lo);
  out.max = detail::global_max(comm, hi);
  out.mean = count > 0 ? total / count : nan;
  if (count == 0) out.min = out.max = nan;
  return out;
}

PredictorWeightSums predictor_weight_sums(const DistributedMatrix& kt, const RidgeSolution& inverse_times_ones) {
  const DistributedMatrix& u = inverse_times_ones.alpha;
  if (u.cols() != 1) throw std::invalid_argument("predictor_weight_sums: u = (K + lambda I)^-1 1 must be one column");
  const DistributedMatrix s = predict(kt, u);  // m x 1
  PredictorWeightSums out;
  out.row_sums = s.gather();                   // O(m): a vector, not a matrix
  out.record = inverse_times_ones.record;
  if (out.row_sums.empty()) {
    out.min = out.mean = out.max = nan;
    return out;
  }
  out.min = *std::min_element(out.row_sums.begin(), out.row_sums.end());
  out.max = *std::max_element(out.row_sums.begin(), out.row_sums.end());
  detail::CompensatedSum total;
  for (double x : out.row_sums) total.add(x);
  out.mean = total.value() / static_cast<double>(out.row_sums.size());
  return out;
}

PredictorWeightSums predictor_weight_sums(const DistributedMatrix& kt, const DistributedMatrix& k, double lambda,
                                          const SolveOptions& options) {
  const DistributedMatrix ones = detail::constant_like(k, k.rows(), 1, 1.0);
  return predictor_weight_sums(kt, ridge_solve(k, ones, lambda, options));
}

}  // namespace deepntk::analysis
