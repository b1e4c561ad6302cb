#include "deepntk/app/kernel_producers.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "deepntk/app/network_spec_from_config.hpp"
#include "deepntk/finite/monte_carlo_sweep.hpp"

namespace deepntk::app {

namespace {

// Every point the rank's blocks touch, once: train points (set 0) in id order, then test
// points (set 1) in id order, so that the points of one global block are consecutive.
struct BatchIndex {
  finite::PointBatch batch;
  std::map<std::int64_t, std::int64_t> train_position, test_position;
};

BatchIndex make_batch(const data::Dataset& dataset, const data::InputKernels& inputs) {
  std::vector<std::int64_t> train(inputs.train_block.row_points);
  train.insert(train.end(), inputs.train_block.col_points.begin(), inputs.train_block.col_points.end());
  std::vector<std::int64_t> test;
  if (inputs.test_block) {
    train.insert(train.end(), inputs.test_block->col_points.begin(), inputs.test_block->col_points.end());
    test = inputs.test_block->row_points;
  }
  for (auto* ids : {&train, &test}) {
    std::sort(ids->begin(), ids->end());
    ids->erase(std::unique(ids->begin(), ids->end()), ids->end());
  }
  BatchIndex out;
  finite::PointBatch& b = out.batch;
  b.dimension = dataset.train.dimension;
  const auto add = [&](const data::PointSet& set, std::int64_t set_id, std::int64_t id, auto& positions) {
    positions[id] = b.count++;
    const auto point = set.point(id);
    b.values.insert(b.values.end(), point.begin(), point.end());
    b.sets.push_back(set_id);
    b.ids.push_back(id);
  };
  for (const auto id : train) add(dataset.train, 0, id, out.train_position);
  for (const auto id : test) add(dataset.test, 1, id, out.test_position);
  return out;
}

std::vector<std::int64_t> positions(const std::vector<std::int64_t>& ids, const std::map<std::int64_t, std::int64_t>& at) {
  std::vector<std::int64_t> out;
  out.reserve(ids.size());
  for (const auto id : ids) out.push_back(at.at(id));
  return out;
}

finite::MonteCarloBlock monte_carlo_block(const data::LocalInputBlock& block, const std::map<std::int64_t, std::int64_t>& rows,
                                          const std::map<std::int64_t, std::int64_t>& cols, bool symmetric,
                                          std::int64_t group, std::int64_t tile) {
  finite::MonteCarloBlock b;
  b.rows = block.rows;
  b.cols = block.cols;
  b.row_ids = block.row_points;
  b.col_ids = block.col_points;
  b.row_points = positions(block.row_points, rows);
  b.col_points = positions(block.col_points, cols);
  b.symmetric = symmetric;
  b.group = group;
  b.tile = tile;
  return b;
}

}  // namespace

std::unique_ptr<kernels::KernelProducer> make_kernel_producer(const RunConfig& config,
                                                              const kernels::DepthSchedule& schedule,
                                                              const data::Dataset& dataset,
                                                              const data::InputKernels& inputs,
                                                              const std::vector<kernels::PairBlock>& blocks,
                                                              std::int64_t block) {
  if (config.network.infinite_width()) {
    return std::make_unique<kernels::DepthSweep>(network_spec_from_config(config.network), schedule, blocks);
  }
  BatchIndex index = make_batch(dataset, inputs);
  std::vector<finite::MonteCarloBlock> mc{
      monte_carlo_block(inputs.train_block, index.train_position, index.train_position, true, 0, block)};
  if (inputs.test_block) {
    mc.push_back(monte_carlo_block(*inputs.test_block, index.test_position, index.train_position, false, 1, block));
  }
  return std::make_unique<finite::MonteCarloSweep>(finite_spec_from_config(config.network), schedule,
                                                   config.montecarlo.samples, config.montecarlo.seed,
                                                   std::move(index.batch), std::move(mc));
}

void copy_block(std::span<const double> values, matrix::DistributedMatrix& target, double scale) {
  for (std::int64_t c = 0; c < target.local_cols(); ++c)
    for (std::int64_t r = 0; r < target.local_rows(); ++r)
      target.at(matrix::LocalIndex(r), matrix::LocalIndex(c)) =
          scale * values[static_cast<std::size_t>(r + c * target.local_rows())];
}

double head_rule_log_factor(const NetworkConfig& network, std::int64_t depth) {
  if (network.architecture != Architecture::shortcut) return 0.0;
  const double heads = static_cast<double>(depth / network.readout_every);
  switch (network.heads) {
    case finite::HeadCombination::inverse_sqrt_count: return 0.0;
    case finite::HeadCombination::sum: return std::log(heads);     // c = 1: c² K = K
    case finite::HeadCombination::mean: return -std::log(heads);   // c = 1/K: c² K = 1/K
  }
  return 0.0;
}

}  // namespace deepntk::app
