// The `deepntk` command line (CLI11). Parsing only: printing and exiting are the caller's.

#include "deepntk/app/command_line.hpp"

#include <cstdio>
#include <filesystem>
#include <sstream>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "deepntk/version.hpp"

namespace deepntk::app {
namespace {

constexpr int usage_error_exit_code = 1;  // as main.cpp: 1 = usage/configuration error, 2 = crash

constexpr const char* main_footer = R"(
Examples:
  deepntk run                                  built-in default: 1024 points on S^127, mlp/ReLU,
                                               depths 1..1000, result in deepntk-result.h5
  deepntk run examples/resnet-deep.toml --set network.alpha=L^-0.25 --output deep.h5
  mpirun -n 4 deepntk run run.toml --set 'depth.schedule=[1,10,100]' --force
  deepntk plan run.toml --ranks 64                 memory per rank and estimated time on 64 ranks,
                                               before anything is allocated
  deepntk info deepntk-result.h5               what a result file holds: run, network, depths,
                                               spectra and test errors per depth

Every configuration key is described in docs/configuration.md; the commands in docs/cli.md.
`deepntk run --help`, `deepntk plan --help` and `deepntk info --help` list their options.)";

constexpr const char* plan_footer = R"(
Examples:
  deepntk plan                                 the built-in default on the ranks running it
  deepntk plan run.toml --ranks 16             plan for 16 ranks, from one process
  deepntk plan --set data.n_train=100000 --set parallel.memory_per_rank=4GiB --ranks 256
  mpirun -n 4 deepntk plan run.toml            plan for the 4 ranks (and their nodes) running it

The plan takes the same CONFIG and --set as `deepntk run` (keys: docs/configuration.md). It
prints the memory per rank of each phase of the run and its peak, the memory available per
rank (parallel.memory_per_rank, else SLURM_MEM_PER_CPU or SLURM_MEM_PER_NODE, else
MemAvailable, divided by the ranks per node) and the estimated work and time. Exit status 1
when the run would not fit, with the rank count that would. `deepntk run` makes the same
check before it allocates anything. Figures are estimates (docs/cli.md).)";

constexpr const char* info_footer = R"(
Examples:
  deepntk info deepntk-result.h5
  deepntk info runs/deep.h5 | less

Prints the version and git revision that wrote the file, when and on how many ranks, the
dataset, network and depth schedule, which kernels and depths it holds, and per depth the
smallest and largest eigenvalue, the condition number, and the test MSE and accuracy (when
present). One process is enough; no mpiexec needed. File layout: docs/output-format.md.)";

constexpr const char* run_footer = R"(
Examples:
  deepntk run                                  the built-in default configuration
  deepntk run run.toml --verbose               a configuration file; print the effective one
  deepntk run --set network.architecture=resnet --set "depth.schedule=log:1:1000000:25"
  deepntk run run.toml --set data.n_train=256 --output small.h5 --force

--set takes KEY=VALUE with KEY a section.name from docs/configuration.md and VALUE in TOML
syntax (quotes may be left out for words: --set network.activation=erf). Later --set win.

A run checkpoints to OUTPUT.checkpoint/ (docs/checkpoints.md). After SIGTERM or SIGUSR1 it
writes a checkpoint and exits with status 3; after that or a crash, the same command resumes
where it stopped (also on another number of ranks); --fresh discards the checkpoint.)";

}  // namespace

std::string version_text() {
  return fmt::format("deepntk {} (git {})", deepntk::version(), deepntk::git_revision());
}

ParsedCommand parse_command_line(int argc, const char* const* argv) {
  ParsedCommand command;
  std::string config_path;
  std::string output_path;

  CLI::App app{"deepntk: infinite-width NNGP and NTK kernels as a function of network depth,\n"
               "computed in parallel with MPI and ScaLAPACK; results in one HDF5 file.",
               "deepntk"};
  app.set_version_flag("--version", version_text(), "Print the version and git revision, then exit");
  app.require_subcommand(1);
  app.footer(main_footer);

  CLI::App* run = app.add_subcommand("run", "Compute the kernels at every depth of the schedule and write the result");
  run->add_option("CONFIG", config_path, "TOML configuration file (default: the built-in configuration)")
      ->type_name("FILE.toml");
  run->add_option("--set", command.overrides, "Override one configuration key, e.g. --set network.sw2=1.5 (repeatable)")
      ->type_name("KEY=VALUE")
      ->expected(1)
      ->allow_extra_args(false)  // `--set a=1 run.toml`: run.toml is the CONFIG, not a second --set
      ->take_all();
  run->add_option("-o,--output", output_path, "Result file; overrides output.path")->type_name("PATH");
  run->add_flag("--force", command.force, "Overwrite the result file if it exists (never an input or configuration file of the run)");
  run->add_flag("--fresh", command.fresh, "Discard a checkpoint of this run and start from layer 0");
  run->add_flag("-v,--verbose", command.verbose, "Print the effective configuration and more detail");
  run->add_flag("-q,--quiet", command.quiet, "Print errors only (not with --verbose)");
  run->footer(run_footer);
  CLI::App* plan = app.add_subcommand("plan", "Memory per rank and estimated work of a run, before anything is allocated");
  plan->add_option("CONFIG", config_path, "TOML configuration file (default: the built-in configuration)")
      ->type_name("FILE.toml");
  plan->add_option("--set", command.overrides, "Override one configuration key, as for run (repeatable)")
      ->type_name("KEY=VALUE")
      ->expected(1)
      ->allow_extra_args(false)
      ->take_all();
  int plan_ranks = 0;
  plan->add_option("-n,--ranks", plan_ranks, "Plan for N MPI ranks (default: the ranks running the plan)")
      ->type_name("N")
      ->check(CLI::Range(1, 1 << 24));
  plan->footer(plan_footer);

  CLI::App* info = app.add_subcommand("info", "Summarize a result file: run, network, depths, spectra, test errors");
  info->add_option("RESULT", command.result_path, "Result file written by deepntk run")
      ->type_name("RESULT.h5")
      ->required();
  info->footer(info_footer);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    std::ostringstream out;
    std::ostringstream err;
    const int code = app.exit(error, out, err);
    if (code == 0) throw CommandLineExit(0, out.str());
    if (argc <= 1) {  // bare `deepntk`: show what there is to do
      throw CommandLineExit(usage_error_exit_code, app.help());
    }
    // One line, naming the help of the subcommand the error is in.
    std::string help = "deepntk --help";
    for (const CLI::App* sub : {run, plan, info}) {
      if (sub->parsed()) help = "deepntk " + sub->get_name() + " --help";
    }
    throw CommandLineExit(usage_error_exit_code,
                          fmt::format("deepntk: error: {}; see '{}' for usage\n", error.what(), help));
  }

  if (command.verbose && command.quiet) {
    throw CommandLineExit(usage_error_exit_code,
                          "deepntk: error: --verbose and --quiet exclude each other; see 'deepntk run --help' "
                          "for usage\n");
  }
  if (run->parsed()) command.subcommand = Subcommand::run;
  if (plan->parsed()) command.subcommand = Subcommand::plan;
  if (info->parsed()) command.subcommand = Subcommand::info;
  if (run->count("CONFIG") > 0 || plan->count("CONFIG") > 0) command.config_path = config_path;
  if (plan->count("--ranks") > 0) command.plan_ranks = plan_ranks;
  if (run->count("--output") > 0) command.output_path = output_path;
  return command;
}

RunConfig resolve_config(const ParsedCommand& command, ConfigNotes* notes) {
  std::optional<std::filesystem::path> file;
  if (command.config_path) {
    file = *command.config_path;
    std::error_code ec;
    if (command.config_path->find('=') != std::string::npos && !std::filesystem::exists(*file, ec)) {
      throw ConfigError(fmt::format(
          "cannot read configuration file '{0}': no such file; to override a key write --set {0}",
          *command.config_path));
    }
  }
  RunConfig config = load_config(file, command.overrides, notes);
  if (command.output_path) {
    if (command.output_path->empty()) {
      throw ConfigError("--output: got an empty path, expected the name of the result file");
    }
    config.output.path = *command.output_path;
    validate(config);
  }
  return config;
}

void print_config_notes(const ConfigNotes& notes) {
  for (const auto& note : notes) std::fprintf(stderr, "deepntk: %s\n", note.c_str());
  std::fflush(stderr);
}

}  // namespace deepntk::app
