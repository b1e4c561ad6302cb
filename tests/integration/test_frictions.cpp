// The frictions of issue 10 as a researcher meets them through the command line: requests that
// used to pass `plan` and then crash the run, or fail where a note would do.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include "cli_test_support.hpp"

namespace fs = std::filesystem;
using deepntk::cli_test::count;
using deepntk::cli_test::fresh_output;
using deepntk::cli_test::run_deepntk;

namespace {

const std::string config = DEEPNTK_SMALL_CONFIG;

}  // namespace

BOOST_AUTO_TEST_CASE(a_shortcut_depth_below_readout_every_is_refused_by_plan_and_run) {
  const std::string shortcut = " --set network.architecture=shortcut --set network.readout_every=4";
  const auto planned = run_deepntk(0, "plan " + config + shortcut);
  BOOST_TEST(planned.exit_code == 1, planned.err);
  BOOST_TEST(count(planned.err, "deepntk: error") == 1u, planned.err);
  BOOST_TEST(planned.err.find("the smallest allowed depth is 4") != std::string::npos, planned.err);

  const auto path = fresh_output("shortcut-below-h.h5");
  const auto run = run_deepntk(2, "run " + config + shortcut + " --output " + path);
  BOOST_TEST(run.exit_code == 1, run.err);
  BOOST_TEST(count(run.err, "deepntk: error") == 1u, run.err);
  BOOST_TEST(run.err.find("the smallest allowed depth is 4") != std::string::npos, run.err);
  BOOST_TEST(!fs::exists(path));
  BOOST_TEST(!fs::exists(path + ".checkpoint"));
}

BOOST_AUTO_TEST_CASE(a_schedule_override_drops_kernel_depths_with_a_note) {
  const fs::path file = deepntk::cli_test::scratch("kernels-listed.toml");
  std::ofstream(file) << "[data]\nn_train = 20\nn_test = 4\ndim = 4\n[depth]\nschedule = [1, 7, 30]\n"
                         "[output]\nkernels = [7, 30]\n";
  const auto path = fresh_output("kernels-listed.h5");
  const auto run =
      run_deepntk(2, "run " + file.string() + " --set depth.schedule=[1,7] --quiet --output " + path);
  BOOST_TEST(run.exit_code == 0, run.err);
  BOOST_TEST(count(run.err, "deepntk: note: --set depth.schedule no longer records depth 30") == 1u, run.err);
  BOOST_TEST(fs::exists(path));
}

BOOST_AUTO_TEST_CASE(a_key_the_architecture_ignores_is_warned_about_once) {
  const auto path = fresh_output("alpha-for-mlp.h5");
  const auto run = run_deepntk(2, "run " + config + " --set network.alpha=0.5 --set depth.schedule=1 --quiet --output " +
                                      path);
  BOOST_TEST(run.exit_code == 0, run.err);
  BOOST_TEST(count(run.err, "deepntk: warning: network.alpha = 0.5 is ignored") == 1u, run.err);
  const auto planned = run_deepntk(0, "plan " + config + " --set network.alpha=0.5");
  BOOST_TEST(planned.exit_code == 0, planned.err);
  BOOST_TEST(count(planned.err, "deepntk: warning: network.alpha = 0.5 is ignored") == 1u, planned.err);
}

BOOST_AUTO_TEST_CASE(the_block_size_is_chosen_so_that_every_rank_owns_data) {
  // n = 64 on two ranks: the old default, one block of 64, left the second rank idle.
  const std::string n64 = " --set data.n_train=64 --set data.n_test=8 --set depth.schedule=1";
  const auto path = fresh_output("automatic-block.h5");
  const auto run = run_deepntk(2, "run " + config + n64 + " --set parallel.block_size=0 --output " + path);
  BOOST_TEST(run.exit_code == 0, run.err);
  BOOST_TEST(run.out.find("1x2 grid, block size 32") != std::string::npos, run.out);
  BOOST_TEST(run.err.find("warning") == std::string::npos, run.err);
  const auto planned = run_deepntk(2, "plan " + config + n64 + " --set parallel.block_size=0");
  BOOST_TEST(planned.exit_code == 0, planned.err);
  BOOST_TEST(planned.out.find("block size 32") != std::string::npos, planned.out);

  // A size the user sets is kept, with one warning naming a size that keeps both ranks busy.
  const auto set_path = fresh_output("set-block.h5");
  const auto set = run_deepntk(2, "run " + config + n64 + " --set parallel.block_size=64 --quiet --output " + set_path);
  BOOST_TEST(set.exit_code == 0, set.err);
  BOOST_TEST(count(set.err, "deepntk: warning: parallel.block_size = 64 leaves 1 of the 2 ranks") == 1u, set.err);
  BOOST_TEST(set.err.find("set parallel.block_size = 32") != std::string::npos, set.err);
  const auto set_plan = run_deepntk(2, "plan " + config + n64 + " --set parallel.block_size=64");
  BOOST_TEST(count(set_plan.err, "deepntk: warning: parallel.block_size = 64 leaves") == 1u, set_plan.err);
}
