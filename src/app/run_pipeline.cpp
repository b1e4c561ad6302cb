#include "deepntk/app/run_pipeline.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fmt/format.h>
#include <optional>
#include <stdexcept>

#include "deepntk/analysis/metrics.hpp"
#include "deepntk/app/block_size.hpp"
#include "deepntk/app/checkpoint.hpp"
#include "deepntk/app/checkpoint_hash.hpp"
#include "deepntk/app/kernel_analysis.hpp"
#include "deepntk/app/finite_training.hpp"
#include "deepntk/app/finite_width_report.hpp"
#include "deepntk/app/kernel_producers.hpp"
#include "deepntk/app/load_dataset.hpp"
#include "deepntk/app/network_export.hpp"
#include "deepntk/analysis/diagnostics.hpp"
#include "deepntk/app/phase_times.hpp"
#include "deepntk/app/progress.hpp"
#include "deepntk/app/result_layout.hpp"
#include "deepntk/app/run_lock.hpp"
#include "deepntk/app/signals.hpp"
#include "deepntk/app/sweep_cost_profile.hpp"
#include "deepntk/core/counted.hpp"
#include "deepntk/data/distributed_input_kernel.hpp"
#include "deepntk/data/hdf5_input.hpp"
#include "deepntk/data/input_kernel.hpp"
#include "deepntk/data/sphere.hpp"
#include "deepntk/io/atomic_output.hpp"
#include "deepntk/io/attributes.hpp"
#include "deepntk/io/matrix_io.hpp"
#include "deepntk/io/replicated_array.hpp"
#include "deepntk/kernels/depth_schedule.hpp"
#include "deepntk/kernels/depth_sweep.hpp"
#include "deepntk/linalg/pblas.hpp"
#include "deepntk/mpi/agree.hpp"
#include "deepntk/mpi/communicator.hpp"
#include "deepntk/mpi/error.hpp"
#include "deepntk/version.hpp"
#include "deepntk/app/network_spec_from_config.hpp"

namespace deepntk::app {

using matrix::DistributedMatrix;
using matrix::LocalIndex;

namespace {

kernels::PairBlock pair_block(const data::LocalInputBlock& block, bool symmetric, std::int64_t group) {
  kernels::PairBlock out;
  out.rows = block.rows;
  out.cols = block.cols;
  out.row_k0_diag = block.row_k0_diagonal;
  out.col_k0_diag = block.col_k0_diagonal;
  out.input_gap = block.gap;
  out.row_ids = block.row_points;
  out.col_ids = block.col_points;
  out.symmetric = symmetric;
  out.group = group;
  return out;
}


// A per-point value known on the ranks whose local rows hold the point, on every rank.
// Each point is a local row on exactly one grid row, and every rank of that grid row has a
// copy; only grid column 0 contributes, so the sum adds exact zeros and is bit-exact.
std::vector<double> replicate_point_values(std::span<const std::int64_t> row_points, std::span<const double> values,
                                           std::int64_t count, const grid::ProcessGrid& grid) {
  std::vector<double> mine(static_cast<std::size_t>(count), 0.0);
  if (grid.my_col() == 0) {
    for (std::size_t r = 0; r < row_points.size(); ++r) mine[static_cast<std::size_t>(row_points[r])] = values[r];
  }
  std::vector<double> all(mine.size());
  mpi::check(MPI_Allreduce(mine.data(), all.data(), static_cast<int>(mine.size()), MPI_DOUBLE, MPI_SUM,
                           grid.communicator()),
             "MPI_Allreduce");
  return all;
}

// Targets distributed like the kernels' rows (class labels encoded one-hot), and stored under
// /targets as used when `file` is given.
DistributedTargets distribute_targets(const data::Dataset& dataset, bool center_targets,
                                      const std::shared_ptr<const grid::ProcessGrid>& grid, std::int64_t block,
                                      io::File* file) {
  DistributedTargets out;
  out.classes = dataset.classes;
  const auto place = [&](const data::PointSet& y, std::string_view path) {
    if (dataset.classes > 0) {
      const std::vector<std::int64_t> labels(y.values.begin(), y.values.end());
      auto m = analysis::one_hot_targets(grid, labels, dataset.classes, block, center_targets);
      if (file != nullptr) io::write_matrix(*file, path, m);
      return m;
    }
    if (file != nullptr) io::write_array(*file, path, y.values, {y.count, y.dimension});
    DistributedMatrix m(grid, y.count, y.dimension, block);
    m.fill([&](matrix::GlobalIndex r, matrix::GlobalIndex c) {
      return y.values[static_cast<std::size_t>(r.value() * y.dimension + c.value())];
    });
    return m;
  };
  if (dataset.y_train) out.train = place(*dataset.y_train, layout::y_train);
  if (dataset.y_test && dataset.test.count > 0) out.test = place(*dataset.y_test, layout::y_test);
  return out;
}

std::string utc_timestamp() {
  const std::time_t now = std::time(nullptr);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  return text;
}

void write_root_attributes(io::File& file, const RunConfig& config, const mpi::Communicator& world,
                           const grid::ProcessGrid& grid, std::int64_t block, const data::Dataset& dataset) {
  io::write_attribute(file, "/", "version", std::string_view(deepntk::version()));
  io::write_attribute(file, "/", "git_revision", std::string_view(deepntk::git_revision()));
  io::write_attribute(file, "/", "ranks", world.size());
  io::write_attribute(file, "/", "grid", std::string_view(grid.describe()));
  const std::int64_t shape[2] = {grid.shape().rows, grid.shape().cols};
  io::write_attribute(file, "/", "grid_shape", std::span<const std::int64_t>(shape));
  io::write_attribute(file, "/", "block_size", block);  // the one used (app/block_size.hpp)
  io::write_attribute(file, "/", "configuration", std::string_view(to_toml(config)));
  io::write_attribute(file, "/", "dataset", std::string_view(dataset.description));
  io::write_attribute(file, "/", "created", std::string_view(utc_timestamp()));
}

struct PairCounts {
  double total = 0;                   // kernel entries the sweep updates per layer step, all ranks
  std::int64_t most_on_one_rank = 0;  // the largest share of one rank
};

PairCounts sweep_pair_counts(const std::vector<kernels::PairBlock>& blocks, MPI_Comm comm) {
  std::int64_t mine = 0;
  for (const auto& b : blocks) mine += b.rows * b.cols;  // symmetric blocks do about half: an upper bound
  PairCounts counts;
  std::int64_t total = 0;
  mpi::check(MPI_Allreduce(&mine, &total, 1, MPI_INT64_T, MPI_SUM, comm), "MPI_Allreduce");
  mpi::check(MPI_Allreduce(&mine, &counts.most_on_one_rank, 1, MPI_INT64_T, MPI_MAX, comm), "MPI_Allreduce");
  counts.total = static_cast<double>(total);
  return counts;
}

// About 2e7 pair updates per slice on the busiest rank: 0.1-0.3 s for ReLU, about 1 s for erf
// (docs/performance.md), short enough for progress and a prompt reaction to a signal, long
// enough that the per-slice bookkeeping costs nothing measurable.
std::int64_t layers_per_slice(std::int64_t pairs_on_busiest_rank) {
  constexpr std::int64_t updates_per_slice = 20'000'000;
  return std::max<std::int64_t>(1, updates_per_slice / std::max<std::int64_t>(1, pairs_on_busiest_rank));
}

// /timing/seconds with the phase names as an attribute: rank 0's clock, broadcast so that every
// rank passes the same values to the collective write.
void write_timing(io::File& file, const mpi::Communicator& world, const PhaseTimes& times, double total) {
  std::vector<double> seconds;
  std::string names;
  for (const auto& [name, value] : times.entries()) {
    seconds.push_back(value);
    names += (names.empty() ? "" : ",") + name;
  }
  seconds.push_back(total);
  mpi::check(MPI_Bcast(seconds.data(), static_cast<int>(seconds.size()), MPI_DOUBLE, 0, world.handle()), "MPI_Bcast");
  const double wall = seconds.back();
  seconds.pop_back();
  io::write_vector(file, layout::timing_seconds, std::span<const double>(seconds));
  io::write_attribute(file, layout::timing_seconds, "phases", std::string_view(names));
  io::write_attribute(file, layout::timing_seconds, "total", wall);
}

}  // namespace

RunSummary run_pipeline(const RunConfig& config, const RunOptions& options, MPI_Comm comm) {
  const auto start = std::chrono::steady_clock::now();
  const mpi::Communicator world(comm);
  // From here on SIGTERM/SIGUSR1 stop the run at a layer boundary with a checkpoint.
  const InterruptSignals signals;
  PhaseTimes times;
  ProgressReporter progress(ProgressReporter::for_rank(world.is_root(), options.quiet));
  auto say = [&](const std::string& line) { progress.line(line); };

  // Everything that can be wrong with the request is found before anything is computed.
  const auto spec = mpi::agree(comm, [&] {
    auto s = network_spec_from_config(config.network);
    s.validate();
    return s;
  });
  const auto schedule = mpi::agree(comm, [&] { return kernels::DepthSchedule::parse(config.depth.schedule); });
  const auto grid = mpi::agree(comm, [&] {
    std::optional<grid::GridShape> shape;
    if (!config.parallel.automatic_grid()) {
      shape = grid::GridShape{static_cast<int>(config.parallel.grid[0]), static_cast<int>(config.parallel.grid[1])};
    }
    return std::make_shared<const grid::ProcessGrid>(comm, shape);
  });
  const auto inputs_start = PhaseTimes::Clock::now();
  const auto dataset = load_dataset(config.data, world);
  mpi::agree(comm, [&] {
    data::validate_points(dataset.train, "x_train");
    data::validate_points(dataset.test, "x_test");
  });
  const BlockChoice block_choice =
      choose_block_size(config.parallel.block_size, dataset.train.count, dataset.train.dimension, grid->shape());
  const std::int64_t block = block_choice.size;

  // The result is assembled at the end from the checkpoint's per-depth parts and published
  // atomically (checkpoint.hpp); what would make that fail is refused now.
  check_output_destination(world, config.output.path, options.force, checkpoint_directory(config),
                           run_input_files(config, options.config_file));
  // One run per output at a time: a second one is refused here, before it touches anything.
  const RunLock output_lock(world, RunLock::output_lock_path(config.output.path),
                            fmt::format("output '{}'", config.output.path),
                            "wait for it to finish, or choose another --output", true);
  RunCheckpoint checkpoint(world, config, result_fingerprint(config, dataset), options.fresh);
  say(fmt::format("{}; {} on a {} grid, block size {}", dataset.description, counted(world.size(), "rank"), grid->describe(),
                  block));

  auto inputs = data::assemble_input_kernels(dataset, grid, block);
  std::vector<kernels::PairBlock> blocks{pair_block(inputs.train_block, true, 0)};
  if (inputs.test_block) blocks.push_back(pair_block(*inputs.test_block, false, 1));
  // The producer: the exact sweep, or the Monte-Carlo kernels of finite networks (one site).
  const auto producer = make_kernel_producer(config, schedule, dataset, inputs, blocks, block);
  kernels::KernelProducer& sweep = *producer;
  SweepLayout sweep_layout{grid, block, {{0, dataset.train.count, dataset.train.count}}};
  if (inputs.test_block) sweep_layout.groups.push_back({1, dataset.test.count, dataset.train.count});
  if (checkpoint.resume(sweep, blocks, sweep_layout) && world.is_root()) {
    // Also with --quiet: a resumed run must say so (scripts and job logs look for this line).
    std::printf("deepntk: resuming from checkpoint %s at layer %lld (%lld of %zu depths done)\n",
                checkpoint.directory().c_str(), static_cast<long long>(sweep.work_done()),
                static_cast<long long>(checkpoint.depths_done()), schedule.depths().size());
    std::fflush(stdout);
  }
  const std::vector<std::int64_t> depths(schedule.depths().begin(), schedule.depths().end());
  // What the layer steps will cost, for the ETA (sweep_cost_profile.hpp). Every rank times its
  // own sample in parallel, so no rank waits and the phase tables agree.
  SweepCostProfile cost_profile;  // uniform for the Monte Carlo: every network layer costs the same
  if (!options.quiet && config.network.infinite_width()) {
    const auto timed = times.measure("calibration");
    cost_profile = SweepCostProfile::calibrate(spec, schedule, blocks[0], 0.5);
  }
  const double cost_total = cost_profile.cost_at(sweep.work_total());

  const auto targets = distribute_targets(dataset, config.data.center_targets, grid, block, nullptr);
  times.add_since("inputs", inputs_start);
  // Warnings go to stderr from rank 0 even with --quiet: a fallback changes what the numbers mean.
  const auto warn = [&](const std::string& line) {
    if (world.is_root()) std::fprintf(stderr, "deepntk: %s\n", line.c_str()), std::fflush(stderr);
  };
  if (block_choice.warning) warn(*block_choice.warning);

  RunSummary summary;
  summary.output_path = config.output.path;
  summary.grid = grid->describe();
  summary.ranks = world.size();
  summary.n_train = dataset.train.count;
  summary.n_test = dataset.test.count;
  summary.depths = depths;
  summary.lines = checkpoint.earlier_lines(config.depth.kinds);

  DistributedMatrix train(grid, dataset.train.count, dataset.train.count, block);
  std::optional<DistributedMatrix> test;
  if (inputs.test) test.emplace(grid, dataset.test.count, dataset.train.count, block);

  // The sweep runs in slices of `slice` layer steps, the same number on every rank (what happens
  // between slices, progress now and checkpoints later, must line up across ranks).
  // Finite width: standard errors and the comparison with infinite width at every depth.
  std::optional<FiniteWidthReport> finite_report;
  if (!config.network.infinite_width()) {
    finite_report.emplace(config, grid, block, blocks[0], dataset.train.count, inputs.test_block ? dataset.test.count : 0);
  }
  const auto pairs = sweep_pair_counts(blocks, comm);
  const std::int64_t slice = layers_per_slice(pairs.most_on_one_rank);
  const std::int64_t first_layer = sweep.work_done();
  std::int64_t depths_done = checkpoint.depths_done();
  const std::int64_t depths_resumed = depths_done;  // analysed by an earlier, interrupted run
  double analysis_seconds = 0;                      // this invocation's, for the ETA

  while (!sweep.finished()) {
    {
      const auto timed = times.measure("checkpoint");
      checkpoint.at_layer_boundary(sweep);  // agrees on signals; saves the state when due
    }
    std::optional<kernels::RecordedDepth> recorded;
    {
      const auto timed = times.measure("sweep");
      recorded = sweep.advance(std::min(slice, checkpoint.layers_until_due(sweep)));
    }
    progress.sweep({.layers_done = sweep.work_done(),
                    .layers_total = sweep.work_total(),
                    .pairs = pairs.total,
                    .next_depth = recorded ? recorded->depth : sweep.next_depth(),
                    .sweep_seconds = times.seconds("sweep"),
                    .sweep_layers = sweep.work_done() - first_layer,
                    .analysis_seconds = analysis_seconds,
                    .depths_done = depths_done,
                    .depths_analysed = depths_done - depths_resumed,
                    .depths_total = static_cast<std::int64_t>(depths.size()),
                    .cost_done = cost_profile.cost_at(sweep.work_done()),
                    .cost_total = cost_total});
    if (!recorded) continue;
    const auto depth_start = PhaseTimes::Clock::now();
    const std::int64_t depth = recorded->depth;
    if (config.network.infinite_width()) {
      // The sweep computes the shortcut's mean over heads; network.heads scales it by c(K)² K.
      const double heads = head_rule_log_factor(config.network, depth);
      recorded->nngp_log_scale += heads;
      recorded->ntk_log_scale += heads;
    }
    if (finite_report) {
      const auto timed = times.measure("reference");
      finite_report->start_depth(depth);
    }
    // Everything of this depth goes to its own checkpoint part, in the result's layout.
    auto part = checkpoint.open_depth_part(depths_done);
    io::File& file = part->file();
    if (finite_report) write_exported_networks(file, config, dataset.train.dimension, depth);  // montecarlo.export
    std::vector<DiagnosticsTable> diagnostics(config.depth.kinds.size());
    const std::size_t first_line = summary.lines.size();
    auto kernel_output = std::make_optional<PhaseTimes::Scope>(times, "kernel output");
    const bool write_matrices = config.output.kernels.includes(depth);  // the n x n matrices are optional
    if (config.output.gaps) {
      // 1 - normalized NNGP, accurate where it cannot be recovered from the stored kernels.
      copy_block(recorded->blocks[0].nngp_gap, train);
      linalg::mirror_triangle(linalg::Triangle::lower, train);
      io::write_matrix(file, layout::kernel_path("nngp", depth, "train_gap"), train);
      if (test) {
        copy_block(recorded->blocks[1].nngp_gap, *test);
        io::write_matrix(file, layout::kernel_path("nngp", depth, "test_gap"), *test);
      }
    }
    if (finite_report && config.training.steps > 0) {
      const auto timed = times.measure("training");
      try {
        train_networks_at_depth(file, config, dataset, depth, world);
      } catch (const mpi::CollectiveError&) {
        // A diverged training is a setting to change (training.learning_rate), and a changed
        // setting could not resume this checkpoint anyway: nothing of the run is kept.
        part.reset();
        checkpoint.remove();
        throw;
      }
    }
    for (std::size_t kind_index = 0; kind_index < config.depth.kinds.size(); ++kind_index) {
      const KernelKind kind = config.depth.kinds[kind_index];
      const bool ntk = kind == KernelKind::ntk;
      const std::string_view name = to_string(kind);
      const double log_scale = ntk ? recorded->ntk_log_scale : recorded->nngp_log_scale;
      const auto& train_values = recorded->blocks[0];
      copy_block(ntk ? train_values.ntk : train_values.nngp, train);
      linalg::mirror_triangle(linalg::Triangle::lower, train);

      const auto train_diagonal =
          replicate_point_values(inputs.train_block.row_points, ntk ? train_values.row_ntk_diag : train_values.row_nngp_diag,
                                 dataset.train.count, *grid);
      const std::string group = layout::kernel_group(name, depth);
      if (write_matrices) io::write_matrix(file, layout::kernel_path(name, depth, "train"), train);
      io::write_vector(file, layout::kernel_path(name, depth, "train_diag"), std::span<const double>(train_diagonal));
      io::write_attribute(file, group, "log_scale", log_scale);
      if (finite_report) finite_report->write(file, name, ntk, *recorded, train, write_matrices);
      if (test) {
        const auto& test_values = recorded->blocks[1];
        copy_block(ntk ? test_values.ntk : test_values.nngp, *test);
        if (write_matrices) io::write_matrix(file, layout::kernel_path(name, depth, "test"), *test);
        const auto all = replicate_point_values(inputs.test_block->row_points,
                                                ntk ? test_values.row_ntk_diag : test_values.row_nngp_diag,
                                                dataset.test.count, *grid);
        io::write_vector(file, layout::kernel_path(name, depth, "test_diag"), std::span<const double>(all));
      }

      kernel_output.reset();

      RunSummary::DepthLine line;
      line.depth = depth;
      line.kind = std::string(name);
      const KernelAtDepth at{name, depth, log_scale, train, test ? &*test : nullptr, train_diagonal};
      line.figures = analyze_kernel(file, config, at, targets, diagnostics[kind_index], warn, times, progress);
      line.mean_normalized_offdiagonal = line.figures.has_diagnostics
                                             ? line.figures.mean_offdiagonal
                                             : analysis::normalized_gram_diagnostics(train, train_diagonal).mean_offdiagonal;
      summary.lines.push_back(line);
      kernel_output.emplace(times, "kernel output");
    }
    kernel_output.reset();
    for (std::size_t i = 0; i < diagnostics.size(); ++i) {
      if (!diagnostics[i].empty()) diagnostics[i].write(file, to_string(config.depth.kinds[i]));
    }
    {
      // Flush, fsync and rename of this depth's part file: the price of surviving a kill.
      const auto timed = times.measure("checkpoint");
      checkpoint.close_depth_part(*part, std::span(summary.lines).subspan(first_line));
    }
    ++depths_done;
    analysis_seconds += std::chrono::duration<double>(PhaseTimes::Clock::now() - depth_start).count();
    say(fmt::format("depth {} done ({} of {})", depth, depths_done, depths.size()));
  }

  {
    const auto timed = times.measure("finish");
    // The result goes to a temporary name and only becomes the final file at commit().
    io::AtomicOutput output(world, config.output.path, options.force, checkpoint.assembly_bytes());
    io::File& file = output.file();
    write_root_attributes(file, config, world, *grid, block, dataset);
    io::write_vector(file, layout::depths, std::span<const std::int64_t>(depths));
    write_inputs(file, dataset);
    static_cast<void>(distribute_targets(dataset, config.data.center_targets, grid, block, &file));
    checkpoint.assemble(file, config.depth.kinds);
    summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    // Rank 0's times, the same numbers on every rank (the file gets one copy).
    write_timing(file, world, times, summary.seconds);
    output.commit();
    checkpoint.remove();
  }
  summary.phases = times.entries();
  return summary;
}

std::string format_summary(const RunSummary& s) {
  std::string out = fmt::format("deepntk: wrote {}\n", s.output_path);
  out += fmt::format("  {} train / {} test points, {} ({} grid), {}, {:.1f} s\n", s.n_train, s.n_test,
                     counted(s.ranks, "rank"), s.grid, counted(static_cast<std::int64_t>(s.depths.size()), "depth"),
                     s.seconds);
  out += fmt::format("  {:>8}  {:>5}  {:>11}  {:>11}  {:>10}  {:>8}  {:>10}  {:>11}  {:>6}\n", "depth", "kind",
                     "lambda_min", "lambda_max", "condition", "eff.rank", "mean K_ij", "test MSE", "acc.");
  const auto number = [](bool present, double value, std::string_view spec) {
    return present ? fmt::format(fmt::runtime(spec), value) : std::string("-");
  };
  bool any_fallback = false;
  for (const auto& line : s.lines) {
    const auto& f = line.figures;
    any_fallback = any_fallback || f.fell_back;
    out += fmt::format("  {:>8}  {:>5}  {:>11}  {:>11}  {:>10}  {:>8}  {:>10.6f}  {:>11}  {:>6}{}\n", line.depth,
                       line.kind, number(f.has_spectrum, f.lambda_min, "{:.5g}"),
                       number(f.has_spectrum, f.lambda_max, "{:.5g}"), number(f.has_spectrum, f.condition, "{:.4g}"),
                       number(f.has_spectrum, f.effective_rank, "{:.3g}"), line.mean_normalized_offdiagonal,
                       number(f.has_mse, f.mse, "{:.5g}"), number(f.accuracy >= 0, f.accuracy, "{:.3f}"),
                       f.fell_back ? "  *" : "");
  }
  out += "  (mean K_ij: mean normalized off-diagonal entry of the train Gram matrix; test MSE and acc.: at the\n"
         "   first analysis.ridge value)\n";
  if (any_fallback) out += "  * a solve fell back (see the warnings and /regression/.../solver)\n";
  if (!s.phases.empty()) {
    PhaseTimes times;
    for (const auto& [name, value] : s.phases) times.add(name, value);
    out += "  time per phase (rank 0):\n" + times.format(s.seconds);
  }
  return out;
}

}  // namespace deepntk::app
