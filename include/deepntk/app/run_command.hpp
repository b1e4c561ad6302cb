#pragma once
// `deepntk run`: settle the configuration on rank 0, share it, run the pipeline, report.

#include <mpi.h>

#include "deepntk/app/command_line.hpp"

namespace deepntk::app {

/// Runs the parsed command collectively on `comm` and returns the process exit code.
/// Configuration and input errors come out as mpi::CollectiveError on every rank.
int run_command(const ParsedCommand& command, MPI_Comm comm);

}  // namespace deepntk::app
