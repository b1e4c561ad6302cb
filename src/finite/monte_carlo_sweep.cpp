#include "deepntk/finite/monte_carlo_sweep.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include <fmt/format.h>

#include "deepntk/core/checked_arithmetic.hpp"
#include "deepntk/finite/counter_random.hpp"
#include "deepntk/finite/entrywise_moments.hpp"
#include "deepntk/finite/gradient_gram.hpp"
#include "deepntk/finite/network_parameters.hpp"
#include "deepntk/finite/network_pass.hpp"

namespace deepntk::finite {

namespace {

constexpr double not_computed = std::numeric_limits<double>::quiet_NaN();

// A rectangle of a block's local array that is one pair of global blocks.
struct TileRegion {
  std::int64_t local_row = 0, local_col = 0, rows = 0, cols = 0;
};

// Runs of consecutive local indices whose points are in the same global block of `tile`
// points; the batch positions of a run must be consecutive too (a run is one GEMM operand).
struct Run {
  std::int64_t first = 0, count = 0, global_block = 0;
};

std::vector<Run> runs(const std::vector<std::int64_t>& ids, const std::vector<std::int64_t>& points, std::int64_t tile) {
  std::vector<Run> out;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const std::int64_t block = ids[i] / tile;
    const bool extends = !out.empty() && out.back().global_block == block && ids[i] == ids[i - 1] + 1 &&
                         points[i] == points[i - 1] + 1;
    if (extends) {
      ++out.back().count;
    } else {
      if (!out.empty() && out.back().global_block == block) {
        throw std::invalid_argument("MonteCarloSweep: the points of a global block are not consecutive in the batch");
      }
      out.push_back({static_cast<std::int64_t>(i), 1, block});
    }
  }
  return out;
}

struct BlockState {
  MonteCarloBlock layout;
  std::vector<TileRegion> tiles;
  std::vector<std::pair<std::int64_t, std::int64_t>> diagonal;  // (local index, batch point) of row_id == col_id entries
  std::vector<double> sample_ntk, sample_feature;  // one network's kernels
  EntrywiseMoments ntk, feature;
  EntrywiseMoments normalized_ntk, normalized_feature;  // of each network's normalized entries
  // What the last recorded depth returned (views handed out until the next advance).
  std::vector<double> out_ntk, out_feature, out_gap, out_ntk_error, out_feature_error;
  std::vector<double> out_ntk_spread, out_feature_spread;
  std::vector<double> row_ntk, col_ntk, row_feature, col_feature;
};

}  // namespace

struct MonteCarloSweep::Impl {
  FiniteNetworkSpec spec;
  kernels::DepthSchedule schedule;
  std::int64_t samples = 0;
  std::uint64_t seed = 0;
  PointBatch batch;
  std::vector<BlockState> blocks;
  EntrywiseMoments diagonal_ntk, diagonal_feature;  // per batch point
  std::int64_t next_record = 0, samples_done = 0, work_done = 0, work_total = 0;

  std::int64_t depth() const { return schedule.depths()[static_cast<std::size_t>(next_record)]; }
  void run_network();
  kernels::RecordedDepth record();
  void reset_moments();
};

MonteCarloSweep::MonteCarloSweep(FiniteNetworkSpec spec, kernels::DepthSchedule schedule, std::int64_t samples,
                                 std::uint64_t seed, PointBatch batch, std::vector<MonteCarloBlock> blocks)
    : impl_(std::make_unique<Impl>(Impl{spec, std::move(schedule), samples, seed, std::move(batch), {}, {}, {}})) {
  Impl& im = *impl_;
  im.spec.validate();
  if (samples < 2) {
    throw std::invalid_argument(fmt::format(
        "montecarlo.samples = {}: a mean with a standard error needs at least 2 random networks", samples));
  }
  if (im.schedule.depths().empty()) throw std::invalid_argument("MonteCarloSweep: the schedule records no depth");
  if (im.spec.network.architecture == kernels::Architecture::shortcut &&
      im.schedule.depths().front() < im.spec.network.readout_every) {
    throw std::invalid_argument(fmt::format("depth {} is below network.readout_every = {}: a shortcut network has no head there",
                                            im.schedule.depths().front(), im.spec.network.readout_every));
  }
  const PointBatch& b = im.batch;
  if (static_cast<std::int64_t>(b.values.size()) != checked_multiply(b.dimension, b.count, "the point batch") ||
      static_cast<std::int64_t>(b.sets.size()) != b.count || static_cast<std::int64_t>(b.ids.size()) != b.count) {
    throw std::invalid_argument("MonteCarloSweep: the point batch's arrays do not match its size");
  }
  for (const std::int64_t depth : im.schedule.depths()) {
    im.work_total = checked_add(im.work_total, checked_multiply(samples, depth, "the Monte-Carlo work"), "the Monte-Carlo work");
  }
  for (MonteCarloBlock& layout : blocks) {
    BlockState s;
    if (layout.tile < 1 || static_cast<std::int64_t>(layout.row_ids.size()) != layout.rows ||
        static_cast<std::int64_t>(layout.col_ids.size()) != layout.cols ||
        layout.row_points.size() != layout.row_ids.size() || layout.col_points.size() != layout.col_ids.size()) {
      throw std::invalid_argument("MonteCarloSweep: a block's ids and points do not match its shape");
    }
    for (const auto p : layout.row_points) {
      if (p < 0 || p >= b.count) throw std::invalid_argument("MonteCarloSweep: a block row is not in the batch");
    }
    for (const auto p : layout.col_points) {
      if (p < 0 || p >= b.count) throw std::invalid_argument("MonteCarloSweep: a block column is not in the batch");
    }
    for (const Run& r : runs(layout.row_ids, layout.row_points, layout.tile)) {
      for (const Run& c : runs(layout.col_ids, layout.col_points, layout.tile)) {
        if (layout.symmetric && r.global_block < c.global_block) continue;
        s.tiles.push_back({r.first, c.first, r.count, c.count});
      }
    }
    if (layout.symmetric) {
      for (std::int64_t c = 0; c < layout.cols; ++c)
        for (std::int64_t r = 0; r < layout.rows; ++r)
          if (layout.row_ids[static_cast<std::size_t>(r)] == layout.col_ids[static_cast<std::size_t>(c)]) {
            s.diagonal.emplace_back(r + c * layout.rows, layout.row_points[static_cast<std::size_t>(r)]);
          }
    }
    const auto size = static_cast<std::size_t>(checked_multiply(layout.rows, layout.cols, "a kernel block"));
    s.sample_ntk.resize(size);
    s.sample_feature.resize(size);
    s.layout = std::move(layout);
    im.blocks.push_back(std::move(s));
  }
  im.reset_moments();
}

MonteCarloSweep::~MonteCarloSweep() = default;
MonteCarloSweep::MonteCarloSweep(MonteCarloSweep&&) noexcept = default;
MonteCarloSweep& MonteCarloSweep::operator=(MonteCarloSweep&&) noexcept = default;

void MonteCarloSweep::Impl::reset_moments() {
  for (BlockState& s : blocks) {
    s.ntk = EntrywiseMoments(s.sample_ntk.size());
    s.feature = EntrywiseMoments(s.sample_feature.size());
    // A network whose signal died has 0/0 normalized entries: those count as no sample.
    s.normalized_ntk = EntrywiseMoments(s.sample_ntk.size(), EntrywiseMoments::Undefined::skipped);
    s.normalized_feature = EntrywiseMoments(s.sample_feature.size(), EntrywiseMoments::Undefined::skipped);
  }
  diagonal_ntk = EntrywiseMoments(static_cast<std::size_t>(batch.count));
  diagonal_feature = EntrywiseMoments(static_cast<std::size_t>(batch.count));
}

void MonteCarloSweep::Impl::run_network() {
  const NetworkParameters parameters =
      draw_parameters(spec, batch.dimension, depth(), sample_key(seed, static_cast<std::uint64_t>(samples_done)));
  const NetworkPass pass(spec, parameters, batch.values, batch.count);
  std::vector<GramTile> tiles;
  for (BlockState& s : blocks) {
    std::fill(s.sample_ntk.begin(), s.sample_ntk.end(), not_computed);
    std::fill(s.sample_feature.begin(), s.sample_feature.end(), not_computed);
    const std::int64_t ld = s.layout.rows;
    for (const TileRegion& t : s.tiles) {
      for (std::int64_t c = 0; c < t.cols; ++c)
        for (std::int64_t r = 0; r < t.rows; ++r) {
          const auto at = static_cast<std::size_t>(t.local_row + r + (t.local_col + c) * ld);
          s.sample_ntk[at] = s.sample_feature[at] = 0.0;
        }
      const std::size_t corner = static_cast<std::size_t>(t.local_row + t.local_col * ld);
      tiles.push_back({t.rows, t.cols, s.layout.row_points[static_cast<std::size_t>(t.local_row)],
                       s.layout.col_points[static_cast<std::size_t>(t.local_col)], s.sample_ntk.data() + corner,
                       s.sample_feature.data() + corner, ld});
    }
  }
  GramDiagonal diagonal{std::vector<double>(static_cast<std::size_t>(batch.count), 0.0),
                        std::vector<double>(static_cast<std::size_t>(batch.count), 0.0)};
  GradientGram gram(batch.count, std::move(tiles), &diagonal);
  pass.backward(gram);
  for (BlockState& s : blocks) {
    // A point's pair with itself is its diagonal value (the same bits on every rank, whichever
    // rank holds the diagonal block), so normalized entries are exactly 1 there.
    for (const auto& [at, point] : s.diagonal) {
      s.sample_ntk[static_cast<std::size_t>(at)] = diagonal.ntk[static_cast<std::size_t>(point)];
      s.sample_feature[static_cast<std::size_t>(at)] = diagonal.feature[static_cast<std::size_t>(point)];
    }
    s.ntk.add(s.sample_ntk);
    s.feature.add(s.sample_feature);
    // This network's normalized entries, for the spread across networks: the question at
    // bounded width is whether one deep network's normalized kernel already is the limit.
    for (auto* kind : {&s.sample_ntk, &s.sample_feature}) {
      const std::vector<double>& d = kind == &s.sample_ntk ? diagonal.ntk : diagonal.feature;
      const std::int64_t rows = s.layout.rows;
      for (std::int64_t c = 0; c < s.layout.cols; ++c) {
        const double dc = d[static_cast<std::size_t>(s.layout.col_points[static_cast<std::size_t>(c)])];
        for (std::int64_t r = 0; r < rows; ++r) {
          const double dr = d[static_cast<std::size_t>(s.layout.row_points[static_cast<std::size_t>(r)])];
          double& x = (*kind)[static_cast<std::size_t>(r + c * rows)];
          x = x / std::sqrt(dr * dc);
        }
      }
    }
    s.normalized_ntk.add(s.sample_ntk);
    s.normalized_feature.add(s.sample_feature);
  }
  diagonal_ntk.add(diagonal.ntk);
  diagonal_feature.add(diagonal.feature);
}

kernels::RecordedDepth MonteCarloSweep::Impl::record() {
  kernels::RecordedDepth rec;
  rec.depth = depth();
  rec.samples = samples;
  const auto& dn = diagonal_ntk.mean();
  const auto& df = diagonal_feature.mean();
  for (BlockState& s : blocks) {
    s.out_ntk = s.ntk.mean();
    s.out_feature = s.feature.mean();
    s.out_ntk_error = s.ntk.standard_error();
    s.out_feature_error = s.feature.standard_error();
    s.out_ntk_spread = s.normalized_ntk.standard_deviation();
    s.out_feature_spread = s.normalized_feature.standard_deviation();
    const auto pick = [](const std::vector<std::int64_t>& points, const std::vector<double>& values) {
      std::vector<double> out;
      for (const auto p : points) out.push_back(values[static_cast<std::size_t>(p)]);
      return out;
    };
    s.row_ntk = pick(s.layout.row_points, dn);
    s.col_ntk = pick(s.layout.col_points, dn);
    s.row_feature = pick(s.layout.row_points, df);
    s.col_feature = pick(s.layout.col_points, df);
    // 1 − normalized mean feature kernel. By subtraction: the Monte-Carlo error of the entries
    // is far above the rounding this loses (docs/kernels.md §Finite-width networks).
    s.out_gap.resize(s.out_feature.size());
    const std::int64_t rows = s.layout.rows;
    for (std::int64_t c = 0; c < s.layout.cols; ++c)
      for (std::int64_t r = 0; r < rows; ++r) {
        const auto at = static_cast<std::size_t>(r + c * rows);
        s.out_gap[at] = 1.0 - s.out_feature[at] / std::sqrt(s.row_feature[static_cast<std::size_t>(r)] *
                                                            s.col_feature[static_cast<std::size_t>(c)]);
      }
    for (const auto& entry : s.diagonal) s.out_gap[static_cast<std::size_t>(entry.first)] = 0.0;
    rec.blocks.push_back(kernels::BlockKernels{s.out_feature, s.out_ntk, s.out_gap, s.row_feature, s.col_feature,
                                               s.row_ntk, s.col_ntk, s.out_feature_error, s.out_ntk_error,
                                               s.out_feature_spread, s.out_ntk_spread});
  }
  return rec;
}

std::int64_t MonteCarloSweep::samples() const noexcept { return impl_->samples; }
std::int64_t MonteCarloSweep::samples_done() const noexcept { return impl_->samples_done; }
const kernels::NetworkSpec& MonteCarloSweep::spec() const noexcept { return impl_->spec.network; }
const kernels::DepthSchedule& MonteCarloSweep::schedule() const noexcept { return impl_->schedule; }
std::int64_t MonteCarloSweep::work_done() const noexcept { return impl_->work_done; }
std::int64_t MonteCarloSweep::work_total() const noexcept { return impl_->work_total; }
bool MonteCarloSweep::finished() const noexcept {
  return impl_->next_record >= static_cast<std::int64_t>(impl_->schedule.depths().size());
}
std::int64_t MonteCarloSweep::next_depth() const noexcept { return finished() ? 0 : impl_->depth(); }

std::optional<kernels::RecordedDepth> MonteCarloSweep::advance(std::int64_t max_work) {
  Impl& im = *impl_;
  if (finished()) return std::nullopt;
  std::int64_t budget = max_work;
  do {
    im.run_network();
    ++im.samples_done;
    im.work_done += im.depth();
    budget -= im.depth();
  } while (budget > 0 && im.samples_done < im.samples);
  if (im.samples_done < im.samples) return std::nullopt;
  auto rec = im.record();
  ++im.next_record;
  im.samples_done = 0;
  im.reset_moments();
  return rec;
}

namespace {

const char* const moment_names[] = {"ntk_mean", "ntk_squares", "feature_mean", "feature_squares"};
const char* const normalized_names[] = {"normalized_ntk_mean",     "normalized_ntk_squares",
                                        "normalized_feature_mean", "normalized_feature_squares",
                                        "normalized_ntk_count",    "normalized_feature_count"};

const std::vector<double>& named(const std::vector<kernels::NamedArray>& arrays, std::string_view name, std::size_t size) {
  for (const auto& a : arrays) {
    if (a.name == name) {
      if (a.values.size() != size) throw std::invalid_argument("Monte-Carlo state: array '" + std::string(name) + "' has the wrong size");
      return a.values;
    }
  }
  throw std::invalid_argument("Monte-Carlo state: no array '" + std::string(name) + "'");
}

}  // namespace

kernels::SweepState MonteCarloSweep::save_state() const {
  const Impl& im = *impl_;
  kernels::SweepState s;
  s.spec = im.spec.network;
  s.depths.assign(im.schedule.depths().begin(), im.schedule.depths().end());
  s.counters = {{"next_record", im.next_record}, {"samples_done", im.samples_done}, {"work_done", im.work_done},
                {"samples", im.samples}, {"width", im.spec.width}};
  for (const BlockState& b : im.blocks) {
    kernels::SweepState::Block out;
    out.rows = b.layout.rows;
    out.cols = b.layout.cols;
    out.group = b.layout.group;
    out.symmetric = b.layout.symmetric;
    out.row_ids = b.layout.row_ids;
    out.col_ids = b.layout.col_ids;
    out.arrays = {{moment_names[0], b.ntk.mean()},
                  {moment_names[1], b.ntk.squared_deviations()},
                  {moment_names[2], b.feature.mean()},
                  {moment_names[3], b.feature.squared_deviations()},
                  {normalized_names[0], b.normalized_ntk.mean()},
                  {normalized_names[1], b.normalized_ntk.squared_deviations()},
                  {normalized_names[2], b.normalized_feature.mean()},
                  {normalized_names[3], b.normalized_feature.squared_deviations()},
                  {normalized_names[4], b.normalized_ntk.entry_counts()},
                  {normalized_names[5], b.normalized_feature.entry_counts()}};
    s.blocks.push_back(std::move(out));
  }
  const std::vector<double>* diagonal[] = {&im.diagonal_ntk.mean(), &im.diagonal_ntk.squared_deviations(),
                                           &im.diagonal_feature.mean(), &im.diagonal_feature.squared_deviations()};
  for (std::int64_t set = 0; set <= 1; ++set) {
    for (std::size_t k = 0; k < 4; ++k) {
      kernels::SweepState::PointVector v;
      v.set = set;
      v.name = std::string("diagonal_") + moment_names[k];
      for (std::int64_t p = 0; p < im.batch.count; ++p) {
        if (im.batch.sets[static_cast<std::size_t>(p)] != set) continue;
        v.ids.push_back(im.batch.ids[static_cast<std::size_t>(p)]);
        v.values.push_back((*diagonal[k])[static_cast<std::size_t>(p)]);
      }
      s.point_vectors.push_back(std::move(v));
    }
  }
  return s;
}

void MonteCarloSweep::restore_state(const kernels::SweepState& s) {
  Impl& im = *impl_;
  if (!(s.spec == im.spec.network) || s.counter("samples") != im.samples || s.counter("width") != im.spec.width ||
      s.depths != std::vector<std::int64_t>(im.schedule.depths().begin(), im.schedule.depths().end())) {
    throw std::invalid_argument("Monte-Carlo state: saved for another network, schedule or sample count");
  }
  const std::int64_t next_record = s.counter("next_record"), samples_done = s.counter("samples_done");
  if (next_record < 0 || next_record > static_cast<std::int64_t>(im.schedule.depths().size()) || samples_done < 0 ||
      samples_done >= im.samples) {
    throw std::invalid_argument("Monte-Carlo state: counters out of range");
  }
  for (BlockState& b : im.blocks) {
    const kernels::SweepState::Block* saved = nullptr;
    for (const auto& candidate : s.blocks) {
      if (candidate.group == b.layout.group && candidate.row_ids == b.layout.row_ids && candidate.col_ids == b.layout.col_ids) {
        saved = &candidate;
      }
    }
    if (saved == nullptr) throw std::invalid_argument("Monte-Carlo state: no saved block for this rank's pairs");
    const std::size_t size = b.sample_ntk.size();
    b.ntk.restore(samples_done, named(saved->arrays, moment_names[0], size), named(saved->arrays, moment_names[1], size));
    b.feature.restore(samples_done, named(saved->arrays, moment_names[2], size), named(saved->arrays, moment_names[3], size));
    b.normalized_ntk.restore(samples_done, named(saved->arrays, normalized_names[0], size),
                             named(saved->arrays, normalized_names[1], size),
                             named(saved->arrays, normalized_names[4], size));
    b.normalized_feature.restore(samples_done, named(saved->arrays, normalized_names[2], size),
                                 named(saved->arrays, normalized_names[3], size),
                                 named(saved->arrays, normalized_names[5], size));
  }
  std::vector<double> diagonal[4];
  for (std::size_t k = 0; k < 4; ++k) {
    diagonal[k].assign(static_cast<std::size_t>(im.batch.count), not_computed);
    for (std::int64_t p = 0; p < im.batch.count; ++p) {
      const std::string name = std::string("diagonal_") + moment_names[k];
      const kernels::SweepState::PointVector* v = nullptr;
      for (const auto& candidate : s.point_vectors) {
        if (candidate.set == im.batch.sets[static_cast<std::size_t>(p)] && candidate.name == name) v = &candidate;
      }
      if (v == nullptr) throw std::invalid_argument("Monte-Carlo state: no saved " + name);
      bool found = false;
      for (std::size_t i = 0; i < v->ids.size(); ++i) {
        if (v->ids[i] == im.batch.ids[static_cast<std::size_t>(p)]) {
          diagonal[k][static_cast<std::size_t>(p)] = v->values[i];
          found = true;
          break;
        }
      }
      if (!found) throw std::invalid_argument("Monte-Carlo state: a point's saved diagonal is missing");
    }
  }
  im.diagonal_ntk.restore(samples_done, std::move(diagonal[0]), std::move(diagonal[1]));
  im.diagonal_feature.restore(samples_done, std::move(diagonal[2]), std::move(diagonal[3]));
  im.next_record = next_record;
  im.samples_done = samples_done;
  im.work_done = s.counter("work_done");
}

std::int64_t MonteCarloSweep::memory_bytes(const FiniteNetworkSpec& spec, std::int64_t input_dim, std::int64_t max_depth,
                                           std::int64_t batch_points, std::int64_t pairs) {
  constexpr std::string_view what = "the Monte-Carlo memory";
  // Per entry: one network's two kernels, the means and sums of squares of the two kernels and
  // of their normalized entries with the latter's sample counts, and the seven arrays a
  // recorded depth hands out (means, errors, spreads, gap).
  const std::int64_t per_pair = checked_multiply<std::int64_t>(pairs, 19 * 8, what);
  const std::int64_t per_point = checked_multiply<std::int64_t>(batch_points, 16 * 8, what);
  const std::int64_t parameters = checked_multiply<std::int64_t>(parameter_count(spec, input_dim, max_depth), 2 * 8, what);
  // The layer panel GradientGram buffers; its largest group is the first layer's (δ and a: m + d rows).
  const std::int64_t panel = GradientGram::panel_capacity(batch_points, checked_add(spec.width, std::max(spec.width, input_dim), what));
  return checked_add(checked_add(checked_add(per_pair, per_point, what), panel, what),
                     checked_add(parameters, NetworkPass::stored_bytes(spec, input_dim, max_depth, batch_points), what), what);
}

}  // namespace deepntk::finite
