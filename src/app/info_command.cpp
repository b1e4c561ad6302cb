#include "deepntk/app/info_command.hpp"

#include <cstdio>
#include <optional>
#include <string>

#include "deepntk/app/info.hpp"
#include "deepntk/mpi/communicator.hpp"
#include "deepntk/mpi/error.hpp"

namespace deepntk::app {

int info_command(const ParsedCommand& command, MPI_Comm comm) {
  const mpi::Communicator world(comm);
  std::optional<std::string> error;
  if (world.is_root()) {
    try {
      std::fputs(format_result_summary(read_result_summary(command.result_path)).c_str(), stdout);
      std::fflush(stdout);
    } catch (const std::exception& e) {
      error = e.what();
    }
  }
  mpi::raise_if_any(comm, error);
  return 0;
}

}  // namespace deepntk::app
