#pragma once
// High-precision reference kernels for tests: the plain recursions of docs/kernels.md §Definitions in
// __float128 (113-bit significand), carrying the covariances themselves (no gap tricks), from
// the same double inputs as the sweep. Exact power-of-two rescaling keeps the values in range
// (2^±16382 is not enough for sw2 = 4 at L = 10^7); for erf, where the true variance enters
// 1 + 2q, the dual is written as (2/π) x asinc(x) so that underflowing q stays meaningful.
//
// Cost: ~2 µs per pair-layer (acosq/asinq dominate), so 10^7 layers take ~20 s per pair.

#include <cstdint>
#include <span>
#include <vector>

#include "deepntk/kernels/network.hpp"

namespace deepntk::kernels::testing {

struct RefPair {
  std::int64_t depth = 0;
  double nngp_gap = 0.0;         ///< 1 − NNGP_ij / sqrt(NNGP_ii NNGP_jj)
  double nngp_normalized = 0.0;  ///< NNGP_ij / sqrt(NNGP_ii NNGP_jj)
  double ntk_normalized = 0.0;
  // Unnormalized values as mantissa · 2^exponent (exponent shared by the three entries).
  double nngp_ii = 0.0, nngp_jj = 0.0, nngp_ij = 0.0;
  double ntk_ii = 0.0, ntk_jj = 0.0, ntk_ij = 0.0;
  int nngp_exponent = 0, ntk_exponent = 0;
};

/// Kernels of the pair (x_i, x_j) with K0(x_i,x_i) = k0_i, K0(x_j,x_j) = k0_j and input
/// correlation 1 − gap0, at every depth of `depths` (ascending).
[[nodiscard]] std::vector<RefPair> reference_pair(const NetworkSpec& spec, double k0_i, double k0_j, double gap0,
                                                  std::span<const std::int64_t> depths);

}  // namespace deepntk::kernels::testing
