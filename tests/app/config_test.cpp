// RunConfig: defaults, TOML files and strings, --set overrides, error messages, round trip.

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "deepntk/app/config.hpp"
#include "deepntk/app/config_schema.hpp"

namespace app = deepntk::app;
using app::ConfigError;
using app::RunConfig;

namespace {

/// A file in a fresh temporary directory, removed with the fixture.
struct TempFile {
  std::filesystem::path dir;
  std::filesystem::path path;

  TempFile(const std::string& name, const std::string& text) {
    dir = std::filesystem::temp_directory_path() /
          ("deepntk-config-test-" + std::to_string(std::hash<std::string>{}(name + text)) + "-" +
           std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    std::filesystem::create_directories(dir);
    path = dir / name;
    std::ofstream(path) << text;
  }
  ~TempFile() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
};

/// The message of the ConfigError `f` throws; fails the test if it throws nothing.
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const ConfigError& error) {
    BOOST_TEST_MESSAGE("message: " << error.what());
    return error.what();
  }
  BOOST_FAIL("expected a ConfigError");
  return {};
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

RunConfig with_override(const std::string& assignment) {
  RunConfig config;
  app::apply_override(config, assignment);
  return config;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(config)

BOOST_AUTO_TEST_CASE(defaults_are_the_documented_ones) {
  const RunConfig c;
  BOOST_TEST((c.data.source == app::DataSource::sphere));
  BOOST_TEST(c.data.n_train == 1024);
  BOOST_TEST(c.data.n_test == 256);
  BOOST_TEST(c.data.dim == 128);
  BOOST_TEST(c.data.seed == 20251122u);
  BOOST_TEST(c.data.path.empty());
  BOOST_TEST(c.data.x_train == "x_train");
  BOOST_TEST(c.data.y_train == "y_train");
  BOOST_TEST(c.data.x_test == "x_test");
  BOOST_TEST(c.data.y_test == "y_test");
  BOOST_TEST((c.network.architecture == app::Architecture::mlp));
  BOOST_TEST((c.network.activation == app::Activation::relu));
  BOOST_TEST(c.network.sw2 == 2.0);
  BOOST_TEST(c.network.sb2 == 0.0);
  BOOST_TEST((c.network.alpha.rule == app::AlphaRule::inverse_sqrt_depth));
  BOOST_TEST(c.network.readout_every == 1);
  BOOST_TEST(c.depth.schedule == "1,2,5,10,20,50,100,200,500,1000");
  BOOST_TEST((c.depth.kinds == std::vector{app::KernelKind::nngp, app::KernelKind::ntk}));
  BOOST_TEST(c.parallel.automatic_grid());
  BOOST_TEST(c.parallel.block_size == 0);  // automatic
  BOOST_TEST(c.output.path == "deepntk-result.h5");
  BOOST_TEST((c.output.kernels == app::KernelDepths::all()));
  BOOST_TEST(c.output.eigenvalues);

  BOOST_CHECK_NO_THROW(app::validate(c));
  BOOST_TEST((app::parse_config_string("") == c));
  BOOST_TEST((app::load_config(std::nullopt) == c));
  BOOST_TEST((app::parse_config_string("[data]\n[network]\n") == c));
}

BOOST_AUTO_TEST_CASE(enum_names_follow_the_enumerators) {
  BOOST_TEST(app::to_string(app::DataSource::hdf5) == "hdf5");
  BOOST_TEST(app::to_string(app::Architecture::shortcut) == "shortcut");
  BOOST_TEST(app::to_string(app::Activation::erf) == "erf");
  BOOST_TEST(app::to_string(app::KernelKind::ntk) == "ntk");
  BOOST_TEST((app::enum_from_string<app::Architecture>("resnet") == app::Architecture::resnet));
  BOOST_TEST(!app::enum_from_string<app::Architecture>("ResNet").has_value());
}

BOOST_AUTO_TEST_CASE(branch_scale_rules) {
  const app::BranchScale inverse_sqrt{};
  BOOST_TEST(inverse_sqrt.at_depth(100) == 0.1, boost::test_tools::tolerance(1e-15));
  BOOST_TEST(inverse_sqrt.log_at_depth(100) == -0.5 * std::log(100.0), boost::test_tools::tolerance(1e-15));
  const app::BranchScale constant{app::AlphaRule::constant, 0.3};
  BOOST_TEST(constant.at_depth(1000) == 0.3);
  const app::BranchScale power{app::AlphaRule::power, 0.25};
  BOOST_TEST(power.at_depth(10000) == 0.1, boost::test_tools::tolerance(1e-15));
  BOOST_TEST(app::to_string(inverse_sqrt) == "1/sqrt(L)");
  BOOST_TEST(app::to_string(power) == "L^-0.25");
  BOOST_TEST(app::to_string(constant) == "0.3");
}

BOOST_AUTO_TEST_CASE(file_sets_every_kind_of_key) {
  const TempFile file("run.toml", R"(# a run
[data]
source = "hdf5"
path = "inputs/mnist.h5"
n_train = 512
n_test = 0
x_train = "train/x"
seed = "18446744073709551615"

[network]
architecture = "resnet"
activation = "erf"
sw2 = 1          # an integer is a fine float
sb2 = 0.05
alpha = "L^-0.25"

[depth]
schedule = "log:1:1e6:25"
kinds = ["ntk"]

[parallel]
grid = [2, 3]
block_size = 32

[output]
path = "out.h5"
kernels = false
)");
  const RunConfig c = app::parse_config_file(file.path);
  BOOST_TEST((c.data.source == app::DataSource::hdf5));
  BOOST_TEST(c.data.path == "inputs/mnist.h5");
  BOOST_TEST(c.data.n_train == 512);
  BOOST_TEST(c.data.n_test == 0);
  BOOST_TEST(c.data.x_train == "train/x");
  BOOST_TEST(c.data.y_train == "y_train");
  BOOST_TEST(c.data.seed == std::numeric_limits<std::uint64_t>::max());
  BOOST_TEST((c.network.architecture == app::Architecture::resnet));
  BOOST_TEST((c.network.activation == app::Activation::erf));
  BOOST_TEST(c.network.sw2 == 1.0);
  BOOST_TEST(c.network.sb2 == 0.05);
  BOOST_TEST((c.network.alpha == app::BranchScale{app::AlphaRule::power, 0.25}));
  BOOST_TEST(c.depth.schedule == "log:1:1000000:25");
  BOOST_TEST((c.depth.kinds == std::vector{app::KernelKind::ntk}));
  BOOST_TEST((c.parallel.grid == std::array<std::int64_t, 2>{2, 3}));
  BOOST_TEST(!c.parallel.automatic_grid());
  BOOST_TEST(c.parallel.block_size == 32);
  BOOST_TEST(c.output.path == "out.h5");
  BOOST_TEST((c.output.kernels == app::KernelDepths::none()));
  BOOST_TEST(c.output.eigenvalues);
  // load_config gives the same.
  BOOST_TEST((app::load_config(file.path) == c));
}

BOOST_AUTO_TEST_CASE(dotted_keys_and_inline_tables_work_too) {
  const RunConfig c = app::parse_config_string("network.sw2 = 1.5\ndepth = { schedule = [3, 7] }\n");
  BOOST_TEST(c.network.sw2 == 1.5);
  BOOST_TEST(c.depth.schedule == "3,7");
}

BOOST_AUTO_TEST_CASE(alpha_forms) {
  BOOST_TEST((app::parse_config_string("network.alpha = 0.5").network.alpha ==
              app::BranchScale{app::AlphaRule::constant, 0.5}));
  BOOST_TEST((app::parse_config_string("network.alpha = 1").network.alpha ==
              app::BranchScale{app::AlphaRule::constant, 1.0}));
  BOOST_TEST((app::parse_config_string("network.alpha = \"1/sqrt(L)\"").network.alpha == app::BranchScale{}));
  BOOST_TEST((app::parse_config_string("network.alpha = \" 1 / sqrt(L) \"").network.alpha == app::BranchScale{}));
  BOOST_TEST((app::parse_config_string("network.alpha = \"L^-1\"").network.alpha ==
              app::BranchScale{app::AlphaRule::power, 1.0}));
  BOOST_TEST((app::parse_config_string("network.alpha = \"L^(-0.75)\"").network.alpha ==
              app::BranchScale{app::AlphaRule::power, 0.75}));
}

BOOST_AUTO_TEST_CASE(schedule_forms) {
  const auto schedule = [](const std::string& value) {
    return app::parse_config_string("depth.schedule = " + value).depth.schedule;
  };
  BOOST_TEST(schedule("[1, 10, 100]") == "1,10,100");
  BOOST_TEST(schedule("[1e3, 1e8]") == "1000,100000000");
  BOOST_TEST(schedule("\"1, 2 ,5\"") == "1,2,5");
  BOOST_TEST(schedule("\"7\"") == "7");
  BOOST_TEST(schedule("\"log:1:1_000_000:25\"") == "log:1:1000000:25");
  BOOST_TEST(schedule("\"log: 10 : 10 : 1\"") == "log:10:10:1");
}

BOOST_AUTO_TEST_CASE(override_each_type) {
  // integer, float (from an integer), bare string, quoted string, boolean, enum words
  BOOST_TEST(with_override("data.n_train=2048").data.n_train == 2048);
  BOOST_TEST(with_override("data.n_train = 4096").data.n_train == 4096);
  BOOST_TEST(with_override("network.sw2=1.5").network.sw2 == 1.5);
  BOOST_TEST(with_override("network.sw2=3").network.sw2 == 3.0);
  BOOST_TEST(with_override("output.path=runs/out.h5").output.path == "runs/out.h5");
  BOOST_TEST(with_override("output.path=\"a b.h5\"").output.path == "a b.h5");
  BOOST_TEST(with_override("data.x_train=123").data.x_train == "123");  // string keys take words as they are
  BOOST_TEST(with_override("data.path=/scratch/x=y.h5").data.path == "/scratch/x=y.h5");
  BOOST_TEST((with_override("output.kernels=false").output.kernels == app::KernelDepths::none()));
  BOOST_TEST((with_override("network.architecture=resnet").network.architecture == app::Architecture::resnet));
  BOOST_TEST((with_override("network.activation=\"erf\"").network.activation == app::Activation::erf));
  BOOST_TEST((with_override("data.source=hdf5").data.source == app::DataSource::hdf5));
  BOOST_TEST(with_override("data.seed=7").data.seed == 7u);
  // alpha: bare words, numbers
  BOOST_TEST((with_override("network.alpha=1/sqrt(L)").network.alpha == app::BranchScale{}));
  BOOST_TEST((with_override("network.alpha=L^-0.25").network.alpha ==
              app::BranchScale{app::AlphaRule::power, 0.25}));
  BOOST_TEST((with_override("network.alpha=0.1").network.alpha == app::BranchScale{app::AlphaRule::constant, 0.1}));
  // arrays and their string forms
  BOOST_TEST(with_override("depth.schedule=[1,10,100]").depth.schedule == "1,10,100");
  BOOST_TEST(with_override("depth.schedule=1,2,5").depth.schedule == "1,2,5");
  BOOST_TEST(with_override("depth.schedule=log:1:1000000:25").depth.schedule == "log:1:1000000:25");
  BOOST_TEST((with_override("depth.kinds=ntk").depth.kinds == std::vector{app::KernelKind::ntk}));
  BOOST_TEST((with_override("depth.kinds=[\"ntk\", \"nngp\"]").depth.kinds ==
              std::vector{app::KernelKind::ntk, app::KernelKind::nngp}));
  BOOST_TEST((with_override("parallel.grid=[2,2]").parallel.grid == std::array<std::int64_t, 2>{2, 2}));
  BOOST_TEST(with_override("parallel.grid=auto").parallel.automatic_grid());
}

BOOST_AUTO_TEST_CASE(overrides_apply_in_order_after_the_file) {
  const TempFile file("run.toml", "[network]\nsw2 = 1.0\narchitecture = \"resnet\"\n");
  const std::vector<std::string> overrides{"network.sw2=1.5", "data.n_train=64", "network.sw2=3.0"};
  const RunConfig c = app::load_config(file.path, overrides);
  BOOST_TEST(c.network.sw2 == 3.0);
  BOOST_TEST(c.data.n_train == 64);
  BOOST_TEST((c.network.architecture == app::Architecture::resnet));
}

BOOST_AUTO_TEST_CASE(a_failed_override_leaves_the_config_unchanged) {
  RunConfig c;
  BOOST_CHECK_THROW(app::apply_override(c, "network.sw2=-1"), ConfigError);
  BOOST_TEST((c == RunConfig{}));
}

BOOST_AUTO_TEST_CASE(override_errors) {
  const std::string no_equals = error_of([] { (void)with_override("network.sw2"); });
  BOOST_TEST(contains(no_equals, "KEY=VALUE"));
  const std::string unknown = error_of([] { (void)with_override("network.sw=1"); });
  BOOST_TEST(contains(unknown, "--set network.sw"));
  BOOST_TEST(contains(unknown, "did you mean 'network.sw2'?"));
  const std::string bad = error_of([] { (void)with_override("network.sw2=-1"); });
  BOOST_TEST(contains(bad, "--set network.sw2: got -1.0, expected a finite number > 0"));
  const std::string word_for_number = error_of([] { (void)with_override("data.n_train=many"); });
  BOOST_TEST(contains(word_for_number, "data.n_train"));
  BOOST_TEST(contains(word_for_number, "\"many\" (a string)"));
  BOOST_TEST(contains(word_for_number, "expected an integer"));
  const std::string broken_array = error_of([] { (void)with_override("depth.schedule=[1, 2"); });
  BOOST_TEST(contains(broken_array, "depth.schedule"));
  BOOST_TEST(contains(broken_array, "not a valid TOML value"));
}

BOOST_AUTO_TEST_CASE(unknown_keys_get_a_suggestion) {
  const std::string typo = error_of([] { (void)app::parse_config_string("[network]\nsw = 2.0\n", "run.toml"); });
  BOOST_TEST(contains(typo, "run.toml:2:1"));
  BOOST_TEST(contains(typo, "network.sw: unknown key"));
  BOOST_TEST(contains(typo, "did you mean 'network.sw2'?"));

  const std::string transposed =
      error_of([] { (void)app::parse_config_string("[network]\narchitecutre = \"mlp\"\n", "run.toml"); });
  BOOST_TEST(contains(transposed, "did you mean 'network.architecture'?"));

  const std::string wrong_section =
      error_of([] { (void)app::parse_config_string("[network]\nn_train = 5\n", "run.toml"); });
  BOOST_TEST(contains(wrong_section, "did you mean 'data.n_train'?"));

  const std::string section_typo = error_of([] { (void)app::parse_config_string("[netwrok]\nsw2 = 1.0\n", "run.toml"); });
  BOOST_TEST(contains(section_typo, "run.toml:1:"));
  BOOST_TEST(contains(section_typo, "netwrok: unknown section"));
  BOOST_TEST(contains(section_typo, "did you mean 'network'?"));

  const std::string no_section = error_of([] { (void)app::parse_config_string("sw2 = 1.0\n", "run.toml"); });
  BOOST_TEST(contains(no_section, "did you mean 'network.sw2'?"));

  const std::string far_off = error_of([] { (void)app::parse_config_string("[depth]\nzzzzzz = 1\n", "run.toml"); });
  BOOST_TEST(contains(far_off, "depth.zzzzzz: unknown key"));
  BOOST_TEST(contains(far_off, "[depth] has the keys schedule, kinds"));

  const std::string far_section = error_of([] { (void)app::parse_config_string("[qqqqqqqq]\n", "run.toml"); });
  BOOST_TEST(contains(far_section, "the sections are data, network, montecarlo, training, depth, parallel, output"));
}

BOOST_AUTO_TEST_CASE(suggestions_and_distance) {
  BOOST_TEST(app::edit_distance("", "abc") == 3u);
  BOOST_TEST(app::edit_distance("kitten", "sitting") == 3u);
  BOOST_TEST(app::edit_distance("ab", "ba") == 1u);
  BOOST_TEST(app::suggest_key("network.sw") == "network.sw2");
  BOOST_TEST(app::suggest_key("parallel.blocksize") == "parallel.block_size");
  BOOST_TEST(app::suggest_key("output.eigenvalue") == "output.eigenvalues");
  BOOST_TEST(app::suggest_key("network.n_train") == "data.n_train");
  BOOST_TEST(app::suggest_key("completely.unrelated") == "");
}

BOOST_AUTO_TEST_CASE(bad_values_name_the_key_and_what_is_allowed) {
  struct Case {
    std::string document;
    std::vector<std::string> expected_parts;
  };
  const std::vector<Case> cases{
      {"[network]\nsw2 = -1.0\n", {"run.toml:2:7: network.sw2: got -1.0", "expected a finite number > 0"}},
      {"[network]\nsb2 = -0.5\n", {"network.sb2: got -0.5", ">= 0"}},
      {"[network]\narchitecture = \"transformer\"\n",
       {"run.toml:2:", "network.architecture: got \"transformer\"", "one of mlp, resnet, shortcut"}},
      {"[network]\narchitecture = \"resnt\"\n", {"network.architecture", "did you mean \"resnet\"?"}},
      {"[network]\nalpha = \"L^-x\"\n", {"network.alpha: got \"L^-x\"", "\"1/sqrt(L)\"", "\"L^-G\""}},
      {"[network]\nalpha = \"L^-0\"\n", {"network.alpha: got \"L^-0\""}},
      {"[network]\nalpha = -2\n", {"network.alpha: got -2", "a number > 0"}},
      {"[network]\nreadout_every = 0\n", {"network.readout_every: got 0", "an integer from 1"}},
      {"[parallel]\ngrid = [0, 3]\n", {"parallel.grid: got [0, 3]", "[0, 0] (automatic) or [rows, cols]"}},
      {"[parallel]\ngrid = [2, 2, 2]\n", {"parallel.grid: got [2, 2, 2]"}},
      {"[parallel]\ngrid = 4\n", {"parallel.grid: got 4 (an integer)"}},
      // More cells than an int counts: refused here, not wrapped around into BLACS.
      {"[parallel]\ngrid = [65536, 65536]\n",
       {"parallel.grid: got [65536, 65536]", "rows x cols = 4294967296 ranks", "[0, 0] for automatic"}},
      {"[parallel]\nblock_size = -1\n", {"parallel.block_size: got -1", "an integer from 0"}},
      {"[depth]\nkinds = []\n", {"run.toml:2:", "depth.kinds: got []", "a non-empty array"}},
      {"[depth]\nkinds = [\"ntk\", \"ntk\"]\n", {"depth.kinds", "\"ntk\" appears twice"}},
      {"[depth]\nkinds = [\"nngp\", \"ntkk\"]\n", {"depth.kinds", "did you mean \"ntk\"?"}},
      {"[depth]\nschedule = [1, 0, 5]\n", {"depth.schedule: got [1, 0, 5]", "depth 0 is not between 1 and 100000000"}},
      {"[depth]\nschedule = [10, 5]\n", {"depth.schedule", "depths must increase, but 5 follows 10"}},
      {"[depth]\nschedule = [1, 200000000]\n", {"depth.schedule", "200000000"}},
      {"[depth]\nschedule = []\n", {"depth.schedule", "names no depth"}},
      {"[depth]\nschedule = [1.5]\n", {"depth.schedule", "1.5 is not an integer"}},
      {"[depth]\nschedule = \"log:1:100\"\n", {"depth.schedule", "log:START:STOP:COUNT"}},
      {"[depth]\nschedule = \"log:100:1:5\"\n", {"depth.schedule", "START 100 is larger than STOP 1"}},
      {"[depth]\nschedule = \"log:1:100:1\"\n", {"depth.schedule", "COUNT 1 must be at least 2"}},
      {"[depth]\nschedule = \"log:1:100:20000000\"\n", {"depth.schedule", "COUNT 20000000 is more than 10000000"}},
      {"[depth]\nschedule = \"1,x,3\"\n", {"depth.schedule", "'x' is not an integer"}},
      {"[data]\nn_train = 0\n", {"data.n_train: got 0", "an integer from 1 to 2147483647"}},
      {"[data]\nn_train = \"big\"\n", {"data.n_train: got \"big\" (a string), expected an integer"}},
      {"[data]\nn_train = 2.5\n", {"data.n_train: got 2.5, expected an integer"}},
      {"[data]\nn_test = -1\n", {"data.n_test: got -1"}},
      {"[data]\nseed = -3\n", {"data.seed: got -3"}},
      {"[data]\nseed = \"12ab\"\n", {"data.seed: got \"12ab\""}},
      {"[data]\nsource = \"mnist\"\n", {"data.source: got \"mnist\"", "one of sphere, hdf5"}},
      {"[data]\nx_train = \"\"\n", {"data.x_train: got \"\", expected a non-empty string"}},
      {"[output]\nkernels = \"yes\"\n", {"output.kernels: got \"yes\" (a string), expected true (every recorded depth), false (none) or an array"}},
      {"[output]\npath = 3\n", {"output.path: got 3 (an integer), expected a non-empty string"}},
      {"[output]\npath = \"\"\n", {"output.path"}},
      {"network = 3\n", {"network: got 3 (an integer), expected a section"}},
  };
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT("document:\n" << c.document) {
      const std::string message = error_of([&] { (void)app::parse_config_string(c.document, "run.toml"); });
      for (const auto& part : c.expected_parts) {
        BOOST_TEST(contains(message, part), "'" << message << "' should contain '" << part << "'");
      }
      BOOST_TEST(message.find('\n') == std::string::npos);  // one line
    }
  }
}

BOOST_AUTO_TEST_CASE(the_first_problem_in_the_file_is_reported) {
  const std::string message = error_of([] {
    (void)app::parse_config_string("[output]\npath = \"\"\n[data]\nn_train = 0\n", "run.toml");
  });
  BOOST_TEST(contains(message, "run.toml:2:"));
  BOOST_TEST(contains(message, "output.path"));
}

BOOST_AUTO_TEST_CASE(hdf5_source_needs_a_path) {
  const std::string message = error_of([] { (void)app::parse_config_string("[data]\nsource = \"hdf5\"\n"); });
  BOOST_TEST(contains(message, "data.path"));
  BOOST_TEST(contains(message, "hdf5"));
  // ... which an override may supply after the file.
  const TempFile file("run.toml", "[data]\nsource = \"hdf5\"\n");
  const std::vector<std::string> overrides{"data.path=in.h5"};
  BOOST_TEST(app::load_config(file.path, overrides).data.path == "in.h5");
  BOOST_CHECK_THROW((void)app::load_config(file.path), ConfigError);
}

BOOST_AUTO_TEST_CASE(shortcut_depths_start_at_readout_every) {
  // Below h a shortcut network has no read-out head: refused when the configuration is read, so
  // that `plan` refuses it too (it used to pass plan and abort the run with exit 2).
  const std::string message = error_of([] {
    (void)app::parse_config_string(
        "[network]\narchitecture = \"shortcut\"\nreadout_every = 4\n[depth]\nschedule = [1, 4, 8]\n");
  });
  BOOST_TEST(contains(message, "depth.schedule: records depth 1"));
  BOOST_TEST(contains(message, "the smallest allowed depth is 4"));
  BOOST_TEST(message.find('\n') == std::string::npos);
  BOOST_TEST(contains(error_of([] {
                        (void)app::load_config(std::nullopt, std::vector<std::string>{
                                                                 "network.architecture=shortcut",
                                                                 "network.readout_every=10",
                                                                 "depth.schedule=log:2:1000:5"});
                      }),
                      "the smallest allowed depth is 10"));
  BOOST_CHECK_NO_THROW((void)app::parse_config_string(
      "[network]\narchitecture = \"shortcut\"\nreadout_every = 4\n[depth]\nschedule = [4, 5]\n"));
  // Other architectures have no heads: readout_every does not constrain them.
  BOOST_CHECK_NO_THROW((void)app::parse_config_string("[network]\nreadout_every = 4\n[depth]\nschedule = [1]\n"));
}

BOOST_AUTO_TEST_CASE(validate_catches_bad_programmatic_configs) {
  RunConfig c;
  c.network.sw2 = 0.0;
  BOOST_TEST(contains(error_of([&] { app::validate(c); }), "network.sw2: got 0.0"));
  c = RunConfig{};
  c.depth.schedule = "5,1";
  BOOST_TEST(contains(error_of([&] { app::validate(c); }), "depth.schedule"));
  c = RunConfig{};
  c.depth.kinds.clear();
  BOOST_TEST(contains(error_of([&] { app::validate(c); }), "depth.kinds"));
  c = RunConfig{};
  c.parallel.grid = {3, 0};
  BOOST_TEST(contains(error_of([&] { app::validate(c); }), "parallel.grid: got [3, 0]"));
  c = RunConfig{};
  c.network.alpha = {app::AlphaRule::power, -1.0};
  BOOST_TEST(contains(error_of([&] { app::validate(c); }), "network.alpha"));
}

BOOST_AUTO_TEST_CASE(syntax_errors_report_the_line) {
  const TempFile file("broken.toml", "[data]\nn_train = 10\nn_test = = 3\n");
  const std::string message = error_of([&] { (void)app::parse_config_file(file.path); });
  BOOST_TEST(contains(message, file.path.string() + ":3:"));
  BOOST_TEST(contains(message, "TOML syntax error"));

  const std::string unclosed = error_of([] { (void)app::parse_config_string("[data\n", "cfg.toml"); });
  BOOST_TEST(contains(unclosed, "cfg.toml:1:"));
}

BOOST_AUTO_TEST_CASE(missing_file_is_a_clear_error) {
  const std::string message = error_of([] { (void)app::parse_config_file("/nonexistent/deepntk/run.toml"); });
  BOOST_TEST(contains(message, "cannot read configuration file '/nonexistent/deepntk/run.toml'"));
  const std::string directory = error_of([] { (void)app::parse_config_file(std::filesystem::temp_directory_path()); });
  BOOST_TEST(contains(directory, "is a directory"));
}

BOOST_AUTO_TEST_CASE(to_toml_round_trips) {
  std::vector<RunConfig> configs(1);  // the defaults
  {
    RunConfig c;
    c.data.source = app::DataSource::hdf5;
    c.data.path = "dir with space/quote\"back\\slash\ttab\nnewline\x01-é.h5";
    c.data.n_train = 3;
    c.data.n_test = 0;
    c.data.dim = 7;
    c.data.seed = std::numeric_limits<std::uint64_t>::max();
    c.data.y_test = "labels/test";
    c.network.architecture = app::Architecture::shortcut;
    c.network.activation = app::Activation::erf;
    c.network.sw2 = 0.1 + 0.2;  // not a short decimal
    c.network.sb2 = 1e-300;
    c.network.alpha = {app::AlphaRule::power, 1.0 / 3.0};
    c.network.readout_every = 5;
    c.depth.schedule = "log:5:1000000:25";  // shortcut: from readout_every on
    c.depth.kinds = {app::KernelKind::ntk};
    c.parallel.grid = {1, 3};
    c.parallel.block_size = 1;
    c.output.path = "out.h5";
    c.output.kernels = app::KernelDepths::none();
    c.output.eigenvalues = false;
    configs.push_back(c);
  }
  {
    RunConfig c;
    c.network.architecture = app::Architecture::resnet;
    c.network.alpha = {app::AlphaRule::constant, 0.7};
    c.network.sw2 = 2.5e10;
    c.network.sb2 = 3.0;
    c.depth.schedule = "100000000";
    c.depth.kinds = {app::KernelKind::ntk, app::KernelKind::nngp};
    c.data.seed = 0;
    configs.push_back(c);
  }
  {
    RunConfig c;
    c.network.alpha = {app::AlphaRule::constant, 1.0};
    c.data.seed = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    configs.push_back(c);
  }
  for (const auto& c : configs) {
    BOOST_CHECK_NO_THROW(app::validate(c));
    const std::string text = app::to_toml(c);
    BOOST_TEST_CONTEXT("toml:\n" << text) {
      BOOST_TEST((app::parse_config_string(text, "<round trip>") == c));
      BOOST_TEST((app::parse_config_string(app::to_toml(c, {.comments = true})) == c));
      BOOST_TEST(app::to_toml(app::parse_config_string(text)) == text);  // a fixed point
    }
  }
}

BOOST_AUTO_TEST_CASE(to_toml_lists_every_key_in_schema_order) {
  const std::string text = app::to_toml(RunConfig{});
  std::size_t last = 0;
  std::string section;
  for (const auto& key : app::describe_keys()) {
    if (key.section != section) {
      section = key.section;
      const std::size_t at = text.find("[" + section + "]\n", last);
      BOOST_TEST_REQUIRE(at != std::string::npos, "section [" << section << "] in order");
      last = at;
    }
    const std::size_t at = text.find("\n" + key.name + " = " + key.default_value + "\n", last);
    BOOST_TEST(at != std::string::npos, key.key << " with its default, in order");
    if (at != std::string::npos) last = at;
  }
}

BOOST_AUTO_TEST_CASE(schema_describes_each_key_once) {
  const auto keys = app::describe_keys();
  BOOST_TEST(keys.size() >= 34u);  // a lower bound: rows are added, none may silently go
  for (std::size_t i = 0; i < keys.size(); ++i) {
    BOOST_TEST(keys[i].key == keys[i].section + "." + keys[i].name);
    BOOST_TEST(!keys[i].type.empty());
    BOOST_TEST(!keys[i].default_value.empty());
    BOOST_TEST(!keys[i].allowed.empty());
    BOOST_TEST(!keys[i].meaning.empty());
    for (std::size_t j = 0; j < i; ++j) BOOST_TEST(keys[i].key != keys[j].key);
    // The documented default is what parsing it gives: the table cannot drift from RunConfig{}.
    BOOST_TEST((app::parse_config_string("[" + keys[i].section + "]\n" + keys[i].name + " = " +
                                         keys[i].default_value + "\n") == RunConfig{}),
               keys[i].key);
  }
  BOOST_TEST(app::describe_sections().size() >= 6u);
}

BOOST_AUTO_TEST_CASE(schedule_of_one_depth_as_a_number) {
  BOOST_TEST(with_override("depth.schedule=1000").depth.schedule == "1000");
}

BOOST_AUTO_TEST_CASE(kernel_matrices_for_chosen_depths) {
  const auto c = app::parse_config_string("[depth]\nschedule = [1, 10, 100, 1000]\n[output]\nkernels = [1000, 1, 1000]\n");
  BOOST_TEST((c.output.kernels == app::KernelDepths::only({1, 1000})));  // sorted, repeats merged
  BOOST_TEST(c.output.kernels.includes(1));
  BOOST_TEST(!c.output.kernels.includes(10));
  BOOST_TEST(c.output.kernels.includes(1000));
  BOOST_TEST(app::KernelDepths::all().includes(10));
  BOOST_TEST(!app::KernelDepths::none().includes(10));
  BOOST_TEST(contains(app::to_toml(c), "kernels = [1, 1000]\n"));
  BOOST_TEST((app::parse_config_string(app::to_toml(c)) == c));
  BOOST_TEST((with_override("output.kernels=[5, 2]").output.kernels == app::KernelDepths::only({2, 5})));
  BOOST_TEST((with_override("output.kernels=1000").output.kernels == app::KernelDepths::only({1000})));
  BOOST_TEST((with_override("output.kernels=[]").output.kernels == app::KernelDepths::only({})));
  BOOST_TEST(!app::KernelDepths::only({}).includes(1));
  // A listed depth the schedule does not record is refused, naming the key and the nearest depths.
  const std::string message = error_of([] {
    (void)app::parse_config_string("[depth]\nschedule = [1, 10, 100]\n[output]\nkernels = [1, 50]\n");
  });
  BOOST_TEST(contains(message, "output.kernels: got [1, 50], but depth 50 is not recorded by depth.schedule"));
  BOOST_TEST(contains(message, "the nearest recorded: 10 and 100"));
  // Log schedules are expanded: log:1:1000:4 records 1, 10, 100, 1000.
  BOOST_CHECK_NO_THROW((void)app::parse_config_string(
      "[depth]\nschedule = \"log:1:1000:4\"\n[output]\nkernels = [10, 1000]\n"));
  BOOST_TEST(contains(error_of([] {
                        (void)app::parse_config_string(
                            "[depth]\nschedule = \"log:1:1000:4\"\n[output]\nkernels = [11]\n");
                      }),
                      "depth 11 is not recorded"));
  BOOST_TEST(contains(error_of([] { (void)app::parse_config_string("[output]\nkernels = [0]\n"); }),
                      "output.kernels: got [0] (depth 0 is out of range)"));
  BOOST_TEST(contains(error_of([] { (void)app::parse_config_string("[output]\nkernels = [1.5]\n"); }),
                      "1.5 is not an integer"));
}

BOOST_AUTO_TEST_CASE(a_schedule_override_takes_the_kernel_depths_along) {
  const TempFile file("run.toml", "[depth]\nschedule = [1, 10, 100]\n[output]\nkernels = [1, 100]\n");
  // The file's list follows a --set of the schedule, with a note naming what was dropped.
  app::ConfigNotes notes;
  const auto c = app::load_config(file.path, std::vector<std::string>{"depth.schedule=[1,10]"}, &notes);
  BOOST_TEST((c.output.kernels == app::KernelDepths::only({1})));
  BOOST_TEST_REQUIRE(notes.size() == 1u);
  BOOST_TEST(contains(notes[0], "note: --set depth.schedule no longer records depth 100 of output.kernels = [1, 100]"));
  BOOST_TEST(contains(notes[0], "written for [1] only"));
  BOOST_TEST(notes[0].find('\n') == std::string::npos);
  // Nothing left: no matrices, still a note.
  notes.clear();
  const auto none = app::load_config(file.path, std::vector<std::string>{"depth.schedule=5"}, &notes);
  BOOST_TEST((none.output.kernels == app::KernelDepths::only({})));
  BOOST_TEST(contains(notes.at(0), "depths 1, 100 of output.kernels"));
  // A list given with --set is the user's word: a depth it names must be recorded.
  BOOST_TEST(contains(error_of([&] {
                        (void)app::load_config(file.path,
                                               std::vector<std::string>{"depth.schedule=[1,10]", "output.kernels=[100]"});
                      }),
                      "depth 100 is not recorded"));
  // A file that lists a depth its own schedule does not record is still wrong.
  const TempFile wrong("wrong.toml", "[depth]\nschedule = [1, 10]\n[output]\nkernels = [1, 50]\n");
  BOOST_TEST(contains(error_of([&] {
                        (void)app::load_config(wrong.path, std::vector<std::string>{"depth.schedule=[1,10,20]"});
                      }),
                      "depth 50 is not recorded"));
}

BOOST_AUTO_TEST_CASE(analysis_keys) {
  const auto c = app::parse_config_string(
      "[analysis]\nridge = [1e-3, 0]\nridge_scale = \"absolute\"\ntimes = 2\nfallback = \"jitter\"\n");
  BOOST_TEST((c.analysis.ridge == std::vector<double>{1e-3, 0.0}));
  BOOST_TEST((c.analysis.ridge_scale == app::RidgeScale::absolute));
  BOOST_TEST((c.analysis.times == std::vector<double>{2.0}));
  BOOST_TEST((c.analysis.fallback == app::FallbackKind::jitter));
  BOOST_TEST((app::parse_config_string(app::to_toml(c)) == c));
  const std::string negative = error_of([] { (void)app::parse_config_string("[analysis]\nridge = [1, -1]\n"); });
  BOOST_TEST(negative.find("analysis.ridge") != std::string::npos, negative);
  const std::string typo = error_of([] { (void)app::parse_config_string("[analysis]\nfallback = \"jiter\"\n"); });
  BOOST_TEST(typo.find("did you mean \"jitter\"") != std::string::npos, typo);
  const std::string onehot = error_of([] { (void)app::parse_config_string("[data]\ntargets = \"onehot\"\n"); });
  BOOST_TEST(onehot.find("data.targets") != std::string::npos, onehot);
}

BOOST_AUTO_TEST_SUITE_END()
