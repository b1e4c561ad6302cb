#pragma once
// The complete state of a DepthSweep between two layer steps, as flat named arrays, for
// checkpoints. Resuming from it gives bit-identical kernels.
//
// Layout:
//  - counters: named integers (layer, pass, scale exponents, ...);
//  - per-point arrays, one entry per distinct input variance K0(x,x) (the per-point recursion
//    depends on nothing else), keyed by `point_k0`, sorted ascending;
//  - per-block per-pair arrays, column-major rows x cols exactly like the block's kernels,
//    with the block's global row and column ids. Entries a symmetric block never computes
//    (row_id < col_id) are NaN.
// To resume with a different split of pairs (another rank count), redistribute each per-pair
// array like the kernel matrix it mirrors (pair (row_id, col_id) of matrix `group`), and give
// every rank the per-point arrays (they are tiny). reblock_state() does this in memory.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "deepntk/kernels/network.hpp"

namespace deepntk::kernels {

struct PairBlock;

struct NamedArray {
  std::string name;
  std::vector<double> values;
  bool operator==(const NamedArray&) const = default;
};

struct NamedCounter {
  std::string name;
  std::int64_t value = 0;
  bool operator==(const NamedCounter&) const = default;
};

struct NamedReal {
  std::string name;
  double value = 0.0;
  bool operator==(const NamedReal&) const = default;
};

struct SweepState {
  static constexpr std::int64_t current_format = 1;
  std::int64_t format = current_format;

  NetworkSpec spec;
  std::vector<std::int64_t> depths;  ///< the schedule
  std::vector<NamedCounter> counters;
  std::vector<NamedReal> reals;

  std::vector<double> point_k0;  ///< distinct K0(x,x), ascending
  std::vector<NamedArray> point_arrays;

  struct Block {
    std::int64_t rows = 0, cols = 0;
    std::int64_t group = 0;
    bool symmetric = false;
    std::vector<std::int64_t> row_ids, col_ids;
    std::vector<NamedArray> arrays;  ///< each rows*cols, column-major
    bool operator==(const Block&) const = default;
  };
  std::vector<Block> blocks;

  /// Per-point state keyed by the point's id within a point set (set 0: the rows of group 0,
  /// the train points; set 1: the rows of group 1, the test points), for producers whose
  /// per-point state is not a function of K0 (the Monte-Carlo kernels' diagonals). Each rank
  /// lists the points it holds; a point listed by several ranks has the same values on each.
  /// Read back from a checkpoint, every rank gets every point (ids 0 .. n-1).
  struct PointVector {
    std::int64_t set = 0;
    std::string name;
    std::vector<std::int64_t> ids;
    std::vector<double> values;
    bool operator==(const PointVector&) const = default;
  };
  std::vector<PointVector> point_vectors;

  [[nodiscard]] std::int64_t counter(std::string_view name) const;  ///< throws if absent
  [[nodiscard]] double real(std::string_view name) const;           ///< throws if absent
  bool operator==(const SweepState&) const = default;
};

/// Rebuilds per-pair state for a new split of the same pairs: every pair (group, row_id,
/// col_id) of `new_blocks` that the new sweep computes is looked up among `old_state.blocks`.
/// Throws std::invalid_argument if a needed pair is missing.
[[nodiscard]] SweepState reblock_state(const SweepState& old_state, std::span<const PairBlock> new_blocks);

}  // namespace deepntk::kernels
