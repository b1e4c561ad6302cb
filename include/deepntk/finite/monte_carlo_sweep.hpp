#pragma once
// The Monte-Carlo kernel producer (docs/kernels.md §Finite-width networks): at each recorded
// depth L of the schedule, the mean over `samples` random networks of width m of their
// empirical NTK and feature kernel on a rank's blocks of pairs, with the standard error of
// every entry.
//
// Depths are the outer loop, networks the inner one: network s at depth L is drawn with the key
// (seed, s), so the networks of different depths share every tensor they both have (a deeper
// mlp or shortcut network extends the shallower one) and the convergence in depth is seen
// along the same networks. Only one depth's accumulators exist at a time; re-running the
// forward pass per depth costs O(points m² L), small beside the O(pairs m L) of the kernels.
//
// Work unit: one layer of one network (a network of depth L is L units, indivisible).
// Bit-identical on any rank count: a network's parameters depend only on (seed, s, tensor,
// index), a point's activations only on the point (NetworkPass), each kernel tile only on its
// two global blocks (GradientGram), and the mean adds the networks in the order s = 0, 1, ...

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "deepntk/finite/finite_network.hpp"
#include "deepntk/kernels/depth_schedule.hpp"
#include "deepntk/kernels/depth_sweep.hpp"
#include "deepntk/kernels/kernel_producer.hpp"

namespace deepntk::finite {

/// The points a rank evaluates its networks on: every point of its blocks, once.
struct PointBatch {
  std::int64_t dimension = 0, count = 0;
  std::vector<double> values;     ///< dimension x count, column-major: one point per column
  std::vector<std::int64_t> sets;  ///< the point set of each (0: train, 1: test)
  std::vector<std::int64_t> ids;   ///< its index in that set
};

/// One rank's part of one kernel matrix (rows x cols, column-major).
struct MonteCarloBlock {
  std::int64_t rows = 0, cols = 0;
  std::vector<std::int64_t> row_ids, col_ids;        ///< point ids of the local rows / columns
  std::vector<std::int64_t> row_points, col_points;  ///< their positions in the PointBatch
  /// Rows and columns are the same point set: only pairs in global block pairs on or below the
  /// block diagonal are computed, the rest is NaN for the caller to mirror; row_id == col_id
  /// entries are the points' own diagonal values.
  bool symmetric = false;
  std::int64_t group = 0;  ///< which kernel matrix (0 train x train, 1 test x train)
  /// The distribution's block size: one kernel tile per pair of global blocks, which is what
  /// makes a tile's bits independent of the rank count.
  std::int64_t tile = 64;
};

class MonteCarloSweep final : public kernels::KernelProducer {
 public:
  /// Validates the spec, the schedule against the architecture, `samples` >= 2 and the blocks
  /// against the batch; throws std::invalid_argument naming the problem.
  MonteCarloSweep(FiniteNetworkSpec spec, kernels::DepthSchedule schedule, std::int64_t samples, std::uint64_t seed,
                  PointBatch batch, std::vector<MonteCarloBlock> blocks);
  ~MonteCarloSweep() override;
  MonteCarloSweep(MonteCarloSweep&&) noexcept;
  MonteCarloSweep& operator=(MonteCarloSweep&&) noexcept;

  [[nodiscard]] std::int64_t samples() const noexcept;
  /// Networks done at the current depth.
  [[nodiscard]] std::int64_t samples_done() const noexcept;

  [[nodiscard]] const kernels::NetworkSpec& spec() const noexcept override;
  [[nodiscard]] const kernels::DepthSchedule& schedule() const noexcept override;
  [[nodiscard]] std::int64_t work_done() const noexcept override;
  [[nodiscard]] std::int64_t work_total() const noexcept override;
  [[nodiscard]] bool finished() const noexcept override;
  [[nodiscard]] std::int64_t next_depth() const noexcept override;
  std::optional<kernels::RecordedDepth> advance(std::int64_t max_work) override;
  [[nodiscard]] kernels::SweepState save_state() const override;
  void restore_state(const kernels::SweepState& state) override;

  /// Bytes a rank holds for `batch_points` points and `pairs` local kernel entries at depth
  /// `max_depth` (the planner's figure): stored activations and the per-entry accumulators.
  [[nodiscard]] static std::int64_t memory_bytes(const FiniteNetworkSpec& spec, std::int64_t input_dim,
                                                 std::int64_t max_depth, std::int64_t batch_points, std::int64_t pairs);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace deepntk::finite
