#pragma once
// The block size a run distributes its matrices with: parallel.block_size, capped where a
// larger block can hold no more data. `deepntk plan` and `deepntk run` both use this one
// function, so the plan counts the blocks the run really makes.

#include <algorithm>
#include <cstdint>

namespace deepntk::app {

/// parallel.block_size capped at max(n_train, dimension), and at least 1.
///
/// Why the cap: ScaLAPACK's workspaces grow with the block size (PDSYEVD's with nb^2), so a
/// block far beyond the matrix was refused by the plan with an impossible estimate (224 GiB for
/// n = 97, nb = 100000) or overflowed the 32-bit LWORK after the sweep had started
/// (nb = 2^31 - 1).
///
/// Why max(n_train, dimension) and not n_train alone: every n_train x n_train kernel and every
/// n_train x d point matrix is one block in each direction whether nb is the cap or anything
/// larger, so the distribution, PDSYRK's summation over d and every bit of the result stay as
/// they were; a cap at n_train < d would re-block the points over the process columns and change
/// the last bits of K0 on grids with more than one column.
[[nodiscard]] constexpr std::int64_t effective_block_size(std::int64_t configured, std::int64_t n_train,
                                                          std::int64_t dimension) noexcept {
  return std::max<std::int64_t>(1, std::min(configured, std::max(n_train, dimension)));
}

}  // namespace deepntk::app
