#pragma once
// The running mean and spread of a set of arrays, entry by entry (Welford's update), for the
// Monte-Carlo kernels: the mean over random networks and its standard error. Samples are added
// in a fixed order, so the result does not depend on how the entries are split among ranks.

#include <cstdint>
#include <span>
#include <vector>

namespace deepntk::finite {

class EntrywiseMoments {
 public:
  explicit EntrywiseMoments(std::size_t size = 0) : mean_(size, 0.0), squares_(size, 0.0) {}

  /// Adds one sample (the same size as the moments).
  void add(std::span<const double> sample);

  [[nodiscard]] std::int64_t count() const noexcept { return count_; }
  [[nodiscard]] std::size_t size() const noexcept { return mean_.size(); }
  [[nodiscard]] const std::vector<double>& mean() const noexcept { return mean_; }
  /// Σ (x − mean)² per entry (Welford's M2).
  [[nodiscard]] const std::vector<double>& squared_deviations() const noexcept { return squares_; }
  /// sqrt(M2 / (count (count − 1))) per entry: the standard error of the mean (NaN below two samples).
  [[nodiscard]] std::vector<double> standard_error() const;
  /// sqrt(M2 / (count − 1)) per entry: the spread of the samples themselves (NaN below two).
  [[nodiscard]] std::vector<double> standard_deviation() const;

  /// Rebuilds the moments from saved values (a checkpoint).
  void restore(std::int64_t count, std::vector<double> mean, std::vector<double> squared_deviations);

 private:
  std::int64_t count_ = 0;
  std::vector<double> mean_, squares_;
};

}  // namespace deepntk::finite
