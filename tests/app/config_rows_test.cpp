// data.n_train / data.n_test: "all" or a number; file sources use every row unless a count is
// set, generated sources keep 1024 / 256, and the effective configuration names "all" itself.
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "deepntk/app/config.hpp"

namespace app = deepntk::app;
using app::DataConfig;

namespace {

app::RunConfig load(const std::vector<std::string>& overrides) { return app::load_config(std::nullopt, overrides); }

std::string refusal(const std::vector<std::string>& overrides) {
  try {
    (void)load(overrides);
  } catch (const app::ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

BOOST_AUTO_TEST_CASE(file_sources_default_to_every_row_generated_sources_to_1024_and_256) {
  for (const std::string source : {"hdf5", "idx", "cifar10"}) {
    BOOST_TEST_CONTEXT(source) {
      const auto c = load({"data.source=" + source, "data.path=x", "data.targets=none"});
      BOOST_TEST(c.data.n_train == DataConfig::all_rows);
      BOOST_TEST(c.data.n_test == DataConfig::all_rows);
    }
  }
  const auto sphere = load({});
  BOOST_TEST(sphere.data.n_train == 1024);
  BOOST_TEST(sphere.data.n_test == 256);
  // A count that is set stays, whichever key comes first.
  const auto set = load({"data.n_test=0", "data.source=hdf5", "data.path=x"});
  BOOST_TEST(set.data.n_train == DataConfig::all_rows);
  BOOST_TEST(set.data.n_test == 0);
  const auto file = app::parse_config_string("[data]\nn_train = 12\nsource = \"idx\"\npath = \"d\"\ntargets = \"onehot\"\n", "run.toml");
  BOOST_TEST(file.data.n_train == 12);
  BOOST_TEST(file.data.n_test == DataConfig::all_rows);
}

BOOST_AUTO_TEST_CASE(all_is_written_back_and_read_again) {
  const auto c = load({"data.source=hdf5", "data.path=x", "data.n_test=\"all\"", "data.n_train=7"});
  const auto text = app::to_toml(c);
  BOOST_TEST(text.find("n_test = \"all\"\n") != std::string::npos, text);
  BOOST_TEST((app::parse_config_string(text, "<effective>") == c));
  BOOST_TEST(load({"data.source=cifar10", "data.path=x", "data.targets=none", "data.n_train=all"}).data.n_train == DataConfig::all_rows);
}

BOOST_AUTO_TEST_CASE(all_for_generated_points_and_bad_counts_are_refused) {
  const auto sphere = refusal({"data.n_train=all"});
  BOOST_TEST(sphere.find("data.n_train: got \"all\", which means every row of a file source, but data.source = "
                         "\"sphere\"") != std::string::npos,
             sphere);
  BOOST_TEST(refusal({"data.source=sine", "data.preprocessing=bias", "data.n_test=all"}).find("data.n_test") !=
             std::string::npos);
  const auto word = refusal({"data.n_train=some"});
  BOOST_TEST(word.find("expected an integer from 1 to 2147483647, or \"all\"") != std::string::npos, word);
  BOOST_TEST(refusal({"data.n_train=-1"}).find("expected an integer") != std::string::npos);
  BOOST_TEST(refusal({"data.n_test=-1"}).find("expected an integer") != std::string::npos);
}
