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
  /// What a NaN in a sample means: a value like any other (it makes the entry NaN: entries a
  /// producer never computes), or no value for this entry in this sample (a normalized entry
  /// of a network whose signal died, 0/0): then each entry counts its own samples.
  enum class Undefined { propagates, skipped };

  EntrywiseMoments() = default;
  explicit EntrywiseMoments(std::size_t size, Undefined undefined = Undefined::propagates)
      : mean_(size, 0.0), squares_(size, 0.0) {
    if (undefined == Undefined::skipped) counts_.assign(size, 0.0);
  }

  /// Adds one sample (the same size as the moments).
  void add(std::span<const double> sample);
  /// Undefined::skipped: the samples each entry has had (else empty).
  [[nodiscard]] const std::vector<double>& entry_counts() const noexcept { return counts_; }

  [[nodiscard]] std::int64_t count() const noexcept { return count_; }
  [[nodiscard]] std::size_t size() const noexcept { return mean_.size(); }
  [[nodiscard]] const std::vector<double>& mean() const noexcept { return mean_; }
  /// Σ (x − mean)² per entry (Welford's M2).
  [[nodiscard]] const std::vector<double>& squared_deviations() const noexcept { return squares_; }
  /// sqrt(M2 / (count (count − 1))) per entry: the standard error of the mean (NaN below two samples).
  [[nodiscard]] std::vector<double> standard_error() const;
  /// sqrt(M2 / (count − 1)) per entry: the spread of the samples themselves (NaN below two).
  [[nodiscard]] std::vector<double> standard_deviation() const;

  /// Rebuilds the moments from saved values (a checkpoint); `entry_counts` for Undefined::skipped.
  void restore(std::int64_t count, std::vector<double> mean, std::vector<double> squared_deviations,
               std::vector<double> entry_counts = {});

 private:
  [[nodiscard]] double samples_of(std::size_t entry) const noexcept {
    return counts_.empty() ? static_cast<double>(count_) : counts_[entry];
  }

  std::int64_t count_ = 0;
  std::vector<double> mean_, squares_;
  std::vector<double> counts_;  // per entry, Undefined::skipped only
};

}  // namespace deepntk::finite
