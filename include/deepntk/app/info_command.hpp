#pragma once
// `deepntk info RESULT.h5`: rank 0 reads and prints the summary (app/info.hpp); under mpiexec
// the other ranks only wait for the outcome, so an error is printed once and every rank exits 1.

#include <mpi.h>

#include "deepntk/app/command_line.hpp"

namespace deepntk::app {

/// Collective on `comm`. Returns 0; errors leave as mpi::CollectiveError on every rank.
int info_command(const ParsedCommand& command, MPI_Comm comm);

}  // namespace deepntk::app
