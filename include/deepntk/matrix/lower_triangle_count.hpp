#pragma once
// How many entries of the lower triangle of a block-cyclic matrix one process holds, counted
// arithmetically: `deepntk plan` needs it for n up to 2^31 - 1, where listing the process's
// rows (what the plan used to do) takes O(n) memory, 17 GB, and minutes.

#include <cstdint>

namespace deepntk::matrix {

/// Entries (i, j) with i >= j of an n x n matrix distributed in square blocks of `block` over
/// a grid_rows x grid_cols process grid (ScaLAPACK layout, first block on process (0, 0)) that
/// process (0, 0) holds. O(log) time, O(1) memory; throws SizeOverflow if a count does not
/// fit 64 bits.
[[nodiscard]] std::int64_t lower_triangle_count_at_origin(std::int64_t n, std::int64_t block, std::int64_t grid_rows,
                                                          std::int64_t grid_cols);

}  // namespace deepntk::matrix
