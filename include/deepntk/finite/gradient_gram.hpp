#pragma once
// Accumulates the empirical kernels of one network, group by group, into tiles of kernel
// matrices (docs/kernels.md §Finite-width networks): the NTK (every parameter group) and the
// feature kernel (the read-out heads only, whose expectation is the NNGP).
//
// A tile is a rectangle of one kernel matrix: rows are points row_point .. row_point+rows-1 of
// the pass's batch, columns col_point .. col_point+cols-1, stored column-major with leading
// dimension `ld`. Each tile is computed by itself (two small GEMMs and a Hadamard product per
// group), so a tile of a given pair of point ranges gets the same bits whatever else is
// computed beside it: callers that make one tile per global block pair get results that do
// not depend on the rank count.

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

class GradientGram final : public GradientVisitor {
 public:
  /// `tiles` and `diagonal` (sized to the batch, or empty for none) are accumulated into.
  GradientGram(std::int64_t batch_points, std::vector<GramTile> tiles, GramDiagonal* diagonal);

  void weight_group(const double* delta, std::int64_t delta_rows, const double* input, std::int64_t input_rows,
                    double weight_factor, double bias_factor) override;
  void head_group(const double* features, std::int64_t rows, double weight_factor, double bias_factor) override;

  /// Floating-point operations so far (multiplications and additions), for rates.
  [[nodiscard]] double flops() const noexcept { return flops_; }

 private:
  std::int64_t batch_points_;
  std::vector<GramTile> tiles_;
  GramDiagonal* diagonal_;
  std::vector<double> delta_products_, input_products_;  // scratch, one tile
  double flops_ = 0;
};

}  // namespace deepntk::finite
