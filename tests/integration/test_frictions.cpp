// The frictions of issue 10 as a researcher meets them through the command line: requests that
// used to pass `plan` and then crash the run, or fail where a note would do.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include "cli_test_support.hpp"

namespace fs = std::filesystem;
using deepntk::cli_test::count;
using deepntk::cli_test::run_deepntk;

namespace {

// A fresh path in the scratch directory, with no checkpoint directory beside it.
std::string output_path(const std::string& name) {
  const fs::path path = deepntk::cli_test::scratch(name);
  fs::remove(path);
  fs::remove_all(path.string() + ".checkpoint");
  return path.string();
}

const std::string config = DEEPNTK_SMALL_CONFIG;

}  // namespace

BOOST_AUTO_TEST_CASE(a_shortcut_depth_below_readout_every_is_refused_by_plan_and_run) {
  const std::string shortcut = " --set network.architecture=shortcut --set network.readout_every=4";
  const auto planned = run_deepntk(0, "plan " + config + shortcut);
  BOOST_TEST(planned.exit_code == 1, planned.err);
  BOOST_TEST(count(planned.err, "deepntk: error") == 1u, planned.err);
  BOOST_TEST(planned.err.find("the smallest allowed depth is 4") != std::string::npos, planned.err);

  const auto path = output_path("shortcut-below-h.h5");
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
  const auto path = output_path("kernels-listed.h5");
  const auto run =
      run_deepntk(2, "run " + file.string() + " --set depth.schedule=[1,7] --quiet --output " + path);
  BOOST_TEST(run.exit_code == 0, run.err);
  BOOST_TEST(count(run.err, "deepntk: note: --set depth.schedule no longer records depth 30") == 1u, run.err);
  BOOST_TEST(fs::exists(path));
}

BOOST_AUTO_TEST_CASE(a_key_the_architecture_ignores_is_warned_about_once) {
  const auto path = output_path("alpha-for-mlp.h5");
  const auto run = run_deepntk(2, "run " + config + " --set network.alpha=0.5 --set depth.schedule=1 --quiet --output " +
                                      path);
  BOOST_TEST(run.exit_code == 0, run.err);
  BOOST_TEST(count(run.err, "deepntk: warning: network.alpha = 0.5 is ignored") == 1u, run.err);
  const auto planned = run_deepntk(0, "plan " + config + " --set network.alpha=0.5");
  BOOST_TEST(planned.exit_code == 0, planned.err);
  BOOST_TEST(count(planned.err, "deepntk: warning: network.alpha = 0.5 is ignored") == 1u, planned.err);
}
