#include "deepntk/data/dataset_broadcast.hpp"

#include <algorithm>
#include <optional>

#include "deepntk/core/checked_arithmetic.hpp"
#include "deepntk/mpi/error.hpp"

namespace deepntk::data {

namespace {

// MPI counts are int: large arrays go in pieces.
template <class T>
void broadcast_values(std::vector<T>& values, MPI_Datatype type, int root, MPI_Comm comm) {
  constexpr std::size_t piece = std::size_t{1} << 28;
  for (std::size_t offset = 0; offset < values.size(); offset += piece) {
    const auto count = static_cast<int>(std::min(piece, values.size() - offset));
    mpi::check(MPI_Bcast(values.data() + offset, count, type, root, comm), "MPI_Bcast");
  }
}

// Sizes first (so every rank can allocate), then the values.
void broadcast_points(const mpi::Communicator& comm, PointSet& points, int root) {
  std::int64_t shape[2] = {points.count, points.dimension};
  mpi::check(MPI_Bcast(shape, 2, MPI_INT64_T, root, comm.handle()), "MPI_Bcast");
  points.count = shape[0];
  points.dimension = shape[1];
  points.values.resize(checked_cast<std::size_t>(checked_multiply(shape[0], shape[1], "broadcast points"),
                                                 "broadcast points"));
  broadcast_values(points.values, MPI_DOUBLE, root, comm.handle());
}

void broadcast_optional(const mpi::Communicator& comm, std::optional<PointSet>& points, int root) {
  int present = points.has_value() ? 1 : 0;
  mpi::check(MPI_Bcast(&present, 1, MPI_INT, root, comm.handle()), "MPI_Bcast");
  if (present == 0) {
    points.reset();
    return;
  }
  if (!points) points.emplace();
  broadcast_points(comm, *points, root);
}

void broadcast_rows(const mpi::Communicator& comm, std::vector<std::int64_t>& rows, int root) {
  std::int64_t size = static_cast<std::int64_t>(rows.size());
  mpi::check(MPI_Bcast(&size, 1, MPI_INT64_T, root, comm.handle()), "MPI_Bcast");
  rows.resize(static_cast<std::size_t>(size));
  broadcast_values(rows, MPI_INT64_T, root, comm.handle());
}

}  // namespace

Dataset broadcast_dataset(const mpi::Communicator& comm, Dataset dataset, int root) {
  Dataset out = comm.rank() == root ? std::move(dataset) : Dataset{};
  broadcast_points(comm, out.train, root);
  broadcast_points(comm, out.test, root);
  broadcast_optional(comm, out.y_train, root);
  broadcast_optional(comm, out.y_test, root);
  mpi::check(MPI_Bcast(&out.classes, 1, MPI_INT64_T, root, comm.handle()), "MPI_Bcast");
  out.description = comm.broadcast(out.description, root);
  out.source = comm.broadcast(out.source, root);
  out.subset = comm.broadcast(out.subset, root);
  out.preprocessing = comm.broadcast(out.preprocessing, root);
  broadcast_rows(comm, out.train_index, root);
  broadcast_rows(comm, out.test_index, root);
  return out;
}

}  // namespace deepntk::data
