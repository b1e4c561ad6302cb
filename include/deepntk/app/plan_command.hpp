#pragma once
// `deepntk plan` and the plan check of `deepntk run`: the plan (app/plan.hpp) against the
// memory available per rank (app/plan_available_memory.hpp), computed on rank 0 before
// anything is allocated.

#include <mpi.h>

#include <string>

#include "deepntk/app/command_line.hpp"
#include "deepntk/app/config.hpp"

namespace deepntk::app {

/// `deepntk plan`: prints the plan on rank 0 for --ranks N (default: the ranks of `comm`).
/// Returns 0 when it fits; a plan that does not fit raises mpi::CollectiveError with the
/// refusal line on every rank (exit 1). Collective on `comm`.
int plan_command(const ParsedCommand& command, MPI_Comm comm);

/// The check `deepntk run` makes before it allocates anything: throws mpi::CollectiveError
/// (every rank) with the same line as `deepntk plan` when the plan on comm's ranks does not fit.
/// Skipped when the plan cannot be made (the run itself reports why: a missing input file, a
/// grid larger than the ranks). Collective on `comm`. Returns the plan's one-line summary
/// (rank 0; empty on other ranks or when skipped), for --verbose.
std::string check_plan_before_run(const RunConfig& config, MPI_Comm comm);

}  // namespace deepntk::app
