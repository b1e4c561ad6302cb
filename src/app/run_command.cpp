#include "deepntk/app/run_command.hpp"

#include <cstdio>
#include <optional>
#include <string>

#include "deepntk/app/config.hpp"
#include "deepntk/app/plan_command.hpp"
#include "deepntk/app/run_pipeline.hpp"
#include "deepntk/mpi/communicator.hpp"
#include "deepntk/mpi/error.hpp"

namespace deepntk::app {

int run_command(const ParsedCommand& command, MPI_Comm comm) {
  const mpi::Communicator world(comm);

  // Rank 0 reads the file and applies the overrides; the others receive the effective
  // configuration, so a cluster's ranks never race on the file system for it.
  std::optional<std::string> error;
  std::string effective;
  if (world.is_root()) {
    try {
      ConfigNotes notes;
      effective = to_toml(resolve_config(command, &notes));
      print_config_notes(notes);
    } catch (const std::exception& e) {
      error = e.what();
    }
  }
  mpi::raise_if_any(comm, error);
  effective = world.broadcast(effective);
  const RunConfig config = parse_config_string(effective, "<effective configuration>");

  RunOptions options;
  options.force = command.force;
  options.fresh = command.fresh;
  options.verbose = command.verbose;
  options.quiet = command.quiet;
  if (command.config_path) options.config_file = *command.config_path;
  if (world.is_root() && options.verbose) {
    std::printf("deepntk: effective configuration\n%s\n", to_toml(config, TomlStyle{true}).c_str());
  }
  // A run that would not fit in memory is refused before anything is allocated.
  const std::string plan = check_plan_before_run(config, comm);
  if (world.is_root() && options.verbose && !plan.empty()) std::printf("deepntk: %s\n", plan.c_str());
  const RunSummary summary = run_pipeline(config, options, comm);
  if (world.is_root() && !options.quiet) std::fputs(format_summary(summary).c_str(), stdout);
  return 0;
}

}  // namespace deepntk::app
