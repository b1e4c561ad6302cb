#include "deepntk/app/finite_training.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <string>

#include <fmt/format.h>

#include "deepntk/app/network_spec_from_config.hpp"
#include "deepntk/finite/counter_random.hpp"
#include "deepntk/finite/network_parameters.hpp"
#include "deepntk/finite/training.hpp"
#include "deepntk/io/attributes.hpp"
#include "deepntk/io/replicated_array.hpp"
#include "deepntk/mpi/agree.hpp"
#include "deepntk/mpi/all_gather.hpp"
#include "deepntk/mpi/error.hpp"

namespace deepntk::app {

std::vector<std::int64_t> training_record_steps(const TrainingConfig& training) {
  std::set<std::int64_t> steps{0, training.steps};
  const double last = static_cast<double>(training.steps);
  for (std::int64_t r = 1; r + 1 < training.records && training.steps > 1; ++r) {
    const double fraction = static_cast<double>(r) / static_cast<double>(training.records - 1);
    steps.insert(static_cast<std::int64_t>(std::llround(std::pow(last, fraction))));
  }
  return {steps.begin(), steps.end()};
}

namespace {

// One network's trace as a fixed-length row of numbers (for the gather): six curves of T
// values, then the two test prediction vectors of m values.
std::vector<double> flatten(const finite::TrainingTrace& t) {
  std::vector<double> row;
  for (const auto* curve : {&t.train_loss, &t.test_loss, &t.kernel_change, &t.linear_train_loss, &t.linear_test_loss}) {
    row.insert(row.end(), curve->begin(), curve->end());
  }
  row.insert(row.end(), t.test_predictions.begin(), t.test_predictions.end());
  row.insert(row.end(), t.linear_test_predictions.begin(), t.linear_test_predictions.end());
  return row;
}

}  // namespace

void train_networks_at_depth(io::File& file, const RunConfig& config, const data::Dataset& dataset, std::int64_t depth,
                             const mpi::Communicator& world) {
  const finite::FiniteNetworkSpec spec = finite_spec_from_config(config.network);
  const auto records = training_record_steps(config.training);
  const std::int64_t n = dataset.train.count, m = dataset.test.count, samples = config.montecarlo.samples;
  const auto t = static_cast<std::int64_t>(records.size());
  const std::int64_t row_length = 5 * t + 2 * m;
  finite::TrainingOptions options;
  options.steps = config.training.steps;
  options.learning_rate = config.training.learning_rate;
  options.record_steps = records;
  // Targets: one column (validated with the configuration); points row-major = one point per
  // column of a dimension x count array.
  if (!dataset.y_train) {
    throw mpi::CollectiveError("training.steps: training needs targets, and this dataset has none (an hdf5 file "
                               "without y_train); add y_train, or set training.steps = 0");
  }
  const std::span<const double> y_train = dataset.y_train->values;
  const std::span<const double> y_test =
      dataset.y_test && m > 0 ? std::span<const double>(dataset.y_test->values) : std::span<const double>();
  if (dataset.y_train->dimension != 1 || (m > 0 && !y_test.empty() && dataset.y_test->dimension != 1)) {
    throw mpi::CollectiveError(fmt::format("training.steps: the networks have one output, but the targets have {} "
                                           "columns; train on one target column, or set training.steps = 0",
                                           dataset.y_train->dimension));
  }
  std::vector<double> mine;
  mpi::agree(world.handle(), [&] {
    for (std::int64_t s = world.rank(); s < samples; s += world.size()) {
      auto parameters = finite::draw_parameters(spec, dataset.train.dimension, depth,
                                                finite::sample_key(config.montecarlo.seed, static_cast<std::uint64_t>(s)));
      try {
        const auto trace = finite::train_network(spec, std::move(parameters), dataset.train.values, y_train,
                                                 dataset.test.values, y_test, options);
        const auto row = flatten(trace);
        if (static_cast<std::int64_t>(row.size()) != row_length) throw std::logic_error("training trace of the wrong size");
        mine.insert(mine.end(), row.begin(), row.end());
      } catch (const finite::TrainingDiverged& e) {
        throw std::runtime_error(fmt::format("network {} at depth {}: {}", s, depth, e.what()));
      }
    }
  });
  // Every rank's rows in rank order, then back into network order s = 0, 1, ...: rank r holds
  // s = r, r + P, ..., so its rows start after those of the ranks before it.
  const int ranks = world.size();
  const std::vector<double> gathered = mpi::all_gather(world.handle(), mine);
  std::vector<std::int64_t> first_row(static_cast<std::size_t>(ranks), 0);
  for (int r = 1; r < ranks; ++r) {
    const std::int64_t rows_before = (samples - (r - 1) + ranks - 1) / ranks;  // networks of rank r - 1
    first_row[static_cast<std::size_t>(r)] = first_row[static_cast<std::size_t>(r - 1)] + std::max<std::int64_t>(0, rows_before);
  }
  std::vector<double> rows(gathered.size());
  for (std::int64_t s = 0; s < samples; ++s) {
    const std::int64_t rank = s % ranks, position = s / ranks;
    const double* from = gathered.data() + (first_row[static_cast<std::size_t>(rank)] + position) * row_length;
    std::copy(from, from + row_length, rows.begin() + s * row_length);
  }
  const auto column = [&](std::int64_t first, std::int64_t length) {
    std::vector<double> out;
    for (std::int64_t s = 0; s < samples; ++s) {
      const auto begin = rows.begin() + s * row_length + first;
      out.insert(out.end(), begin, begin + length);
    }
    return out;
  };
  const std::string group = "/training/" + std::to_string(depth);
  io::write_vector(file, group + "/steps", std::span<const std::int64_t>(records));
  const char* curves[] = {"train_loss", "test_loss", "kernel_change", "linear_train_loss", "linear_test_loss"};
  for (std::int64_t c = 0; c < 5; ++c) {
    const auto values = column(c * t, t);
    io::write_array(file, group + "/" + curves[c], std::span<const double>(values), {samples, t});
  }
  if (m > 0) {
    const auto trained = column(5 * t, m), linear = column(5 * t + m, m);
    io::write_array(file, group + "/test_predictions", std::span<const double>(trained), {samples, m});
    io::write_array(file, group + "/linear_test_predictions", std::span<const double>(linear), {samples, m});
  }
  io::write_attribute(file, group, "learning_rate", config.training.learning_rate);
  io::write_attribute(file, group, "train_points", n);
}

}  // namespace deepntk::app
