// deepntk's entry point: MPI up, one command run, and the error policy of the whole program.
//
//  * exit 0: success;
//  * exit 1: a usage, configuration or input error that every rank saw (printed once, by rank 0);
//  * exit 2: an unexpected failure on some rank: it prints its message with its rank and
//            aborts the job, so no other rank waits forever in a collective;
//  * exit 3: stopped by SIGTERM or SIGUSR1 after writing a checkpoint (docs/checkpoints.md);
//            running the same command again resumes.
#include <mpi.h>

#include <cstdio>
#include <exception>

#include "deepntk/app/command_line.hpp"
#include "deepntk/app/info_command.hpp"
#include "deepntk/app/plan_command.hpp"
#include "deepntk/app/run_command.hpp"
#include "deepntk/app/signals.hpp"
#include "deepntk/mpi/environment.hpp"
#include "deepntk/mpi/error.hpp"

int main(int argc, char** argv) {
  deepntk::mpi::Environment environment(argc, argv);
  const int rank = deepntk::mpi::Environment::world_rank();
  try {
    // Every rank parses the same command line, so a usage error is seen by all of them.
    const auto command = deepntk::app::parse_command_line(argc, argv);
    switch (command.subcommand) {
      case deepntk::app::Subcommand::plan: return deepntk::app::plan_command(command, MPI_COMM_WORLD);
      case deepntk::app::Subcommand::info: return deepntk::app::info_command(command, MPI_COMM_WORLD);
      case deepntk::app::Subcommand::run: break;
    }
    return deepntk::app::run_command(command, MPI_COMM_WORLD);
  } catch (const deepntk::app::CommandLineExit& exit) {
    if (rank == 0) std::fputs(exit.output().c_str(), exit.is_error() ? stderr : stdout);
    return exit.exit_code();
  } catch (const deepntk::app::RunInterrupted& interrupted) {
    // Every rank stops together after the checkpoint is written (see signals.hpp).
    if (rank == 0) std::fprintf(stderr, "deepntk: %s\n", interrupted.what());
    return deepntk::app::interrupted_exit_code;
  } catch (const deepntk::mpi::CollectiveError& error) {
    if (rank == 0) std::fprintf(stderr, "deepntk: error: %s\n", error.what());
    return 1;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "deepntk: error on rank %d: %s\n", rank, error.what());
    std::fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, 2);
  }
  return 2;
}
