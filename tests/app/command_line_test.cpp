// The deepntk command line: subcommand, options, --help/--version/usage errors as values.

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "deepntk/app/command_line.hpp"
#include "deepntk/app/config.hpp"
#include "deepntk/version.hpp"

namespace app = deepntk::app;

namespace {

app::ParsedCommand parse(std::vector<const char*> args) {
  args.insert(args.begin(), "deepntk");
  return app::parse_command_line(static_cast<int>(args.size()), args.data());
}

/// The CommandLineExit that parsing `args` throws.
app::CommandLineExit exit_of(std::vector<const char*> args) {
  try {
    (void)parse(std::move(args));
  } catch (const app::CommandLineExit& exit) {
    BOOST_TEST_MESSAGE("exit " << exit.exit_code() << ":\n" << exit.output());
    return exit;
  }
  BOOST_FAIL("expected a CommandLineExit");
  return {0, ""};
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

BOOST_AUTO_TEST_SUITE(command_line)

BOOST_AUTO_TEST_CASE(bare_run) {
  const auto command = parse({"run"});
  BOOST_TEST((command.subcommand == app::Subcommand::run));
  BOOST_TEST(!command.config_path.has_value());
  BOOST_TEST(command.overrides.empty());
  BOOST_TEST(!command.output_path.has_value());
  BOOST_TEST(!command.force);
  BOOST_TEST(!command.verbose);
  BOOST_TEST(!command.quiet);
}

BOOST_AUTO_TEST_CASE(every_run_option) {
  const auto command = parse({"run", "cfg.toml", "--set", "network.sw2=1.5", "--set", "depth.schedule=[1,10]",
                              "--output", "out.h5", "--force", "--verbose"});
  BOOST_TEST(command.config_path.value() == "cfg.toml");
  BOOST_TEST((command.overrides == std::vector<std::string>{"network.sw2=1.5", "depth.schedule=[1,10]"}));
  BOOST_TEST(command.output_path.value() == "out.h5");
  BOOST_TEST(command.force);
  BOOST_TEST(command.verbose);
  BOOST_TEST(!command.quiet);
}

BOOST_AUTO_TEST_CASE(options_before_the_config_and_short_forms) {
  const auto command = parse({"run", "--set=data.n_train=8", "--set", "data.n_test=2", "cfg.toml", "-o", "x.h5", "-q"});
  BOOST_TEST(command.config_path.value() == "cfg.toml");
  BOOST_TEST((command.overrides == std::vector<std::string>{"data.n_train=8", "data.n_test=2"}));
  BOOST_TEST(command.output_path.value() == "x.h5");
  BOOST_TEST(command.quiet);
}

BOOST_AUTO_TEST_CASE(help_is_an_exit_with_examples) {
  const auto help = exit_of({"--help"});
  BOOST_TEST(help.exit_code() == 0);
  BOOST_TEST(!help.is_error());
  BOOST_TEST(contains(help.output(), "run"));
  BOOST_TEST(contains(help.output(), "Examples:"));
  BOOST_TEST(contains(help.output(), "deepntk run examples/resnet-deep.toml"));

  const auto run_help = exit_of({"run", "--help"});
  BOOST_TEST(run_help.exit_code() == 0);
  BOOST_TEST(contains(run_help.output(), "--set"));
  BOOST_TEST(contains(run_help.output(), "--output"));
  BOOST_TEST(contains(run_help.output(), "--force"));
  BOOST_TEST(contains(run_help.output(), "CONFIG"));
  BOOST_TEST(contains(run_help.output(), "Examples:"));
}

BOOST_AUTO_TEST_CASE(version_is_an_exit) {
  const auto version = exit_of({"--version"});
  BOOST_TEST(version.exit_code() == 0);
  BOOST_TEST(contains(version.output(), deepntk::version()));
  BOOST_TEST(contains(version.output(), app::version_text()));
}

BOOST_AUTO_TEST_CASE(usage_errors_exit_1) {
  const auto nothing = exit_of({});
  BOOST_TEST(nothing.exit_code() == 1);
  BOOST_TEST(contains(nothing.output(), "run"));

  const auto unknown_option = exit_of({"run", "--frobnicate"});
  BOOST_TEST(unknown_option.exit_code() == 1);
  BOOST_TEST(unknown_option.is_error());
  BOOST_TEST(contains(unknown_option.output(), "--frobnicate"));
  BOOST_TEST(contains(unknown_option.output(), "--help"));

  BOOST_TEST(exit_of({"walk"}).exit_code() == 1);
  BOOST_TEST(exit_of({"run", "a.toml", "b.toml"}).exit_code() == 1);
  BOOST_TEST(exit_of({"run", "--verbose", "--quiet"}).exit_code() == 1);
  BOOST_TEST(exit_of({"run", "--set"}).exit_code() == 1);
  BOOST_TEST(exit_of({"run", "--output"}).exit_code() == 1);
}

BOOST_AUTO_TEST_CASE(resolve_applies_file_overrides_and_output) {
  const auto dir = std::filesystem::temp_directory_path() / "deepntk-command-line-test";
  std::filesystem::create_directories(dir);
  const auto file = dir / "run.toml";
  std::ofstream(file) << "[network]\narchitecture = \"resnet\"\n[output]\npath = \"from-file.h5\"\n";

  const std::string file_name = file.string();
  const auto command = parse({"run", file_name.c_str(), "--set", "network.sw2=1.5", "--output", "cli.h5"});
  const app::RunConfig config = app::resolve_config(command);
  BOOST_TEST((config.network.architecture == app::Architecture::resnet));
  BOOST_TEST(config.network.sw2 == 1.5);
  BOOST_TEST(config.output.path == "cli.h5");

  BOOST_TEST((app::resolve_config(parse({"run"})) == app::RunConfig{}));

  // A forgotten --set: the message says how to write it.
  try {
    (void)app::resolve_config(parse({"run", "network.sw2=1.5"}));
    BOOST_FAIL("expected a ConfigError");
  } catch (const app::ConfigError& error) {
    BOOST_TEST(contains(error.what(), "--set network.sw2=1.5"));
  }
  BOOST_CHECK_THROW((void)app::resolve_config(parse({"run", "--set", "network.sw2=0"})), app::ConfigError);
  std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_SUITE_END()
