#include "deepntk/finite/entrywise_moments.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

namespace deepntk::finite {

void EntrywiseMoments::add(std::span<const double> sample) {
  if (sample.size() != mean_.size()) throw std::invalid_argument("EntrywiseMoments::add: sample size differs");
  ++count_;
  const bool skipping = !counts_.empty();
  for (std::size_t i = 0; i < mean_.size(); ++i) {
    if (skipping) {
      if (std::isnan(sample[i])) continue;
      counts_[i] += 1.0;
    }
    const double n = samples_of(i);
    const double deviation = sample[i] - mean_[i];
    mean_[i] += deviation / n;
    squares_[i] += deviation * (sample[i] - mean_[i]);
  }
}

std::vector<double> EntrywiseMoments::standard_error() const {
  std::vector<double> out(mean_.size(), std::numeric_limits<double>::quiet_NaN());
  for (std::size_t i = 0; i < out.size(); ++i) {
    const double n = samples_of(i);
    if (n >= 2) out[i] = std::sqrt(squares_[i] / (n * (n - 1.0)));
  }
  return out;
}

std::vector<double> EntrywiseMoments::standard_deviation() const {
  std::vector<double> out(mean_.size(), std::numeric_limits<double>::quiet_NaN());
  for (std::size_t i = 0; i < out.size(); ++i) {
    const double n = samples_of(i);
    if (n >= 2) out[i] = std::sqrt(squares_[i] / (n - 1.0));
  }
  return out;
}

void EntrywiseMoments::restore(std::int64_t count, std::vector<double> mean, std::vector<double> squared_deviations,
                               std::vector<double> entry_counts) {
  if (count < 0 || mean.size() != squared_deviations.size() || entry_counts.size() != counts_.size()) {
    throw std::invalid_argument("EntrywiseMoments::restore: inconsistent saved moments");
  }
  count_ = count;
  mean_ = std::move(mean);
  squares_ = std::move(squared_deviations);
  counts_ = std::move(entry_counts);
}

}  // namespace deepntk::finite
