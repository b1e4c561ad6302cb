#pragma once
// The innermost loops of the finite-width kernels (finite/gradient_gram.cpp): one tile of the
// Gram matrix updated by one parameter group,
//
//   weight group:  G_ij += (Σ_k Δ_ik Δ_jk) (wf Σ_k A_ik A_jk + wb)
//   head group:    G_ij += wf Σ_k A_ik A_jk + wb, F_ij += ff Σ_k A_ik A_jk + fb (NTK, feature kernel)
//
// fused, so neither inner-product matrix is ever stored, vectorized over i in registers (4
// columns j at a time share each load). Compiled for AVX-512, AVX2 and the x86-64 baseline
// (GCC target clones, chosen at load time), all with the same arithmetic per entry: products
// and sums in k order, no fused multiply-add (this file has -ffp-contract=off), so the vector
// lanes, the scalar remainder and every instruction set give the same bits. That is what keeps
// a tile's values independent of its shape and of the machine.
//
// Both sides come from the transposed layout, the points along the rows: Δt[p + k stride], so a
// vector load takes consecutive row points and a column point's k-th value is a strided read.

#include <cstdint>

namespace deepntk::finite {

struct TileOperands {
  std::int64_t rows = 0, cols = 0;
  const double* row_delta = nullptr;  ///< Δt at the first row point
  const double* row_input = nullptr;  ///< At at the first row point
  const double* col_delta = nullptr;  ///< Δt at the first column point
  const double* col_input = nullptr;  ///< At at the first column point
  std::int64_t stride = 0;            ///< between k and k + 1 (the batch's point count)
  std::int64_t delta_rows = 0, input_rows = 0;
};

/// G (rows x cols, leading dimension ldg) += (ΔΔᵀ) ∘ (wf AAᵀ + wb) over the tile.
void accumulate_weight_tile(const TileOperands& t, double weight_factor, double bias_factor, double* g,
                            std::int64_t ldg);

/// G += wf AAᵀ + wb (the NTK) and F += ff AAᵀ + fb (the feature kernel), over the tile; the
/// delta operands of `t` are not used.
struct HeadFactors {
  double ntk_weight = 0, ntk_bias = 0, feature_weight = 0, feature_bias = 0;
};
void accumulate_head_tile(const TileOperands& t, const HeadFactors& factors, double* g, double* f, std::int64_t ldg);

}  // namespace deepntk::finite
