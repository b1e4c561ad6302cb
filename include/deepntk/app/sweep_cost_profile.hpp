#pragma once
// How the cost of the depth sweep is spread over its layer steps, measured before the run on a
// few pairs of the rank's own data, so that the first ETA is right.
//
// A layer step does not cost the same at every depth: while correlations are far from 1 the
// stable updates evaluate the full dual activations, deeper they switch to cheap series, and a
// recorded depth copies its kernels out. Extrapolating the rate of the first layers (Fashion-
// MNIST, mlp ReLU to depth 10^4: 2.9e7 pair-layers/s at layer 1, 2.6e8 from layer 1000 on)
// made the first ETA three times too long. The profile runs the same sweep on up to 8 x 8
// pairs through the whole schedule (at most `budget` seconds, extrapolated beyond that at the
// last measured rate), and the progress line converts it into seconds with the rate the real
// sweep achieves against it.

#include <cstdint>
#include <span>
#include <vector>

#include "deepntk/kernels/depth_schedule.hpp"
#include "deepntk/kernels/depth_sweep.hpp"
#include "deepntk/kernels/network.hpp"

namespace deepntk::app {

class SweepCostProfile {
 public:
  /// The uniform profile: every layer step costs the same (cost_at(w) = w).
  SweepCostProfile() = default;

  /// Runs `spec` over `schedule` on the first up to 8 x 8 pairs of `block` (a rank's own
  /// train block; its spans are read only during the call) for at most `budget_seconds`.
  [[nodiscard]] static SweepCostProfile calibrate(const kernels::NetworkSpec& spec,
                                                  const kernels::DepthSchedule& schedule,
                                                  const kernels::PairBlock& block, double budget_seconds);

  /// The cost, in the profile's own units, of the first `work` layer steps (work_done units).
  [[nodiscard]] double cost_at(std::int64_t work) const;

 private:
  std::vector<std::int64_t> work_;  // measured points, increasing, starting at 0
  std::vector<double> seconds_;
  double tail_slope_ = 1.0;  // seconds per layer step past the last measured point
};

}  // namespace deepntk::app
