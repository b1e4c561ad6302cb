#include "deepntk/app/plan_command.hpp"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "deepntk/app/block_size.hpp"
#include "deepntk/app/load_dataset.hpp"
#include "deepntk/app/plan.hpp"
#include "deepntk/app/plan_available_memory.hpp"
#include "deepntk/core/checked_arithmetic.hpp"
#include "deepntk/mpi/communicator.hpp"
#include "deepntk/mpi/error.hpp"

namespace deepntk::app {
namespace {

// The sizes of the data a run will use, from the configuration and the input files' headers
// (app::input_dimension, app::input_rows): nothing is loaded.
PlanShape shape_of(const RunConfig& config) {
  PlanShape shape = plan_shape(config, input_dimension(config.data));
  const auto rows = input_rows(config.data);
  shape.n_train = rows.n_train;
  shape.n_test = rows.n_test;
  return shape;
}

// The most ranks any node of `comm` holds (collective): memory detected per node is shared
// by that many ranks.
int ranks_per_node(MPI_Comm comm) {
  MPI_Comm node = MPI_COMM_NULL;
  mpi::check(MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node), "MPI_Comm_split_type");
  int size = 1;
  const int size_status = MPI_Comm_size(node, &size);
  MPI_Comm_free(&node);
  mpi::check(size_status, "MPI_Comm_size");
  int most = size;
  mpi::check(MPI_Allreduce(&size, &most, 1, MPI_INT, MPI_MAX, comm), "MPI_Allreduce");
  return most;
}

// Planning for --ranks N from one process: all N on this node unless SLURM says how many
// tasks a node gets.
int planned_ranks_per_node(int ranks) {
  if (const auto text = process_environment()("SLURM_NTASKS_PER_NODE")) {
    try {
      const int per_node = std::stoi(*text);
      if (per_node > 0) return std::min(per_node, ranks);
    } catch (const std::exception&) {
      // a heterogeneous value such as "2(x3),1": fall through to the single-node assumption
    }
  }
  return ranks;
}

}  // namespace

int plan_command(const ParsedCommand& command, MPI_Comm comm) {
  const mpi::Communicator world(comm);
  const int node_ranks = command.plan_ranks ? planned_ranks_per_node(*command.plan_ranks) : ranks_per_node(comm);
  std::optional<std::string> error;
  std::optional<std::string> refused;
  if (world.is_root()) {
    try {
      ConfigNotes notes;
      const RunConfig config = resolve_config(command, &notes);
      print_config_notes(notes);
      const int ranks = command.plan_ranks.value_or(world.size());
      const Plan plan = make_plan(config, shape_of(config), ranks);
      // The run warns the same (app/block_size.hpp).
      if (auto idle = choose_block_size(config.parallel.block_size, plan.shape.n_train, plan.shape.dim, plan.grid).warning) {
        print_config_notes({*idle});
      }
      const AvailableMemory available = available_memory(config.parallel.memory_per_rank, node_ranks);
      std::fputs(format_plan(plan, available).c_str(), stdout);
      std::fflush(stdout);
      refused = refusal(config, plan, available);
    } catch (const std::exception& e) {
      error = e.what();
    }
  }
  mpi::raise_if_any(comm, error);
  mpi::raise_if_any(comm, refused);
  return 0;
}

std::string check_plan_before_run(const RunConfig& config, MPI_Comm comm) {
  const mpi::Communicator world(comm);
  const int node_ranks = ranks_per_node(comm);
  std::optional<std::string> refused;
  std::string summary;
  if (world.is_root()) {
    std::optional<Plan> plan;
    try {
      plan = make_plan(config, shape_of(config), world.size());
    } catch (const SizeOverflow& e) {
      // Sizes beyond the integers the run computes with: it would fail later, perhaps after
      // the sweep (a 32-bit LWORK), so it is refused now.
      refused = e.what();
    } catch (const std::exception&) {
      // Not plannable (missing input file, grid larger than the ranks): the run reports it.
    }
    if (plan) {
      const AvailableMemory available = available_memory(config.parallel.memory_per_rank, node_ranks);
      refused = refusal(config, *plan, available);
      summary = fmt::format("plan: about {} per rank at the peak ({}), {} available ({}); estimated {:.0f} s",
                            format_bytes(plan->peak_bytes()), plan->peak_phase().name,
                            available.bytes_per_rank ? format_bytes(*available.bytes_per_rank) : "unknown",
                            available.source, plan->estimated_seconds());
    }
  }
  mpi::raise_if_any(comm, refused);
  return summary;
}

}  // namespace deepntk::app
