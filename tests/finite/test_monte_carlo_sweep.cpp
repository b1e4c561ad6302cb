// The Monte-Carlo producer on its own (no MPI): its means are the means of the networks'
// kernels, its entries do not depend on how the pairs are split into blocks (the property that
// makes results identical on any rank count), the diagonal of a symmetric block is the points'
// own values, and a save/restore in the middle of a depth's networks changes no bit.

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <numeric>
#include <vector>

#include "deepntk/finite/entrywise_moments.hpp"
#include "deepntk/finite/gram_tile_kernel.hpp"
#include "deepntk/finite/monte_carlo_sweep.hpp"
#include "finite_test_support.hpp"

using namespace deepntk::finite;
using namespace deepntk::finite::testing;
using deepntk::kernels::Activation;
using deepntk::kernels::Architecture;
using deepntk::kernels::DepthSchedule;

namespace {

constexpr std::int64_t n = 11, dim = 4, samples = 5;

PointBatch train_batch(const std::vector<double>& x) {
  PointBatch b;
  b.dimension = dim;
  b.count = n;
  b.values = x;
  b.sets.assign(n, 0);
  b.ids.resize(n);
  std::iota(b.ids.begin(), b.ids.end(), std::int64_t{0});
  return b;
}

// The block of rows `rows` x columns `cols` of the train x train matrix (ids = batch positions).
MonteCarloBlock block(std::vector<std::int64_t> rows, std::vector<std::int64_t> cols, bool symmetric, std::int64_t tile) {
  MonteCarloBlock b;
  b.rows = static_cast<std::int64_t>(rows.size());
  b.cols = static_cast<std::int64_t>(cols.size());
  b.row_ids = b.row_points = std::move(rows);
  b.col_ids = b.col_points = std::move(cols);
  b.symmetric = symmetric;
  b.tile = tile;
  return b;
}

std::vector<std::int64_t> range(std::int64_t first, std::int64_t last) {
  std::vector<std::int64_t> v(static_cast<std::size_t>(last - first));
  std::iota(v.begin(), v.end(), first);
  return v;
}

std::vector<std::int64_t> join(std::vector<std::int64_t> a, const std::vector<std::int64_t>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

struct Recorded {
  std::int64_t depth;
  std::vector<std::vector<double>> ntk, feature, ntk_error;
};

std::vector<Recorded> run(MonteCarloSweep& sweep, std::int64_t slice) {
  std::vector<Recorded> out;
  while (!sweep.finished()) {
    if (auto rec = sweep.advance(slice)) {
      Recorded r{rec->depth, {}, {}, {}};
      for (const auto& b : rec->blocks) {
        r.ntk.emplace_back(b.ntk.begin(), b.ntk.end());
        r.feature.emplace_back(b.nngp.begin(), b.nngp.end());
        r.ntk_error.emplace_back(b.ntk_standard_error.begin(), b.ntk_standard_error.end());
      }
      out.push_back(std::move(r));
    }
  }
  return out;
}

bool same_bits(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

const FiniteNetworkSpec spec = make_spec(Architecture::shortcut, Activation::erf, 0.2, 6, 2);
const auto schedule = DepthSchedule::parse("2, 5, 8");

}  // namespace

BOOST_AUTO_TEST_CASE(the_means_are_the_means_of_the_networks_kernels) {
  const auto x = random_inputs(dim, n, 4);
  MonteCarloSweep sweep(spec, schedule, samples, 99, train_batch(x), {block(range(0, n), range(0, n), false, n)});
  BOOST_TEST(sweep.work_total() == samples * (2 + 5 + 8));
  const auto recorded = run(sweep, 7);
  BOOST_REQUIRE(recorded.size() == 3u);
  for (const auto& r : recorded) {
    EntrywiseMoments ntk(n * n), feature(n * n);
    for (std::int64_t s = 0; s < samples; ++s) {
      const auto k = batch_kernels(spec, draw_parameters(spec, dim, r.depth, sample_key(99, static_cast<std::uint64_t>(s))), x, n);
      ntk.add(k.ntk);  // a block that is not symmetric keeps its tiles' own diagonal
      feature.add(k.feature);
    }
    for (std::int64_t i = 0; i < n * n; ++i) {
      BOOST_TEST(r.ntk[0][i] == ntk.mean()[i]);
      BOOST_TEST(r.feature[0][i] == feature.mean()[i]);
      BOOST_TEST(r.ntk_error[0][i] == ntk.standard_error()[i]);
    }
  }
}

BOOST_AUTO_TEST_CASE(entries_do_not_depend_on_the_split_into_blocks) {
  // One rank holding everything against a "2 x 2 grid": row blocks {0,2} and {1} of 4 points,
  // column blocks likewise, each rank with its own batch order.
  const auto x = random_inputs(dim, n, 5);
  const std::int64_t tile = 4;
  MonteCarloSweep whole(spec, schedule, samples, 7, train_batch(x), {block(range(0, n), range(0, n), true, tile)});
  const auto reference = run(whole, 1000);
  const std::vector<std::int64_t> even = join(range(0, 4), range(8, n)), odd = range(4, 8);
  for (const auto& [rows, cols] : std::vector<std::pair<std::vector<std::int64_t>, std::vector<std::int64_t>>>{
           {even, even}, {even, odd}, {odd, even}, {odd, odd}}) {
    MonteCarloSweep part(spec, schedule, samples, 7, train_batch(x), {block(rows, cols, true, tile)});
    const auto got = run(part, 3);
    for (std::size_t d = 0; d < got.size(); ++d)
      for (std::size_t c = 0; c < cols.size(); ++c)
        for (std::size_t r = 0; r < rows.size(); ++r) {
          const double mine = got[d].ntk[0][r + c * rows.size()];
          const double theirs = reference[d].ntk[0][static_cast<std::size_t>(rows[r] + cols[c] * n)];
          BOOST_TEST(same_bits(mine, theirs), "depth " << got[d].depth << " pair " << rows[r] << "," << cols[c]);
          const bool below = rows[r] / tile >= cols[c] / tile;
          BOOST_TEST(std::isnan(mine) == !below);
        }
  }
}

BOOST_AUTO_TEST_CASE(a_symmetric_block_carries_the_points_own_diagonal) {
  const auto x = random_inputs(dim, n, 6);
  MonteCarloSweep sweep(spec, schedule, samples, 3, train_batch(x), {block(range(0, n), range(0, n), true, 4)});
  while (!sweep.finished()) {
    if (auto rec = sweep.advance(100)) {
      const auto& b = rec->blocks[0];
      for (std::int64_t i = 0; i < n; ++i) {
        BOOST_TEST(b.ntk[i + i * n] == b.row_ntk_diag[i]);
        BOOST_TEST(b.nngp[i + i * n] == b.col_nngp_diag[i]);
        BOOST_TEST(b.nngp_gap[i + i * n] == 0.0);
      }
      BOOST_TEST(rec->samples == samples);
    }
  }
}

BOOST_AUTO_TEST_CASE(save_and_restore_mid_depth_changes_no_bit) {
  const auto x = random_inputs(dim, n, 7);
  const auto blocks = std::vector<MonteCarloBlock>{block(range(0, n), range(0, n), true, 4)};
  MonteCarloSweep straight(spec, schedule, samples, 11, train_batch(x), blocks);
  const auto reference = run(straight, 1);
  MonteCarloSweep first(spec, schedule, samples, 11, train_batch(x), blocks);
  std::vector<Recorded> got;
  // Through depth 2 and three networks of depth 5, then a new producer from the saved state.
  while (first.work_done() < samples * 2 + 3 * 5) {
    if (auto rec = first.advance(1)) got.push_back({rec->depth, {{rec->blocks[0].ntk.begin(), rec->blocks[0].ntk.end()}}, {}, {}});
  }
  BOOST_TEST(first.samples_done() == 3);
  MonteCarloSweep second(spec, schedule, samples, 11, train_batch(x), blocks);
  second.restore_state(first.save_state());
  for (auto& r : run(second, 1)) got.push_back(std::move(r));
  BOOST_REQUIRE(got.size() == reference.size());
  for (std::size_t d = 0; d < got.size(); ++d)
    for (std::size_t i = 0; i < got[d].ntk[0].size(); ++i) BOOST_TEST(same_bits(got[d].ntk[0][i], reference[d].ntk[0][i]));
}

BOOST_AUTO_TEST_CASE(too_few_samples_are_refused) {
  const auto x = random_inputs(dim, n, 8);
  BOOST_CHECK_THROW(MonteCarloSweep(spec, schedule, 1, 1, train_batch(x), {}), std::invalid_argument);
  BOOST_CHECK_THROW(MonteCarloSweep(spec, DepthSchedule::parse("1, 4"), 4, 1, train_batch(x), {}), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(every_instruction_set_gives_the_same_bits) {
  // A ragged tile (13 x 7: vector lanes, the scalar remainder, a partial column group) of a
  // weight group of width 6 with 5 inputs, and a head group, on every instruction set this CPU
  // has; the baseline's library fma must equal the hardware's.
  const std::int64_t points = 24, rows = 13, cols = 7, delta_rows = 6, input_rows = 5;
  std::vector<double> delta(points * delta_rows), input(points * input_rows);
  fill_standard_normal(sample_key(3, 3), 1, 0, delta);
  fill_standard_normal(sample_key(3, 3), 2, 0, input);
  TileOperands t;
  t.rows = rows;
  t.cols = cols;
  t.stride = points;
  t.delta_rows = delta_rows;
  t.input_rows = input_rows;
  t.row_delta = delta.data() + 2;
  t.row_input = input.data() + 2;
  t.col_delta = delta.data() + 15;
  t.col_input = input.data() + 15;
  const auto run = [&](TileInstructions level) {
    std::vector<double> g(rows * cols, 0.25), f(rows * cols, -0.5);
    accumulate_weight_tile(t, 1.3, 0.2, g.data(), rows, level);
    accumulate_head_tile(t, {0.7, 0.1, 0.9, 0.05}, g.data(), f.data(), rows, level);
    g.insert(g.end(), f.begin(), f.end());
    return g;
  };
  const auto baseline = run(TileInstructions::baseline);
  int compared = 0;
  for (const auto level : {TileInstructions::avx2, TileInstructions::avx512}) {
    if (!tile_instructions_available(level)) continue;
    BOOST_TEST(run(level) == baseline);
    ++compared;
  }
  BOOST_TEST_MESSAGE(compared << " instruction sets compared with the baseline");
}
