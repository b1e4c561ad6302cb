#pragma once
// The input kernel K0(x, x') = x.x' / d and the input correlation gap 1 - rho_0, where
// rho_0 = x.x' / (|x| |x'|).
//
// Deep kernels depend on 1 - rho_0 for nearly parallel inputs, and the rounded dot product
// leaves only ~4 correct digits of it when 1 - rho_0 ~ 1e-12. For such pairs the gap is
// recomputed from the normalized vectors: 1 - rho_0 = |u - u'|^2 / 2 with u = x / |x|,
// which has no cancellation.

#include <cstdint>
#include <span>
#include <vector>

#include "deepntk/data/point_set.hpp"

namespace deepntk::data {

/// Below this gap the Gram-based value is replaced by the difference-based one; above it
/// the Gram-based gap already has a relative error below ~1e-13.
inline constexpr double near_parallel_gap = 1e-3;

/// K0(x, y) = (Σ_k x_k y_k) / d: the products and their sum in k order, no fused multiply-add,
/// then one division. This is the definition every K0 value of a run follows (the distributed
/// Gram's tile kernel gives the same bits), so K0 depends on the two points only.
[[nodiscard]] double input_kernel_entry(std::span<const double> x, std::span<const double> y);

/// K0(x_i, x_i) = input_kernel_entry(x_i, x_i) for every point: the same bits as the diagonal of
/// the input Gram matrices.
[[nodiscard]] std::vector<double> input_kernel_diagonal(const PointSet& points);

/// 1 - rho_0 computed from the normalized difference (accurate for any angle).
[[nodiscard]] double gap_from_vectors(std::span<const double> x, std::span<const double> y);

/// 1 - rho_0 from a Gram entry and the two diagonal values, clamped to [0, 2]; for near
/// parallel pairs it returns gap_from_vectors instead.
[[nodiscard]] double input_gap(double k0_xy, double k0_xx, double k0_yy, std::span<const double> x,
                               std::span<const double> y);

/// Rejects points the kernels are undefined for (zero vectors, NaN, Inf), naming the first
/// offending point. Throws std::invalid_argument.
void validate_points(const PointSet& points, const char* name);

}  // namespace deepntk::data
