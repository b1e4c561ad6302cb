#pragma once
// The block size of the 2-D block-cyclic distribution a run uses. parallel.block_size = 0 (the
// default) lets deepntk choose: 64, the size measured fastest for large kernels, unless the
// n_train x n_train kernel has too few blocks of 64 to give every row and column of the
// process grid one, when a rank would hold nothing and the run take up to twice as long (n = 64
// on two ranks). `deepntk run` and `deepntk plan` both call this, so they agree.

#include <cstdint>
#include <optional>
#include <string>

#include "deepntk/grid/process_grid.hpp"

namespace deepntk::app {

/// The block size chosen when parallel.block_size is 0 and n_train is large enough.
inline constexpr std::int64_t default_block_size = 64;

struct BlockChoice {
  std::int64_t size = default_block_size;
  /// A "warning: ..." line when a block size the user set leaves ranks of the grid without any
  /// entry of the train kernel although a smaller one would not (it names that one).
  std::optional<std::string> warning;
};

/// `configured` is parallel.block_size (0: automatic); `n` = n_train, the order of the train
/// kernel that dominates time and memory; `dimension` that of the points. Automatic: 64 when n
/// has at least max(rows, cols) blocks of 64, else n / max(rows, cols), so that every grid row
/// and column owns some of the kernel, in equal shares (n below max(rows, cols) leaves ranks
/// idle whatever the size: then 1). Either way capped by effective_block_size(): a block past
/// max(n, dimension) holds no more data.
[[nodiscard]] BlockChoice choose_block_size(std::int64_t configured, std::int64_t n, std::int64_t dimension,
                                            grid::GridShape grid);

}  // namespace deepntk::app
