#include "deepntk/matrix/distributed_matrix.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "deepntk/mpi/error.hpp"

namespace deepntk::matrix {

DistributedMatrix::DistributedMatrix(std::shared_ptr<const grid::ProcessGrid> grid, std::int64_t rows,
                                     std::int64_t cols, std::int64_t block)
    : grid_(std::move(grid)), dist_(rows, cols, block, block, grid_->shape()) {
  local_rows_ = dist_.local_rows(grid_->my_row());
  local_cols_ = dist_.local_cols(grid_->my_col());
  leading_ = std::max<std::int64_t>(1, local_rows_);
  storage_.assign(static_cast<std::size_t>(leading_ * local_cols_), 0.0);
}

std::vector<double> DistributedMatrix::gather() const {
  const MPI_Comm comm = grid_->communicator();
  int size = 0;
  mpi::check(MPI_Comm_size(comm, &size), "MPI_Comm_size");
  const int cols_in_grid = grid_->shape().cols;
  const std::int64_t cells = grid_->shape().cells();

  // Pack this rank's entries contiguously (dropping leading-dimension padding).
  std::vector<double> packed;
  packed.reserve(static_cast<std::size_t>(local_rows_ * local_cols_));
  for (std::int64_t c = 0; c < local_cols_; ++c)
    for (std::int64_t r = 0; r < local_rows_; ++r) packed.push_back(at(LocalIndex(r), LocalIndex(c)));

  std::vector<int> counts(static_cast<std::size_t>(size), 0);
  std::vector<int> offsets(static_cast<std::size_t>(size), 0);
  int total = 0;
  for (int rank = 0; rank < size; ++rank) {
    const bool in_grid = rank < cells;
    const auto n = in_grid ? dist_.local_rows(rank / cols_in_grid) * dist_.local_cols(rank % cols_in_grid) : 0;
    counts[static_cast<std::size_t>(rank)] = static_cast<int>(n);
    offsets[static_cast<std::size_t>(rank)] = total;
    total += static_cast<int>(n);
  }
  std::vector<double> all(static_cast<std::size_t>(total));
  mpi::check(MPI_Allgatherv(packed.data(), static_cast<int>(packed.size()), MPI_DOUBLE, all.data(), counts.data(),
                            offsets.data(), MPI_DOUBLE, comm),
             "MPI_Allgatherv");

  std::vector<double> whole(static_cast<std::size_t>(rows() * cols()));
  for (int rank = 0; rank < cells; ++rank) {
    const int prow = rank / cols_in_grid;
    const int pcol = rank % cols_in_grid;
    const auto lr = dist_.local_rows(prow);
    const auto lc = dist_.local_cols(pcol);
    std::size_t k = static_cast<std::size_t>(offsets[static_cast<std::size_t>(rank)]);
    for (std::int64_t c = 0; c < lc; ++c) {
      const auto gc = dist_.col_map().to_global(LocalIndex(c), pcol).value();
      for (std::int64_t r = 0; r < lr; ++r) {
        const auto gr = dist_.row_map().to_global(LocalIndex(r), prow).value();
        whole[static_cast<std::size_t>(gr + gc * rows())] = all[k++];
      }
    }
  }
  return whole;
}

void DistributedMatrix::scatter(std::span<const double> whole) {
  if (static_cast<std::int64_t>(whole.size()) != rows() * cols()) {
    throw std::invalid_argument("scatter: expected " + std::to_string(rows() * cols()) + " values, got " +
                                std::to_string(whole.size()));
  }
  fill([&](GlobalIndex r, GlobalIndex c) { return whole[static_cast<std::size_t>(r.value() + c.value() * rows())]; });
}

}  // namespace deepntk::matrix
