#pragma once
// The one place a run's configuration picks its kernel producer (kernels/kernel_producer.hpp):
// network.width = "infinite" gives the exact depth sweep, a number the Monte-Carlo kernels of
// random networks of that width. Everything after this works on either.

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "deepntk/app/config.hpp"
#include "deepntk/data/distributed_input_kernel.hpp"
#include "deepntk/data/point_set.hpp"
#include "deepntk/kernels/depth_schedule.hpp"
#include "deepntk/kernels/depth_sweep.hpp"
#include "deepntk/kernels/kernel_producer.hpp"
#include "deepntk/matrix/distributed_matrix.hpp"

namespace deepntk::app {

/// `blocks` are the rank's train x train block (symmetric, group 0) and, with test points, its
/// test x train block (group 1), as built from `inputs`; `block` is the distribution's block
/// size. Throws std::invalid_argument for a network or schedule the producer cannot run.
[[nodiscard]] std::unique_ptr<kernels::KernelProducer> make_kernel_producer(
    const RunConfig& config, const kernels::DepthSchedule& schedule, const data::Dataset& dataset,
    const data::InputKernels& inputs, const std::vector<kernels::PairBlock>& blocks, std::int64_t block);

/// A producer's block (column-major local rows x cols, the layout of the matrix's local part)
/// into `target`'s local storage, times `scale`.
void copy_block(std::span<const double> values, matrix::DistributedMatrix& target, double scale = 1.0);

/// log of the factor c(K)² K by which the shortcut network's head rule (network.heads) scales
/// the analytic kernels at `depth` (K = depth / h heads; 0 for the default 1/sqrt(K) and for the
/// other architectures). The exact sweep computes the mean over heads; the run adds this to
/// its log scales.
[[nodiscard]] double head_rule_log_factor(const NetworkConfig& network, std::int64_t depth);

}  // namespace deepntk::app
