// The plan's memory and work model against numbers worked out by hand from the code it
// mirrors (run_pipeline.cpp, depth_sweep.cpp, kernel_analysis.cpp, eigen.cpp), the refusal
// line, and where the available memory comes from.

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "deepntk/app/config.hpp"
#include "deepntk/app/effective_block_size.hpp"
#include "deepntk/app/plan.hpp"
#include "deepntk/app/network_spec_from_config.hpp"
#include "deepntk/app/plan_available_memory.hpp"
#include "deepntk/finite/monte_carlo_sweep.hpp"
#include "deepntk/core/checked_arithmetic.hpp"
#include "deepntk/linalg/eigen_workspace.hpp"

namespace app = deepntk::app;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// n = 100 train, 20 test points of dimension 8, one target column, block 64; the defaults
// otherwise (mlp/ReLU, three ridge values, diagnostics, spectral fallback).
app::RunConfig small_config() {
  return app::load_config(std::nullopt, std::vector<std::string>{"data.n_train=100", "data.n_test=20", "data.dim=8",
                                                                 "depth.schedule=[1,10]", "depth.kinds=ntk"});
}

std::int64_t item(const app::MemoryPhase& phase, const std::string& start) {
  for (const auto& i : phase.items) {
    if (i.what.starts_with(start)) return i.bytes;
  }
  BOOST_FAIL("no item starting with '" << start << "' in phase " << phase.name);
  return -1;
}

const app::MemoryPhase& phase(const app::Plan& plan, const std::string& start) {
  for (const auto& p : plan.phases) {
    if (p.name.starts_with(start)) return p;
  }
  BOOST_FAIL("no phase " << start);
  return plan.phases.front();
}

app::EnvironmentLookup environment(std::map<std::string, std::string> values) {
  return [values](const char* name) -> std::optional<std::string> {
    const auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

}  // namespace

BOOST_AUTO_TEST_SUITE(plan)

BOOST_AUTO_TEST_CASE(one_rank_numbers_match_the_hand_count) {
  const auto config = small_config();
  const auto plan = app::make_plan(config, app::plan_shape(config), 1);
  BOOST_TEST(plan.grid.rows == 1);
  BOOST_TEST(plan.grid.cols == 1);

  // Local pairs: 100 x 100 train + 20 x 100 test = 12000, one double each.
  const std::int64_t pairs = 12000 * 8;
  const std::int64_t runtime = app::runtime_baseline_bytes();
  const std::int64_t points = 120 * 8 * 8;                  // (n + m) d doubles
  const std::int64_t targets = (120 + 100 + 20) * 8;        // replicated + distributed, k = 1
  const std::int64_t per_point = 8 * 120 * 8;
  const std::int64_t resident = runtime + points + targets + per_point;

  const auto& loop = phase(plan, "depth loop");
  BOOST_TEST(item(loop, "input points") == points);
  BOOST_TEST(item(loop, "targets") == targets);
  BOOST_TEST(item(loop, "sweep state, 2 arrays") == 2 * pairs);  // g and n (mlp, ReLU)
  BOOST_TEST(item(loop, "sweep output") == 3 * pairs);           // NNGP, NTK, gap
  BOOST_TEST(item(loop, "HDF5 write buffer") == 100 * 100 * 8);
  BOOST_TEST(loop.bytes() == resident + 8 * pairs + 100 * 100 * 8);

  // PDSYEVD on 1 x 1, n = 100, nb = 64: documented minimum max(1 + 6n + 2n^2, 3n + nb(n+1)) + 2n
  // = 20801; PDORMTR needs 2n + (n + n + 2nb) nb + nb^2 = 25288, which wins. LIWORK 7n + 8 + 2.
  BOOST_TEST(deepntk::linalg::pdsyevd_workspace(100, 64, 100, 100, 1).doubles == 25288);
  BOOST_TEST(deepntk::linalg::pdsyevd_workspace(100, 64, 100, 100, 1).ints == 710);
  const std::int64_t workspace = 25288 * 8 + 710 * 4;
  // The worst analysis step: PDSYEVD's matrix copy, eigenvectors and workspace (the predictor
  // weights ride along with the regression's solve, no second factorization).
  const auto& analysis = phase(plan, "analysis");
  BOOST_TEST(item(analysis, "PDSYEVD workspace") == workspace);
  BOOST_TEST(analysis.bytes() == resident + 8 * pairs + 2 * 100 * 100 * 8 + workspace);
  // A checkpoint copies the two state arrays and writes each through a distributed matrix
  // and its buffer: 4 more doubles per pair than the depth loop without its buffer.
  const auto& checkpoint = phase(plan, "checkpoint");
  BOOST_TEST(checkpoint.bytes() == resident + 12 * pairs);
  BOOST_TEST(plan.peak_bytes() == checkpoint.bytes());

  // A single ridge value with diagnostics off and the spectrum by PDSYEVR: eigenvalues only need
  // the copy and PDSYEVR's documented workspace, 2 + 5n + max(12n, nb (n + 1)) = 6966 doubles and
  // 10n + 2n = 1200 ints, which is more than the Cholesky factor alone.
  auto single = config;
  app::apply_override(single, "analysis.ridge=[1e-3]");
  app::apply_override(single, "analysis.spectrum=values");
  app::apply_override(single, "analysis.fallback=jitter");
  const auto cholesky = app::make_plan(single, app::plan_shape(single), 1);
  BOOST_TEST(deepntk::linalg::pdsyevr_workspace(100, 64, 100, false, 1, 1).doubles == 6966);
  BOOST_TEST(deepntk::linalg::pdsyevr_workspace(100, 64, 100, false, 1, 1).ints == 1200);
  BOOST_TEST(phase(cholesky, "analysis").name == "analysis at a recorded depth (worst step: PDSYEVR, eigenvalues only)");
  BOOST_TEST(phase(cholesky, "analysis").bytes() == resident + 8 * pairs + 100 * 100 * 8 + 6966 * 8 + 1200 * 4);
  BOOST_TEST(cholesky.work[1].what == "eigenvalues (PDSYEVR)");

  // Work: the lower triangle with the diagonal, 5050 pairs, plus 2000 test pairs, 10 layers.
  BOOST_TEST(plan.layer_steps == 10);
  BOOST_TEST(plan.work.front().amount == 70500.0);
}

BOOST_AUTO_TEST_CASE(a_workspace_beyond_64_bits_is_an_error_not_a_wrapped_size) {
  // n = nb = 2^31 - 1: (NP + NQ + 2 NB) NB is about 2^64; it used to wrap to a small or negative
  // count that the plan reported as fitting.
  constexpr std::int64_t big = 2147483647;
  BOOST_CHECK_THROW((void)deepntk::linalg::pdsyevd_workspace(big, big, big, big, 1), deepntk::SizeOverflow);
}

BOOST_AUTO_TEST_CASE(a_block_larger_than_the_matrices_is_planned_as_the_run_uses_it) {
  // n = 100, d = 8: any block of 100 or more is one block per matrix; the plan used to count
  // PDSYEVD's workspace with nb = 100000 (nb^2 doubles: 224 GiB) and refuse the run.
  BOOST_TEST(app::effective_block_size(100000, 100, 8) == 100);
  BOOST_TEST(app::effective_block_size(2147483647, 100, 784) == 784);  // d > n: the points keep one block
  BOOST_TEST(app::effective_block_size(64, 100, 8) == 64);
  const auto config = small_config();
  auto huge = config;
  app::apply_override(huge, "parallel.block_size=100000");
  auto exact = config;
  app::apply_override(exact, "parallel.block_size=100");
  for (const int ranks : {1, 4}) {
    const auto a = app::make_plan(huge, app::plan_shape(huge), ranks);
    const auto b = app::make_plan(exact, app::plan_shape(exact), ranks);
    BOOST_TEST(a.block_size == 100);
    BOOST_TEST(a.peak_bytes() == b.peak_bytes());
    BOOST_TEST(a.peak_bytes() < (64LL << 20));
    BOOST_TEST(a.work.front().amount == b.work.front().amount);
  }
}

BOOST_AUTO_TEST_CASE(the_largest_n_train_is_planned_without_listing_points) {
  // n_train = 2^31 - 1: the plan listed the rows of grid position (0, 0) (17 GB) and took minutes.
  auto config = small_config();
  app::apply_override(config, "data.n_train=2147483647");
  const auto shape = app::plan_shape(config);
  const auto plan = app::make_plan(config, shape, 4096);  // a 64 x 64 grid
  BOOST_TEST(plan.layer_steps == 10);
  // The lower triangle of (0, 0)'s share, about n^2 / (2 * 4096) pairs, times 10 layers.
  const double n = 2147483647.0;
  BOOST_TEST(plan.work.front().amount / (10 * n * n / 8192) == 1.0, boost::test_tools::tolerance(1e-3));
  // Its PDSYEVD workspace exceeds ScaLAPACK's 32-bit LWORK: refused whatever the memory.
  BOOST_REQUIRE(plan.integer_limit.has_value());
  BOOST_TEST(contains(*plan.integer_limit, "32-bit LWORK"));
  BOOST_TEST((app::refusal(config, plan, app::AvailableMemory{std::nullopt, "unknown"}) == plan.integer_limit));
  // On one rank the per-rank counts exceed 64 bits: one error naming the sizes and the fix.
  BOOST_CHECK_EXCEPTION((void)app::make_plan(config, shape, 1), deepntk::SizeOverflow,
                        [](const deepntk::SizeOverflow& e) {
                          return contains(e.what(), "n_train = 2147483647 on 1 rank;") && contains(e.what(), "more ranks");
                        });
  // The totals over all ranks exceed 64 bits too: shown, not wrapped.
  BOOST_TEST(app::format_bytes(static_cast<double>(plan.peak_bytes()) * 4096) == "384 EiB");
}

BOOST_AUTO_TEST_CASE(a_pdsyevd_workspace_beyond_32_bits_is_refused_before_the_run) {
  auto config = small_config();
  app::apply_override(config, "data.n_train=40000");  // LWORK >= 2 n^2 on one rank: 3.2e9
  const auto shape = app::plan_shape(config);
  const auto one = app::make_plan(config, shape, 1);
  BOOST_REQUIRE(one.integer_limit.has_value());
  BOOST_TEST(contains(*one.integer_limit, "n_train = 40000 on 1 rank,"));
  BOOST_TEST(!app::make_plan(config, shape, 4).integer_limit.has_value());  // 2 n^2 / 4 fits
}

BOOST_AUTO_TEST_CASE(a_distributed_part_too_large_for_the_most_ranks_is_said_so) {
  // Replicated parts about 0.4 TiB fit in 10 TiB, the kernels do not fit even on 2^20 ranks:
  // the line must not claim the replicated parts are what does not fit.
  auto config = small_config();
  app::apply_override(config, "data.n_train=2147483647");
  app::apply_override(config, "analysis.diagnostics=false");
  app::apply_override(config, "data.targets=none");
  app::apply_override(config, "output.eigenvalues=false");
  const auto shape = app::plan_shape(config);
  const auto plan = app::make_plan(config, shape, 4096);
  BOOST_REQUIRE(!plan.integer_limit.has_value());
  const auto line = app::refusal(config, plan, app::AvailableMemory{10LL << 40, "parallel.memory_per_rank"});
  BOOST_REQUIRE(line.has_value());
  BOOST_TEST(contains(*line, "does not fit even on 1048576 ranks"), *line);
  BOOST_TEST(!contains(*line, "any number of ranks"), *line);
}

BOOST_AUTO_TEST_CASE(the_busiest_rank_of_a_2x2_grid) {
  const auto config = small_config();
  const auto plan = app::make_plan(config, app::plan_shape(config), 4);
  BOOST_TEST(plan.grid.rows == 2);
  BOOST_TEST(plan.grid.cols == 2);
  // n = 100 in blocks of 64 over 2 processes: process 0 owns the first block, 64 rows; the 20
  // test rows all sit in its first block. Local pairs 64 x 64 + 20 x 64.
  BOOST_TEST(item(phase(plan, "depth loop"), "kernel matrices") == (64 * 64 + 20 * 64) * 8);
  // Lower triangle of its 64 x 64 block (global rows and columns 0..63) plus its test pairs.
  BOOST_TEST(plan.work.front().amount == (64.0 * 65 / 2 + 20 * 64) * 10);
}

BOOST_AUTO_TEST_CASE(architecture_and_activation_change_the_sweep_arrays) {
  auto config = small_config();
  app::apply_override(config, "network.activation=erf");  // + difference of diagonals + side (no bias)
  auto plan = app::make_plan(config, app::plan_shape(config), 1);
  BOOST_TEST(item(phase(plan, "depth loop"), "sweep state, 4 arrays") == 4 * 12000 * 8);
  app::apply_override(config, "network.architecture=shortcut");  // + 8 head sums
  plan = app::make_plan(config, app::plan_shape(config), 1);
  BOOST_TEST(item(phase(plan, "depth loop"), "sweep state, 12 arrays") == 12 * 12000 * 8);
  app::apply_override(config, "network.activation=relu");
  app::apply_override(config, "network.architecture=resnet");  // alpha = 1/sqrt(L): inputs kept, passes per depth
  plan = app::make_plan(config, app::plan_shape(config), 1);
  BOOST_TEST(item(phase(plan, "depth loop"), "sweep state, 3 arrays") == 3 * 12000 * 8);
  BOOST_TEST(plan.layer_steps == 11);
}

BOOST_AUTO_TEST_CASE(a_grid_larger_than_the_ranks_is_named) {
  auto config = small_config();
  app::apply_override(config, "parallel.grid=[2,2]");
  BOOST_CHECK_EXCEPTION((void)app::make_plan(config, app::plan_shape(config), 2), app::ConfigError,
                        [](const app::ConfigError& e) { return contains(e.what(), "needs 4 MPI ranks"); });
}

BOOST_AUTO_TEST_CASE(a_plan_that_does_not_fit_names_a_rank_count_that_does) {
  auto config = small_config();
  app::apply_override(config, "data.n_train=4000");
  const auto shape = app::plan_shape(config);
  const auto plan = app::make_plan(config, shape, 1);
  const std::int64_t limit = app::runtime_baseline_bytes() + (plan.peak_bytes() - app::runtime_baseline_bytes()) / 5;
  const app::AvailableMemory available{limit, "parallel.memory_per_rank"};
  const auto line = app::refusal(config, plan, available);
  BOOST_REQUIRE(line.has_value());
  BOOST_TEST_MESSAGE(*line);
  BOOST_TEST(line->find('\n') == std::string::npos);
  BOOST_TEST(contains(*line, "parallel.memory_per_rank"));
  const auto at = line->find("would fit on ");
  BOOST_REQUIRE(at != std::string::npos);
  const int ranks = std::stoi(line->substr(at + 13));
  BOOST_TEST(app::peak_bytes_per_rank(config, shape, ranks) <= limit);
  BOOST_TEST(app::peak_bytes_per_rank(config, shape, ranks - 1) > limit);
  BOOST_TEST(!app::refusal(config, app::make_plan(config, shape, ranks), available).has_value());

  const app::AvailableMemory tiny{app::runtime_baseline_bytes() / 2, "SLURM_MEM_PER_CPU"};
  const auto impossible = app::refusal(config, plan, tiny);
  BOOST_REQUIRE(impossible.has_value());
  BOOST_TEST(contains(*impossible, "cannot fit on any number of ranks"));
  BOOST_TEST(!app::refusal(config, plan, app::AvailableMemory{std::nullopt, "unknown"}).has_value());
}

BOOST_AUTO_TEST_CASE(finite_width_plans_the_monte_carlo_state_the_producer_holds) {
  auto config = small_config();
  app::apply_override(config, "network.width=64");
  app::apply_override(config, "montecarlo.samples=4");
  const auto shape = app::plan_shape(config);
  const auto plan = app::make_plan(config, shape, 1);
  // One rank: every train point is a row and a column, seen once; plus the test points.
  const std::int64_t expected = deepntk::finite::MonteCarloSweep::memory_bytes(
      app::finite_spec_from_config(config.network), 8, 10, 100 + 20, 100 * 100 + 20 * 100);
  BOOST_TEST(item(phase(plan, "depth loop"), "Monte-Carlo state") == expected);
  BOOST_TEST(plan.layer_steps == 4 * (1 + 10));
  BOOST_TEST(plan.networks_per_depth == 4);
  // The activations grow with width x depth: a deep wide run no longer fits where a shallow one does.
  auto deep = config;
  app::apply_override(deep, "depth.schedule=[1,100000]");
  const auto deep_plan = app::make_plan(deep, shape, 1);
  BOOST_TEST(deep_plan.peak_bytes() > plan.peak_bytes() + 64LL * 100000 * 120 * 8);
  const app::AvailableMemory available{plan.peak_bytes() * 2, "parallel.memory_per_rank"};
  BOOST_TEST(!app::refusal(config, plan, available).has_value());
  const auto refused = app::refusal(deep, deep_plan, available);
  BOOST_REQUIRE(refused.has_value());
  BOOST_TEST(contains(*refused, "parallel.memory_per_rank"), *refused);
  // On a 2 x 2 grid the rank at the origin sees the points of its row and column blocks once.
  app::apply_override(config, "parallel.block_size=10");
  const auto grid_plan = app::make_plan(config, shape, 4);
  const std::int64_t rows = 50, cols = 50, shared = 50, test_rows = 10;  // blocks 0, 2, 4, 6, 8 both ways
  BOOST_TEST(item(phase(grid_plan, "depth loop"), "Monte-Carlo state") ==
             deepntk::finite::MonteCarloSweep::memory_bytes(app::finite_spec_from_config(config.network), 8, 10,
                                                            rows + cols - shared + test_rows, 50 * 50 + 10 * 50));
}

BOOST_AUTO_TEST_CASE(the_table_names_every_phase_and_the_verdict) {
  const auto config = small_config();
  const auto plan = app::make_plan(config, app::plan_shape(config), 1);
  const auto text = app::format_plan(plan, {std::int64_t{1} << 40, "parallel.memory_per_rank"});
  for (const auto& p : plan.phases) BOOST_TEST(contains(text, p.name));
  BOOST_TEST(contains(text, "<- peak"));
  BOOST_TEST(contains(text, ": fits"));
  BOOST_TEST(contains(text, "estimate"));
  BOOST_TEST(contains(app::format_plan(plan, {1, "x"}), "DOES NOT FIT"));
}

BOOST_AUTO_TEST_CASE(sizes_parse_in_binary_and_decimal_units) {
  BOOST_TEST(app::parse_byte_size("4GiB").value() == std::int64_t{4} << 30);
  BOOST_TEST(app::parse_byte_size("4G").value() == std::int64_t{4} << 30);
  BOOST_TEST(app::parse_byte_size("512 MiB").value() == std::int64_t{512} << 20);
  BOOST_TEST(app::parse_byte_size("1.5gib").value() == std::int64_t{3} << 29);
  BOOST_TEST(app::parse_byte_size("2GB").value() == 2'000'000'000);
  BOOST_TEST(app::parse_byte_size("1000").value() == 1000);
  BOOST_TEST(app::format_bytes(std::int64_t{3} << 29) == "1.50 GiB");
  for (const char* bad : {"", "GiB", "-1G", "0", "4 parsecs", "nan", "1e30T"}) {
    BOOST_TEST(!app::parse_byte_size(bad).has_value(), bad);
  }
}

BOOST_AUTO_TEST_CASE(the_configured_size_is_a_checked_key) {
  auto config = small_config();
  app::apply_override(config, "parallel.memory_per_rank=2GiB");
  BOOST_TEST(config.parallel.memory_per_rank == "2GiB");
  BOOST_CHECK(app::parse_config_string(app::to_toml(config)) == config);
  BOOST_CHECK_EXCEPTION(app::apply_override(config, "parallel.memory_per_rank=lots"), app::ConfigError,
                        [](const app::ConfigError& e) { return contains(e.what(), "parallel.memory_per_rank"); });
}

BOOST_AUTO_TEST_CASE(available_memory_follows_the_documented_order) {
  const std::filesystem::path meminfo = std::filesystem::temp_directory_path() / "deepntk-plan-test-meminfo";
  { std::ofstream(meminfo) << "MemTotal:       16000000 kB\nMemAvailable:    8000000 kB\n"; }
  const auto none = environment({});
  const auto configured = app::available_memory("3GiB", 4, none, meminfo);
  BOOST_TEST(configured.bytes_per_rank.value() == std::int64_t{3} << 30);
  BOOST_TEST(configured.source == "parallel.memory_per_rank");

  const auto per_cpu =
      app::available_memory("", 4, environment({{"SLURM_MEM_PER_CPU", "2000"}, {"SLURM_CPUS_PER_TASK", "2"},
                                                {"SLURM_MEM_PER_NODE", "1"}}),
                            meminfo);
  BOOST_TEST(per_cpu.bytes_per_rank.value() == std::int64_t{4000} << 20);
  BOOST_TEST(contains(per_cpu.source, "SLURM_MEM_PER_CPU"));

  const auto per_node = app::available_memory("", 4, environment({{"SLURM_MEM_PER_NODE", "8000"}}), meminfo);
  BOOST_TEST(per_node.bytes_per_rank.value() == (std::int64_t{8000} << 20) / 4);
  BOOST_TEST(contains(per_node.source, "4 ranks on this node"));

  const auto from_meminfo = app::available_memory("", 2, none, meminfo);
  BOOST_TEST(from_meminfo.bytes_per_rank.value() == 8000000LL * 1024 / 2);
  BOOST_TEST(contains(from_meminfo.source, "MemAvailable"));

  const auto unknown = app::available_memory("", 2, none, meminfo.string() + ".missing");
  BOOST_TEST(!unknown.bytes_per_rank.has_value());
  std::filesystem::remove(meminfo);
}

BOOST_AUTO_TEST_SUITE_END()
