#pragma once
// The seam between the run pipeline and whatever computes kernels at the recorded depths of a
// schedule: the exact infinite-width sweep (DepthSweep) or the Monte-Carlo estimate over random
// finite networks (finite::MonteCarloSweep). The pipeline drives a producer in slices of work,
// analyses and stores each recorded depth it returns, and checkpoints its state between slices;
// it does not know which producer it drives.
//
// Contract of every producer:
//  - work is counted in units that cost about the same (layer steps of one pair set); advance()
//    does at most max_work of them (at least one indivisible unit) and stops at the first
//    recorded depth it completes;
//  - blocks of the RecordedDepth are in the order of the blocks the producer was built with,
//    each the rank's local part of one kernel matrix, column-major;
//  - save_state() between two advance() calls captures everything; restore_state() of it (also
//    reblocked for another rank count) continues with bit-identical results;
//  - results depend only on the pairs' own points and the configuration, never on the split of
//    the pairs into blocks or the number of advance() calls.

#include <cstdint>
#include <optional>

#include "deepntk/kernels/depth_schedule.hpp"
#include "deepntk/kernels/network.hpp"
#include "deepntk/kernels/sweep_state.hpp"

namespace deepntk::kernels {

struct RecordedDepth;

class KernelProducer {
 public:
  virtual ~KernelProducer() = default;

  [[nodiscard]] virtual const NetworkSpec& spec() const noexcept = 0;
  [[nodiscard]] virtual const DepthSchedule& schedule() const noexcept = 0;

  [[nodiscard]] virtual std::int64_t work_done() const noexcept = 0;
  [[nodiscard]] virtual std::int64_t work_total() const noexcept = 0;
  [[nodiscard]] virtual bool finished() const noexcept = 0;
  /// The next depth that will be recorded (0 when finished).
  [[nodiscard]] virtual std::int64_t next_depth() const noexcept = 0;

  virtual std::optional<RecordedDepth> advance(std::int64_t max_work) = 0;

  [[nodiscard]] virtual SweepState save_state() const = 0;
  virtual void restore_state(const SweepState& state) = 0;
};

}  // namespace deepntk::kernels
