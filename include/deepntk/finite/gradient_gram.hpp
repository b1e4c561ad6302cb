#pragma once
// Accumulates the empirical kernels of one network, group by group, into tiles of kernel
// matrices (docs/kernels.md §Finite-width networks): the NTK (every parameter group) and the
// feature kernel (the read-out heads only, whose expectation is the NNGP).
//
// A tile is a rectangle of one kernel matrix: rows are points row_point .. row_point+rows-1 of
// the pass's batch, columns col_point .. col_point+cols-1, stored column-major with leading
// dimension `ld`. Each entry is computed by itself in a fixed order (gram_tile_kernel.hpp:
// two inner products of the group's width and a Hadamard update, fused), so it gets the same
// bits whatever tile it is in: results do not depend on the rank count or the block split.

#include <cstdint>
#include <vector>

#include "deepntk/finite/network_pass.hpp"

namespace deepntk::finite {

struct GramTile {
  std::int64_t rows = 0, cols = 0;
  std::int64_t row_point = 0, col_point = 0;  ///< first batch point of the rows / columns
  double* ntk = nullptr;      ///< rows x cols, leading dimension ld, accumulated into
  double* feature = nullptr;  ///< the same for the feature kernel
  std::int64_t ld = 0;
};

/// The kernels' diagonal K(x, x) of each batch point (no GEMM: a fixed-order sum per point).
struct GramDiagonal {
  std::vector<double> ntk, feature;  ///< one entry per batch point, accumulated into
};

/// Groups are gathered into panels of several layers and each tile is then updated by the
/// whole panel while it sits in cache: accumulating a layer at a time would stream every tile
/// through memory once per layer (the kernel's cost was the memory traffic, not the flops).
/// An entry still receives the groups one by one in their order, so the bits do not depend on
/// the panel size.
class GradientGram final : public GradientVisitor {
 public:
  /// `tiles` and `diagonal` (sized to the batch, or null for none) are accumulated into.
  /// `panel_bytes` bounds the operands buffered before the tiles are updated.
  GradientGram(std::int64_t batch_points, std::vector<GramTile> tiles, GramDiagonal* diagonal,
               std::int64_t panel_bytes = 32 << 20);

  void weight_group(const ParameterGroup& group, const double* delta, std::int64_t delta_rows, const double* input,
                    std::int64_t input_rows, double weight_factor, double bias_factor) override;
  void head_group(const ParameterGroup& group, const double* features, std::int64_t rows, double weight_factor,
                  double bias_factor) override;
  /// Updates the tiles with the groups still buffered (NetworkPass::backward calls it last).
  void finish() override;

  /// Floating-point operations so far (multiplications and additions), for rates.
  [[nodiscard]] double flops() const noexcept { return flops_; }
  /// The bytes the panel may hold (MonteCarloSweep::memory_bytes counts them for the planner).
  [[nodiscard]] static std::int64_t panel_capacity(std::int64_t batch_points, std::int64_t largest_group_rows,
                                                   std::int64_t panel_bytes = 32 << 20);

 private:
  struct Group {
    bool head = false;
    std::size_t delta = 0, input = 0;  // offsets of the transposed operands in panel_
    std::int64_t delta_rows = 0, input_rows = 0;
    double weight_factor = 0, bias_factor = 0;
    double feature_weight = 0, feature_bias = 0;  // heads: the feature kernel's factors
  };
  std::size_t append_transposed(const double* x, std::int64_t rows);

  std::int64_t batch_points_;
  std::vector<GramTile> tiles_;
  GramDiagonal* diagonal_;
  std::int64_t panel_bytes_;
  std::vector<Group> groups_;
  std::vector<double> panel_;  // the buffered groups' operands, points along the rows
  double flops_ = 0;
};

}  // namespace deepntk::finite
