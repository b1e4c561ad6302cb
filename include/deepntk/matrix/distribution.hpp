#pragma once
// A two-dimensional block-cyclic distribution over a process grid: one BlockCyclic1D for
// rows (over grid rows) and one for columns (over grid columns), plus the ScaLAPACK
// descriptor that describes it.

#include <array>
#include <cstdint>

#include "deepntk/grid/process_grid.hpp"
#include "deepntk/matrix/block_cyclic.hpp"

namespace deepntk::matrix {

/// ScaLAPACK array descriptor (DTYPE=1 dense): DTYPE, CTXT, M, N, MB, NB, RSRC, CSRC, LLD.
using Descriptor = std::array<int, 9>;

class Distribution {
 public:
  Distribution(std::int64_t rows, std::int64_t cols, std::int64_t row_block, std::int64_t col_block,
               grid::GridShape shape);

  [[nodiscard]] const BlockCyclic1D& row_map() const noexcept { return rows_; }
  [[nodiscard]] const BlockCyclic1D& col_map() const noexcept { return cols_; }
  [[nodiscard]] std::int64_t rows() const noexcept { return rows_.extent(); }
  [[nodiscard]] std::int64_t cols() const noexcept { return cols_.extent(); }
  /// Local shape of the process at grid position (row, col); 0 x 0 for row/col = -1.
  [[nodiscard]] std::int64_t local_rows(int grid_row) const noexcept;
  [[nodiscard]] std::int64_t local_cols(int grid_col) const noexcept;
  /// Descriptor for the process at grid row `grid_row` in BLACS context `context`.
  [[nodiscard]] Descriptor descriptor(int context, int grid_row) const;

 private:
  BlockCyclic1D rows_;
  BlockCyclic1D cols_;
};

}  // namespace deepntk::matrix
