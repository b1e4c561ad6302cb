#pragma once
// `training.steps > 0` at finite width: every network of a recorded depth trained by gradient
// descent beside its linearization (finite/training.hpp), written under /training/<L>
// (docs/output-format.md). Network s is trained by rank s mod P, alone and serially, so the
// numbers do not depend on the rank count; the ranks then share them.

#include <cstdint>

#include "deepntk/app/config.hpp"
#include "deepntk/data/point_set.hpp"
#include "deepntk/io/file.hpp"
#include "deepntk/mpi/communicator.hpp"

namespace deepntk::app {

/// The record steps of `config.training`: 0, the last step, and about `records` in between,
/// spaced evenly in log(step), increasing.
[[nodiscard]] std::vector<std::int64_t> training_record_steps(const TrainingConfig& training);

/// Collective. Trains the networks s = 0 .. samples - 1 of `depth` on the dataset's train
/// points and targets (one column) and writes what they did. A network whose loss diverges
/// ends the run on every rank with one message naming the network, the step and the fix.
void train_networks_at_depth(io::File& file, const RunConfig& config, const data::Dataset& dataset,
                             std::int64_t depth, const mpi::Communicator& world);

}  // namespace deepntk::app
