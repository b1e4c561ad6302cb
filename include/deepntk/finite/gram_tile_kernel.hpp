#pragma once
// The innermost loops of the finite-width kernels (finite/gradient_gram.cpp) and of the input
// Gram K0 (inner_products_packed, below). Finite width: one tile of the Gram matrix updated by
// one parameter group,
//
//   weight group:  G_ij += (Σ_k Δ_ik Δ_jk) (wf Σ_k A_ik A_jk + wb)
//   head group:    G_ij += wf Σ_k A_ik A_jk + wb, F_ij += ff Σ_k A_ik A_jk + fb (NTK, feature kernel)
//
// fused, so neither inner-product matrix is ever stored, vectorized over i in registers (4
// columns j at a time share each load). Compiled for AVX-512 + FMA, AVX2 + FMA and the x86-64
// baseline (chosen once by the CPU's features), all with the same arithmetic per entry: fused
// multiply-adds (each rounded once, exactly fma) in k order, so the vector lanes, the scalar
// remainder and every instruction set give the same bits (the baseline calls the library's
// exact fma: slow, but the same numbers). That keeps a tile's values independent of its shape
// and of the machine. (The input Gram's kernel in the same file has no FMA: its entries must
// equal data::input_kernel_entry's plain products and sums.)
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

/// The instruction sets the tile loops are compiled for; every one gives the same bits.
enum class TileInstructions { avx512, avx2, baseline };
[[nodiscard]] bool tile_instructions_available(TileInstructions level);
/// The best one this CPU has (chosen once, by its features).
[[nodiscard]] TileInstructions tile_instructions();

/// G (rows x cols, leading dimension ldg) += (ΔΔᵀ) ∘ (wf AAᵀ + wb) over the tile.
void accumulate_weight_tile(const TileOperands& t, double weight_factor, double bias_factor, double* g,
                            std::int64_t ldg, TileInstructions level = tile_instructions());

/// G += wf AAᵀ + wb (the NTK) and F += ff AAᵀ + fb (the feature kernel), over the tile; the
/// delta operands of `t` are not used.
struct HeadFactors {
  double ntk_weight = 0, ntk_bias = 0, feature_weight = 0, feature_bias = 0;
};
void accumulate_head_tile(const TileOperands& t, const HeadFactors& factors, double* g, double* f, std::int64_t ldg,
                          TileInstructions level = tile_instructions());

/// Packed panels for inner_products_packed: `rows` points in groups of packed_rows, each group
/// depth x packed_rows (its points' k-th values together, k = 0, 1, ...), the last group padded
/// with zeros; `cols` points the same in groups of packed_cols. Contiguous streams for the
/// prefetcher, in L1/L2 for a tile of ~100 points of ~1000 values.
inline constexpr std::int64_t packed_rows = 8;
inline constexpr std::int64_t packed_cols = 4;

/// C (rows x cols, column-major, leading dimension ldc) = A Bᵀ from the packed panels a and b:
/// each entry Σ_k a_ik b_jk with the products and sums in k order, the same arithmetic as the
/// other tiles here, so the bits equal those of the plain scalar loop whatever the tile and
/// the machine. The input Gram K0 (data/distributed_input_kernel.cpp) is made of these.
void inner_products_packed(const double* a, std::int64_t rows, const double* b, std::int64_t cols, std::int64_t depth,
                           double* c, std::int64_t ldc);

}  // namespace deepntk::finite
