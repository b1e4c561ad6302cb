#include "deepntk/app/sweep_cost_profile.hpp"

#include <algorithm>
#include <chrono>

namespace deepntk::app {

SweepCostProfile SweepCostProfile::calibrate(const kernels::NetworkSpec& spec, const kernels::DepthSchedule& schedule,
                                             const kernels::PairBlock& block, double budget_seconds) {
  const std::int64_t rows = std::min<std::int64_t>(block.rows, 8), cols = std::min<std::int64_t>(block.cols, 8);
  SweepCostProfile profile;
  if (rows == 0 || cols == 0) return profile;
  std::vector<double> gap(static_cast<std::size_t>(rows * cols));
  for (std::int64_t c = 0; c < cols; ++c)
    for (std::int64_t r = 0; r < rows; ++r) gap[static_cast<std::size_t>(r + c * rows)] = block.input_gap[static_cast<std::size_t>(r + c * block.rows)];
  // Every pair of the sample is computed (not half of a symmetric block): the cost per pair.
  const kernels::PairBlock sample{.rows = rows, .cols = cols,
                                  .row_k0_diag = block.row_k0_diag.first(static_cast<std::size_t>(rows)),
                                  .col_k0_diag = block.col_k0_diag.first(static_cast<std::size_t>(cols)),
                                  .input_gap = gap,
                                  .row_ids = block.row_ids.first(static_cast<std::size_t>(rows)),
                                  .col_ids = block.col_ids.first(static_cast<std::size_t>(cols)),
                                  .symmetric = false};
  kernels::DepthSweep sweep(spec, schedule, {sample});
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  // About 500 measured points over the whole sweep, whatever its length.
  const std::int64_t chunk = std::max<std::int64_t>(1, sweep.work_total() / 512);
  profile.work_.push_back(0);
  profile.seconds_.push_back(0.0);
  while (!sweep.finished()) {
    static_cast<void>(sweep.advance(chunk));
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    profile.work_.push_back(sweep.work_done());
    profile.seconds_.push_back(elapsed);
    if (elapsed > budget_seconds) break;
  }
  // Past the budget the sweep goes on at the rate of the last tenth measured (deep layers all
  // take the same branch of the updates).
  const std::size_t last = profile.work_.size() - 1;
  std::size_t from = last;
  while (from > 0 && profile.work_[from] > profile.work_[last] * 9 / 10) --from;
  if (profile.work_[last] > profile.work_[from] && profile.seconds_[last] > profile.seconds_[from]) {
    profile.tail_slope_ = (profile.seconds_[last] - profile.seconds_[from]) /
                          static_cast<double>(profile.work_[last] - profile.work_[from]);
  } else if (profile.work_[last] > 0 && profile.seconds_[last] > 0) {
    profile.tail_slope_ = profile.seconds_[last] / static_cast<double>(profile.work_[last]);
  } else {
    profile.work_.clear();  // nothing measurable: uniform
    profile.seconds_.clear();
  }
  return profile;
}

double SweepCostProfile::cost_at(std::int64_t work) const {
  if (work_.empty()) return static_cast<double>(work);
  if (work >= work_.back()) return seconds_.back() + tail_slope_ * static_cast<double>(work - work_.back());
  const auto next = std::upper_bound(work_.begin(), work_.end(), work);
  const auto i = static_cast<std::size_t>(next - work_.begin());  // work_[i-1] <= work < work_[i]
  const double t = static_cast<double>(work - work_[i - 1]) / static_cast<double>(work_[i] - work_[i - 1]);
  return seconds_[i - 1] + t * (seconds_[i] - seconds_[i - 1]);
}

}  // namespace deepntk::app
