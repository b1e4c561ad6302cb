// The DepthSweep contract: symmetric blocks, independence of the block split, stepping,
// save/restore, per-depth resnet passes, validation, and the range of scales.

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <random>
#include <tuple>

#include "test_support.hpp"

using namespace deepntk::kernels;
using namespace deepntk::kernels::testing;

namespace {

// A small point set with duplicates (ids 0, 1), an antipode (0, 4), repeated and distinct norms.
struct Problem {
  std::vector<double> k0;
  std::vector<double> gap;  // n x n, symmetric, column-major
  std::int64_t n = 0;

  [[nodiscard]] double gap_of(std::int64_t r, std::int64_t c) const { return gap[static_cast<std::size_t>(r + c * n)]; }
};

Problem make_problem() {
  Problem p;
  p.k0 = {1.0, 1.0, 0.8, 1.3, 1.0, 0.8, 2.0};
  p.n = static_cast<std::int64_t>(p.k0.size());
  p.gap.assign(static_cast<std::size_t>(p.n * p.n), 0.0);
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(0.0, 2.0);
  for (std::int64_t c = 0; c < p.n; ++c) {
    for (std::int64_t r = c + 1; r < p.n; ++r) {
      double g = u(rng);
      if (r == 1 && c == 0) g = 0.0;        // duplicate
      if (r == 4 && c == 0) g = 2.0;        // antipode
      if (r == 3 && c == 2) g = 1e-12;      // near-duplicate, different norms
      p.gap[static_cast<std::size_t>(r + c * p.n)] = g;
      p.gap[static_cast<std::size_t>(c + r * p.n)] = g;
    }
  }
  return p;
}

// Owns the arrays a PairBlock points into.
struct BlockData {
  std::vector<std::int64_t> rows, cols;
  std::vector<double> rk, ck, gap;
  bool symmetric = false;
  std::int64_t group = 0;

  BlockData(const Problem& p, std::vector<std::int64_t> r, std::vector<std::int64_t> c, bool sym)
      : rows(std::move(r)), cols(std::move(c)), symmetric(sym) {
    for (auto i : rows) rk.push_back(p.k0[static_cast<std::size_t>(i)]);
    for (auto j : cols) ck.push_back(p.k0[static_cast<std::size_t>(j)]);
    for (auto j : cols) {
      for (auto i : rows) gap.push_back(p.gap_of(i, j));
    }
  }
  [[nodiscard]] PairBlock block() const {
    return {static_cast<std::int64_t>(rows.size()), static_cast<std::int64_t>(cols.size()), rk, ck, gap, rows, cols,
            symmetric, group};
  }
};

std::vector<PairBlock> blocks_of(const std::vector<BlockData>& d) {
  std::vector<PairBlock> out;
  for (const auto& b : d) out.push_back(b.block());
  return out;
}

std::vector<std::int64_t> iota_ids(std::int64_t n) {
  std::vector<std::int64_t> v(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) v[static_cast<std::size_t>(i)] = i;
  return v;
}

// Kernels by (depth, row id, col id): nngp, ntk, gap (computed entries only).
using Key = std::tuple<std::int64_t, std::int64_t, std::int64_t>;
struct Values {
  double nngp, ntk, gap;
  int en, et;
};
using Results = std::map<Key, Values>;

void collect(const RecordedDepth& r, const std::vector<BlockData>& d, Results& out) {
  for (std::size_t b = 0; b < d.size(); ++b) {
    const auto& k = r.blocks[b];
    for (std::size_t j = 0; j < d[b].cols.size(); ++j) {
      for (std::size_t i = 0; i < d[b].rows.size(); ++i) {
        if (d[b].symmetric && d[b].rows[i] < d[b].cols[j]) continue;
        const std::size_t p = i + j * d[b].rows.size();
        out[{r.depth, d[b].rows[i], d[b].cols[j]}] = {k.nngp[p], k.ntk[p], k.nngp_gap[p], r.nngp_exponent, r.ntk_exponent};
      }
    }
  }
}

Results run(const NetworkSpec& s, const DepthSchedule& sched, const std::vector<BlockData>& d, std::int64_t chunk = 1 << 30) {
  DepthSweep sweep(s, sched, blocks_of(d));
  Results out;
  while (!sweep.finished()) {
    if (auto r = sweep.advance(chunk)) collect(*r, d, out);
  }
  return out;
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// Every key of `part` is in `whole` with bit-identical values.
void check_identical(const Results& part, const Results& whole, const std::string& what) {
  BOOST_TEST_CONTEXT(what) {
    BOOST_TEST(!part.empty());
    std::size_t mismatches = 0;
    for (const auto& [key, v] : part) {
      const auto it = whole.find(key);
      BOOST_REQUIRE(it != whole.end());
      const Values& w = it->second;
      if (!(same_bits(v.nngp, w.nngp) && same_bits(v.ntk, w.ntk) && same_bits(v.gap, w.gap) && v.en == w.en && v.et == w.et)) {
        ++mismatches;
      }
    }
    BOOST_TEST(mismatches == 0u);
  }
}

std::vector<NetworkSpec> all_specs() {
  std::vector<NetworkSpec> specs;
  for (auto arch : {Architecture::mlp, Architecture::resnet, Architecture::shortcut}) {
    for (auto act : {Activation::relu, Activation::erf}) {
      for (double sb2 : {0.0, 0.3}) {
        NetworkSpec s;
        s.architecture = arch;
        s.activation = act;
        s.sb2 = sb2;
        s.sw2 = act == Activation::erf ? 3.0 : 2.5;
        s.readout_every = 2;
        specs.push_back(s);
      }
    }
  }
  return specs;
}

std::string name_of(const NetworkSpec& s) {
  return std::string(to_string(s.architecture)) + "/" + std::string(to_string(s.activation)) + "/sb2=" + std::to_string(s.sb2);
}

}  // namespace

BOOST_AUTO_TEST_CASE(symmetric_blocks_compute_the_lower_triangle_and_exact_diagonals) {
  const Problem p = make_problem();
  const DepthSchedule sched({2, 5, 40});
  for (const NetworkSpec& s : all_specs()) {
    const std::vector<BlockData> full{BlockData(p, iota_ids(p.n), iota_ids(p.n), false)};
    const std::vector<BlockData> sym{BlockData(p, iota_ids(p.n), iota_ids(p.n), true)};
    const Results rf = run(s, sched, full);
    DepthSweep sweep(s, sched, blocks_of(sym));
    while (!sweep.finished()) {
      auto r = sweep.advance(1 << 30);
      if (!r) continue;
      const BlockKernels& k = r->blocks[0];
      std::size_t untouched = 0, diag_exact = 0, lower_equal = 0;
      for (std::int64_t j = 0; j < p.n; ++j) {
        for (std::int64_t i = 0; i < p.n; ++i) {
          const auto q = static_cast<std::size_t>(i + j * p.n);
          if (i < j) {
            untouched += std::isnan(k.nngp[q]) && std::isnan(k.ntk[q]) && std::isnan(k.nngp_gap[q]);
          } else if (i == j) {
            const auto ii = static_cast<std::size_t>(i);
            diag_exact += same_bits(k.nngp[q], k.row_nngp_diag[ii]) && same_bits(k.nngp[q], k.col_nngp_diag[ii]) &&
                          same_bits(k.ntk[q], k.row_ntk_diag[ii]) && same_bits(k.ntk[q], k.col_ntk_diag[ii]) &&
                          k.nngp_gap[q] == 0.0;
          } else {
            const Values& w = rf.at({r->depth, i, j});
            lower_equal += same_bits(k.nngp[q], w.nngp) && same_bits(k.ntk[q], w.ntk) && same_bits(k.nngp_gap[q], w.gap);
          }
        }
      }
      const auto n = static_cast<std::size_t>(p.n);
      BOOST_TEST(untouched == n * (n - 1) / 2, name_of(s));
      BOOST_TEST(diag_exact == n, name_of(s));
      BOOST_TEST(lower_equal == n * (n - 1) / 2, name_of(s));
      // the duplicate pair (1, 0) is exactly its diagonal, normalized; the antipode exactly −1
      const double dup = k.ntk[1] / std::sqrt(k.row_ntk_diag[1] * k.col_ntk_diag[0]);
      BOOST_TEST(k.nngp_gap[1] == 0.0, name_of(s));
      // (the carried state is exactly 1; the read-out's sqrt(T) sqrt(T) vs T costs an ulp)
      BOOST_TEST(std::fabs(dup - 1.0) <= 4e-16, name_of(s) << ": " << dup - 1.0);
      if (s.activation == Activation::erf && s.sb2 == 0.0) {
        BOOST_TEST(std::fabs(k.nngp_gap[4] - 2.0) <= 4e-16, name_of(s) << ": " << k.nngp_gap[4] - 2.0);
        BOOST_TEST(std::fabs(k.ntk[4] / std::sqrt(k.row_ntk_diag[4] * k.col_ntk_diag[0]) + 1.0) <= 4e-16, name_of(s));
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(results_do_not_depend_on_the_block_split) {
  const Problem p = make_problem();
  const DepthSchedule sched({2, 7, 30});
  for (const NetworkSpec& s : all_specs()) {
    const Results whole = run(s, sched, {BlockData(p, iota_ids(p.n), iota_ids(p.n), true)});
    // a 2 x 2 block-cyclic split of the symmetric matrix, and a block of equal-norm points only
    std::vector<BlockData> split{BlockData(p, {0, 2, 4, 6}, {0, 2, 4, 6}, true), BlockData(p, {1, 3, 5}, {0, 2, 4, 6}, true),
                                 BlockData(p, {0, 2, 4, 6}, {1, 3, 5}, true), BlockData(p, {1, 3, 5}, {1, 3, 5}, true),
                                 BlockData(p, {0, 1, 4}, {0, 1, 4}, true)};
    check_identical(run(s, sched, split), whole, "split " + name_of(s));
    // rectangular, not symmetric, ids in any order
    check_identical(run(s, sched, {BlockData(p, {6, 3, 5}, {0, 2}, false)}), whole, "rect " + name_of(s));
  }
}

BOOST_AUTO_TEST_CASE(stepping_does_not_change_results) {
  const Problem p = make_problem();
  const DepthSchedule sched({3, 9, 20});
  for (const NetworkSpec& s : all_specs()) {
    const std::vector<BlockData> d{BlockData(p, iota_ids(p.n), iota_ids(p.n), true)};
    check_identical(run(s, sched, d, 1), run(s, sched, d), "advance(1) " + name_of(s));
    check_identical(run(s, sched, d, 7), run(s, sched, d), "advance(7) " + name_of(s));
  }
}

BOOST_AUTO_TEST_CASE(progress_counters) {
  const Problem p = make_problem();
  const std::vector<BlockData> d{BlockData(p, iota_ids(p.n), iota_ids(p.n), true)};
  NetworkSpec s;
  DepthSweep sweep(s, DepthSchedule({3, 10}), blocks_of(d));
  BOOST_TEST(sweep.work_total() == 10);
  BOOST_TEST(sweep.next_depth() == 3);
  BOOST_TEST(!sweep.advance(2).has_value());
  BOOST_TEST(sweep.work_done() == 2);
  auto r = sweep.advance(100);  // stops at the recorded depth
  BOOST_REQUIRE(r.has_value());
  BOOST_TEST(r->depth == 3);
  BOOST_TEST(sweep.work_done() == 3);
  BOOST_TEST(sweep.next_depth() == 10);
  BOOST_TEST(!sweep.advance(0).has_value());
  r = sweep.advance(100);
  BOOST_REQUIRE(r.has_value());
  BOOST_TEST(r->depth == 10);
  BOOST_TEST(sweep.finished());
  BOOST_TEST(sweep.next_depth() == 0);
  BOOST_TEST(!sweep.advance(5).has_value());
  BOOST_TEST(sweep.work_done() == 10);
}

BOOST_AUTO_TEST_CASE(resnet_with_depth_dependent_alpha_runs_one_pass_per_depth) {
  const Problem p = make_problem();
  const std::vector<BlockData> d{BlockData(p, iota_ids(p.n), iota_ids(p.n), true)};
  for (auto rule : {ResidualScale::Rule::inverse_sqrt_depth, ResidualScale::Rule::power}) {
    NetworkSpec s;
    s.architecture = Architecture::resnet;
    s.residual = {rule, 0.25};
    s.sb2 = 0.1;
    DepthSweep sweep(s, DepthSchedule({4, 9, 25}), blocks_of(d));
    BOOST_TEST(sweep.work_total() == 4 + 9 + 25);
    const Results all = run(s, DepthSchedule({4, 9, 25}), d);
    for (std::int64_t depth : {4, 9, 25}) {
      check_identical(run(s, DepthSchedule({depth}), d), all, "single depth " + std::to_string(depth));
    }
  }
  // constant α: a single pass, depth 9 of the {4, 9} sweep is the same network as {9} alone
  NetworkSpec s;
  s.architecture = Architecture::resnet;
  s.residual = {ResidualScale::Rule::constant, 0.4};
  DepthSweep sweep(s, DepthSchedule({4, 9}), blocks_of(d));
  BOOST_TEST(sweep.work_total() == 9);
  check_identical(run(s, DepthSchedule({9}), d), run(s, DepthSchedule({4, 9}), d), "constant alpha");
}

BOOST_AUTO_TEST_CASE(save_and_restore_resume_bit_identically) {
  const Problem p = make_problem();
  const DepthSchedule sched({5, 12, 31});
  for (NetworkSpec s : all_specs()) {
    for (bool per_depth : {false, true}) {
      if (per_depth && s.architecture != Architecture::resnet) continue;
      if (s.architecture == Architecture::resnet && !per_depth) s.residual = {ResidualScale::Rule::constant, 0.5};
      const std::vector<BlockData> d{BlockData(p, iota_ids(p.n), iota_ids(p.n), true)};
      const Results straight = run(s, sched, d);
      for (std::int64_t stop : {3, 12, 17}) {
        DepthSweep first(s, sched, blocks_of(d));
        Results before;
        for (std::int64_t k = 0; k < stop; ++k) {
          if (auto r = first.advance(1)) collect(*r, d, before);
        }
        const SweepState state = first.save_state();
        BOOST_TEST(state.counter("work_done") == stop);
        DepthSweep second(s, sched, blocks_of(d));
        second.restore_state(state);
        BOOST_TEST(second.work_done() == stop);
        Results after = before;
        while (!second.finished()) {
          if (auto r = second.advance(4)) collect(*r, d, after);
        }
        check_identical(after, straight, "resume at " + std::to_string(stop) + " " + name_of(s));
        BOOST_TEST(after.size() == straight.size());

        // resume with another split of the same pairs
        std::vector<BlockData> split{BlockData(p, {0, 2, 4, 6}, {0, 1, 2, 3, 4, 5, 6}, true),
                                     BlockData(p, {1, 3, 5}, {0, 1, 2, 3, 4, 5, 6}, true)};
        DepthSweep third(s, sched, blocks_of(split));
        const auto nb = blocks_of(split);
        third.restore_state(reblock_state(state, nb));
        Results resplit;
        while (!third.finished()) {
          if (auto r = third.advance(1 << 30)) collect(*r, split, resplit);
        }
        Results tail;
        for (const auto& [key, v] : straight) {
          if (std::get<0>(key) > stop) tail[key] = v;
        }
        check_identical(resplit, straight, "resplit at " + std::to_string(stop) + " " + name_of(s));
        BOOST_TEST(resplit.size() == tail.size());
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(restore_rejects_foreign_state) {
  const Problem p = make_problem();
  const std::vector<BlockData> d{BlockData(p, iota_ids(p.n), iota_ids(p.n), true)};
  NetworkSpec s;
  DepthSweep a(s, DepthSchedule({3, 8}), blocks_of(d));
  a.advance(2);
  const SweepState st = a.save_state();
  NetworkSpec other = s;
  other.sb2 = 0.1;
  DepthSweep b(other, DepthSchedule({3, 8}), blocks_of(d));
  BOOST_CHECK_THROW(b.restore_state(st), std::invalid_argument);
  DepthSweep c(s, DepthSchedule({3, 9}), blocks_of(d));
  BOOST_CHECK_THROW(c.restore_state(st), std::invalid_argument);
  const std::vector<BlockData> d2{BlockData(p, {0, 1}, {0, 1}, true)};
  DepthSweep e(s, DepthSchedule({3, 8}), blocks_of(d2));
  BOOST_CHECK_THROW(e.restore_state(st), std::invalid_argument);  // no block with these ids
  SweepState bad = st;
  bad.point_k0 = {1.0};
  bad.point_arrays.front().values.resize(1);
  DepthSweep f(s, DepthSchedule({3, 8}), blocks_of(d));
  BOOST_CHECK_THROW(f.restore_state(bad), std::invalid_argument);  // points missing
  // a failed restore leaves the sweep usable and unchanged
  BOOST_TEST(f.work_done() == 0);
  // re-splitting into pairs that were never computed fails
  const std::vector<BlockData> upper{BlockData(p, {0}, {3}, false)};
  const auto ub = blocks_of(upper);
  BOOST_CHECK_THROW((void)reblock_state(st, ub), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(invalid_blocks_are_rejected) {
  const Problem p = make_problem();
  NetworkSpec s;
  const DepthSchedule sched({2});
  auto expect = [&](PairBlock b, const char* what) {
    try {
      DepthSweep sweep(s, sched, {b});
      BOOST_ERROR("accepted: " << what);
    } catch (const std::invalid_argument& e) {
      BOOST_TEST(std::string(e.what()).find(what) != std::string::npos, e.what());
    }
  };
  BlockData good(p, {0, 1, 2}, {0, 1, 2}, true);
  PairBlock b = good.block();
  b.rows = 2;
  expect(b, "row_k0_diag has 3 entries");
  b = good.block();
  b.input_gap = b.input_gap.subspan(1);
  expect(b, "input_gap has 8 entries");
  BlockData neg = good;
  neg.rk[1] = -1.0;
  expect(neg.block(), "is not a finite number > 0");
  BlockData wide = good;
  wide.gap[2] = 2.5;  // (2, 0), computed
  expect(wide.block(), "input_gap at (2, 0)");
  BlockData unsorted(p, {2, 0, 1}, {0, 1, 2}, true);
  expect(unsorted.block(), "strictly increasing row_ids");
  BlockData clash = good;
  clash.ck[1] = 5.0;
  expect(clash.block(), "point id 1 has K0");
  // an upper-triangle gap of a symmetric block is never read
  BlockData upper = good;
  upper.gap[3] = std::nan("");  // (0, 1)
  BOOST_CHECK_NO_THROW(DepthSweep(s, sched, {upper.block()}));
  NetworkSpec bad = s;
  bad.sw2 = -1;
  BOOST_CHECK_THROW(DepthSweep(bad, sched, {good.block()}), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(scales_stay_in_range_at_depth) {
  // sw2 in [0.5, 4], sb2 in [0, 1]: everything finite, and for ReLU without bias the
  // normalized kernels equal those of sw2 = 2 while the scale carries (sw2/2)^L.
  const std::int64_t depth = 1'000'000;
  const auto ref2 = sweep_pair(NetworkSpec{}, 1.0, 1.0, 0.5, {depth});
  for (double sw2 : {0.5, 4.0}) {
    NetworkSpec s;
    s.sw2 = sw2;
    const auto r = sweep_pair(s, 1.0, 1.0, 0.5, {depth});
    BOOST_TEST(rel_err(r[0].nngp_gap, ref2[0].nngp_gap) < 1e-13);
    BOOST_TEST(rel_err(r[0].ntk_normalized, ref2[0].ntk_normalized) < 1e-13);
    // NNGP_L(x,x) = (sw2/2)^L sw2 K0
    const double log_true = static_cast<double>(depth) * std::log(sw2 / 2) + std::log(sw2);
    const double log_got = std::log(r[0].nngp_ii) + r[0].nngp_exponent * std::numbers::ln2;
    BOOST_TEST(std::fabs(log_got - log_true) < 1e-12 * std::fabs(log_true), log_got << " vs " << log_true);
  }
  for (auto act : {Activation::relu, Activation::erf}) {
    for (auto arch : {Architecture::mlp, Architecture::resnet, Architecture::shortcut}) {
      for (double sw2 : {0.5, 4.0}) {
        for (double sb2 : {0.0, 1.0}) {
          NetworkSpec s;
          s.activation = act;
          s.architecture = arch;
          s.sw2 = sw2;
          s.sb2 = sb2;
          s.readout_every = 3;
          s.residual = {ResidualScale::Rule::constant, 1.0};  // resnet grows geometrically too
          const auto r = sweep_pair(s, 0.7, 1.6, 0.3, {300000});
          const auto& k = r[0];
          const bool finite = std::isfinite(k.nngp) && std::isfinite(k.ntk) && std::isfinite(k.nngp_gap) &&
                              k.nngp_ii > 0 && k.nngp_jj > 0 && k.ntk_ii > 0 && k.ntk_jj > 0 &&
                              std::isnormal(k.nngp_ii) && std::isnormal(k.ntk_ii);
          BOOST_TEST(finite, name_of(s) << " sw2 " << sw2 << ": nngp " << k.nngp << " ntk " << k.ntk << " diag "
                                        << k.nngp_ii << " " << k.ntk_ii << " exps " << k.nngp_exponent << " "
                                        << k.ntk_exponent);
          BOOST_TEST(std::fabs(k.nngp_normalized) <= 1.0 + 1e-15);
          BOOST_TEST(std::fabs(k.ntk_normalized) <= 1.0 + 1e-15);
          BOOST_TEST((k.nngp_gap >= 0.0 && k.nngp_gap <= 2.0));
        }
      }
    }
  }
}
