// The command line as a user meets it: `deepntk run` under mpiexec with bad requests. Each
// must fail on every rank with a non-zero exit, print one clear message, and leave no
// result file behind (and never touch an existing one without --force).
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include "cli_test_support.hpp"

namespace fs = std::filesystem;
using deepntk::cli_test::count;
using deepntk::cli_test::fresh_output;
using deepntk::cli_test::run_deepntk;
using deepntk::cli_test::slurp;

namespace {

const std::string config = DEEPNTK_SMALL_CONFIG;

}  // namespace

BOOST_AUTO_TEST_CASE(an_existing_result_is_not_overwritten_without_force) {
  const auto path = fresh_output("existing.h5");
  { std::ofstream(path) << "precious"; }
  BOOST_REQUIRE(slurp(path) == "precious");
  const auto refused = run_deepntk(2, "run " + config + " --output " + path);
  BOOST_TEST(refused.exit_code != 0);
  BOOST_TEST(count(refused.err, "deepntk: error") == 1u, refused.err);
  BOOST_TEST(refused.err.find("--force") != std::string::npos, refused.err);
  BOOST_TEST(slurp(path) == "precious");

  const auto forced = run_deepntk(2, "run " + config + " --output " + path + " --force --quiet");
  BOOST_TEST(forced.exit_code == 0, forced.err);
  BOOST_TEST(slurp(path) != "precious");
}

BOOST_AUTO_TEST_CASE(a_misspelt_key_is_named_with_a_suggestion) {
  const auto path = fresh_output("misspelt.h5");
  const auto result = run_deepntk(2, "run " + config + " --set network.sw3=1 --output " + path);
  BOOST_TEST(result.exit_code == 1);
  BOOST_TEST(count(result.err, "deepntk: error") == 1u, result.err);
  BOOST_TEST(result.err.find("network.sw3") != std::string::npos, result.err);
  BOOST_TEST(result.err.find("did you mean") != std::string::npos, result.err);
  BOOST_TEST(!fs::exists(path));
}

BOOST_AUTO_TEST_CASE(a_bad_value_says_what_is_allowed) {
  const auto path = fresh_output("bad-value.h5");
  const auto result = run_deepntk(2, "run " + config + " --set network.sw2=-1 --output " + path);
  BOOST_TEST(result.exit_code == 1);
  BOOST_TEST(count(result.err, "deepntk: error") == 1u, result.err);
  BOOST_TEST(result.err.find("network.sw2") != std::string::npos, result.err);
  BOOST_TEST(!fs::exists(path));
}

BOOST_AUTO_TEST_CASE(a_grid_larger_than_the_run_is_refused) {
  const auto path = fresh_output("big-grid.h5");
  const auto result = run_deepntk(2, "run " + config + " --set parallel.grid=[2,2] --output " + path);
  BOOST_TEST(result.exit_code == 1);
  BOOST_TEST(count(result.err, "deepntk: error") == 1u, result.err);
  BOOST_TEST(result.err.find("needs 4 MPI ranks") != std::string::npos, result.err);
  BOOST_TEST(!fs::exists(path));
}

BOOST_AUTO_TEST_CASE(a_grid_with_more_cells_than_an_int_is_refused_not_crashed) {
  // 65536 x 65536 wrapped to 0 cells in int arithmetic and segfaulted in Cblacs_gridinit.
  const auto path = fresh_output("huge-grid.h5");
  const auto result = run_deepntk(2, "run " + config + " --set parallel.grid=[65536,65536] --output " + path);
  BOOST_TEST(result.exit_code == 1, result.err);
  BOOST_TEST(count(result.err, "deepntk: error") == 1u, result.err);
  BOOST_TEST(result.err.find("rows x cols = 4294967296 ranks") != std::string::npos, result.err);
  BOOST_TEST(!fs::exists(path));
  const auto plan = run_deepntk(0, "plan " + config + " --set parallel.grid=[65536,65536]");
  BOOST_TEST(plan.exit_code == 1, plan.err);
  BOOST_TEST(count(plan.err, "deepntk: error") == 1u, plan.err);
}

BOOST_AUTO_TEST_CASE(the_largest_block_size_runs_as_one_block) {
  // parallel.block_size = 2^31 - 1 overflowed PDSYEVD's 32-bit LWORK after the sweep had run;
  // the block is now capped at max(n_train, d) = 97, which holds the same data.
  const auto path = fresh_output("huge-block.h5");
  const auto result = run_deepntk(2, "run " + config + " --set parallel.block_size=2147483647 --output " + path);
  BOOST_TEST(result.exit_code == 0, result.err);
  BOOST_TEST(result.out.find("block size 97") != std::string::npos, result.out);
  BOOST_TEST(fs::exists(path));
}

BOOST_AUTO_TEST_CASE(a_missing_config_file_is_named) {
  const auto result = run_deepntk(1, "run /nonexistent/deepntk.toml --output " + fresh_output("none.h5"));
  BOOST_TEST(result.exit_code == 1);
  BOOST_TEST(result.err.find("/nonexistent/deepntk.toml") != std::string::npos, result.err);
}

BOOST_AUTO_TEST_CASE(a_grid_with_an_idle_rank_still_writes_a_correct_file) {
  // 1x3 grid on 4 ranks: the fourth rank owns nothing but takes part in collective I/O.
  const auto path = fresh_output("idle-rank.h5");
  const auto result =
      run_deepntk(4, "run " + config + " --set parallel.grid=[1,3] --set 'depth.schedule=\"1,5\"' --output " + path +
                         " --quiet");
  BOOST_TEST(result.exit_code == 0, result.err);
  BOOST_TEST(fs::exists(path));
}
