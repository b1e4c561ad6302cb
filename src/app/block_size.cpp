#include "deepntk/app/block_size.hpp"

#include "deepntk/app/effective_block_size.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace deepntk::app {

namespace {

std::int64_t blocks_in(std::int64_t n, std::int64_t block) { return (n + block - 1) / block; }

}  // namespace

BlockChoice choose_block_size(std::int64_t configured, std::int64_t n, std::int64_t dimension, grid::GridShape grid) {
  const std::int64_t longest_side = std::max(grid.rows, grid.cols);
  // At most n / longest_side, blocks fill every grid row and column at least once (and evenly).
  const std::int64_t fills_grid = std::clamp<std::int64_t>(n / longest_side, 1, default_block_size);
  BlockChoice choice;
  if (configured == 0) {
    // 64 wherever it already keeps every rank busy, so results of large runs stay as they were.
    choice.size = blocks_in(n, default_block_size) >= longest_side ? default_block_size : fills_grid;
    choice.size = effective_block_size(choice.size, n, dimension);
    return choice;
  }
  choice.size = effective_block_size(configured, n, dimension);
  const std::int64_t blocks = blocks_in(n, choice.size);
  if (blocks >= longest_side || n < longest_side) return choice;  // all busy, or no size would help
  const std::int64_t busy = std::min<std::int64_t>(blocks, grid.rows) * std::min<std::int64_t>(blocks, grid.cols);
  choice.warning = fmt::format(
      "warning: parallel.block_size = {} leaves {} of the {} ranks of the {}x{} grid without any kernel entry "
      "(n_train = {} makes {} block{} per row and column); set parallel.block_size = {}, or leave it unset to "
      "choose automatically",
      configured, grid.cells() - busy, grid.cells(), grid.rows, grid.cols, n, blocks, blocks > 1 ? "s" : "",
      fills_grid);
  return choice;
}

}  // namespace deepntk::app
