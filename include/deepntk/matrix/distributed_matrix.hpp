#pragma once
// A dense double matrix distributed block-cyclically over a BLACS grid. Each rank stores
// its local part column-major with leading dimension max(1, local_rows), exactly as
// ScaLAPACK expects. The matrix shares ownership of its grid, so the BLACS context outlives
// every matrix that uses it.

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "deepntk/grid/process_grid.hpp"
#include "deepntk/matrix/distribution.hpp"
#include "deepntk/matrix/index.hpp"

namespace deepntk::matrix {

class DistributedMatrix {
 public:
  /// rows x cols, zero-filled, in square blocks of `block` (ScaLAPACK's eigen and Cholesky
  /// routines require MB = NB).
  DistributedMatrix(std::shared_ptr<const grid::ProcessGrid> grid, std::int64_t rows, std::int64_t cols,
                    std::int64_t block);

  [[nodiscard]] std::int64_t rows() const noexcept { return dist_.rows(); }
  [[nodiscard]] std::int64_t cols() const noexcept { return dist_.cols(); }
  [[nodiscard]] std::int64_t block() const noexcept { return dist_.row_map().block(); }
  [[nodiscard]] const Distribution& distribution() const noexcept { return dist_; }
  [[nodiscard]] const grid::ProcessGrid& grid() const noexcept { return *grid_; }
  [[nodiscard]] const std::shared_ptr<const grid::ProcessGrid>& shared_grid() const noexcept { return grid_; }

  [[nodiscard]] std::int64_t local_rows() const noexcept { return local_rows_; }
  [[nodiscard]] std::int64_t local_cols() const noexcept { return local_cols_; }
  [[nodiscard]] std::int64_t leading_dimension() const noexcept { return leading_; }
  [[nodiscard]] std::span<double> local() noexcept { return storage_; }
  [[nodiscard]] std::span<const double> local() const noexcept { return storage_; }
  [[nodiscard]] double& at(LocalIndex row, LocalIndex col) noexcept {
    return storage_[static_cast<std::size_t>(row.value() + col.value() * leading_)];
  }
  [[nodiscard]] double at(LocalIndex row, LocalIndex col) const noexcept {
    return storage_[static_cast<std::size_t>(row.value() + col.value() * leading_)];
  }
  [[nodiscard]] GlobalIndex global_row(LocalIndex row) const noexcept {
    return dist_.row_map().to_global(row, grid_->my_row());
  }
  [[nodiscard]] GlobalIndex global_col(LocalIndex col) const noexcept {
    return dist_.col_map().to_global(col, grid_->my_col());
  }
  /// ScaLAPACK descriptor of this rank's part (context -1 outside the grid).
  [[nodiscard]] Descriptor descriptor() const { return dist_.descriptor(grid_->context(), grid_->my_row()); }

  /// Sets every local entry to f(GlobalIndex row, GlobalIndex col).
  template <class F>
  void fill(F&& f) {
    for (std::int64_t c = 0; c < local_cols_; ++c) {
      const GlobalIndex gc = global_col(LocalIndex(c));
      for (std::int64_t r = 0; r < local_rows_; ++r) at(LocalIndex(r), LocalIndex(c)) = f(global_row(LocalIndex(r)), gc);
    }
  }

  /// The whole matrix, column-major rows x cols, on every rank of the grid's communicator
  /// (ranks outside the grid included). For tests and small data only: O(rows * cols) per rank.
  [[nodiscard]] std::vector<double> gather() const;

  /// Sets the local part from a whole column-major matrix every rank holds.
  void scatter(std::span<const double> whole);

 private:
  std::shared_ptr<const grid::ProcessGrid> grid_;
  Distribution dist_;
  std::int64_t local_rows_ = 0;
  std::int64_t local_cols_ = 0;
  std::int64_t leading_ = 1;
  std::vector<double> storage_;
};

}  // namespace deepntk::matrix
