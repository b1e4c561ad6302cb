#include "deepntk/matrix/distribution.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>

namespace deepntk::matrix {

namespace {
int to_blas_int(std::int64_t value, const char* what) {
  if (value > std::numeric_limits<int>::max()) {
    throw std::invalid_argument(std::string(what) + " exceeds the 32-bit range ScaLAPACK indexes with");
  }
  return static_cast<int>(value);
}
}  // namespace

Distribution::Distribution(std::int64_t rows, std::int64_t cols, std::int64_t row_block,
                           std::int64_t col_block, grid::GridShape shape)
    : rows_(rows, row_block, shape.rows), cols_(cols, col_block, shape.cols) {}

std::int64_t Distribution::local_rows(int grid_row) const noexcept { return rows_.local_extent(grid_row); }
std::int64_t Distribution::local_cols(int grid_col) const noexcept { return cols_.local_extent(grid_col); }

Descriptor Distribution::descriptor(int context, int grid_row) const {
  const int leading = to_blas_int(std::max<std::int64_t>(1, local_rows(grid_row)), "local row count");
  return {1,
          context,
          to_blas_int(rows(), "matrix row count"),
          to_blas_int(cols(), "matrix column count"),
          to_blas_int(rows_.block(), "row block size"),
          to_blas_int(cols_.block(), "column block size"),
          0,
          0,
          leading};
}

}  // namespace deepntk::matrix
