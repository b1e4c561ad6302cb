#pragma once
// The ReLU dual activation written on the gap g = 1 − ρ, so that no digit of g is lost as
// ρ → 1 (docs/kernels.md, "Stable updates").
//
// With θ = arccos ρ the normalized dual is J(θ)/π, J = sin θ + (π − θ) cos θ, and
//   1 − J/π = (1 − cos θ) − (sin θ − θ cos θ)/π = g − κ(θ)/π,
// a small correction subtracted from g itself (κ ≈ θ³/3), so the update of g has an exact
// leading coefficient 1. Adding weights and biases, B = sw2 A + sb2, with a = sw2 q / 2 per
// point and b = sb2, gives the gap of B:
//   h = G − β (G − (Δs²/S)(1 − G)),   G = g − κ/π,   β = b / sqrt((a_i+b)(a_j+b)),
//   Δs = sqrt(a_i) − sqrt(a_j),   S = sqrt((a_i+b)(a_j+b)) + sqrt(a_i a_j) + b,
// from sqrt((a_i+b)(a_j+b)) − sqrt(a_i a_j) − b = b Δs² / S (no subtraction of near equals).
// Δs = (a_i − a_j)/(s_i + s_j), with a_i − a_j known to full relative accuracy (see
// bias_mismatch), so even a mismatch far below the rounding of a itself is right.

#include <cmath>

#include "deepntk/kernels/detail/numerics.hpp"

namespace deepntk::kernels::detail {

/// θ = arccos(1 − g) for g in [0, 2], accurate for g → 0 (θ ≈ sqrt(2g)) and g → 2.
[[nodiscard]] inline double relu_theta(double gap) noexcept {
  if (gap <= 1.0) return 2.0 * asin_pos(std::sqrt(0.5 * gap));
  return pi - 2.0 * std::asin(std::sqrt(1.0 - 0.5 * gap));
}

/// Gap of the normalized ReLU dual (weights only): 1 − J(θ)/π = g − κ(θ)/π.
[[nodiscard]] inline double relu_dual_gap(double gap, double theta) noexcept {
  return gap - relu_kappa(theta, gap) * inv_pi;
}

/// The bias mix: gap of sqrt(a_i a_j)(1 − G) + b relative to sqrt((a_i+b)(a_j+b)).
/// `beta` = b / sqrt((a_i+b)(a_j+b)); `mismatch` = Δs²/S (0 when a_i == a_j).
/// The two corrections are combined before they meet G: added one after the other, the
/// mismatch term (often far below an ulp of G) would be rounded away in every layer, a loss
/// of one sign that reaches 1e-10 relative by L = 10^7 (sw2 = 2, sb2 > 0, unequal norms).
[[nodiscard]] inline double bias_mix(double G, double beta, double mismatch) noexcept {
  return G - beta * (G - mismatch * (1.0 - G));
}

[[nodiscard]] inline double bias_mix(double G, double beta) noexcept { return G - beta * G; }

/// Δs²/S of bias_mix, s = sqrt(a), p = sqrt(a + b). The difference a_i − a_j is passed in,
/// never formed from the rounded a's: for ReLU the variance map is affine, so
/// a_i − a_j = c_l (K0_i − K0_j) with one scale c_l per layer, exact to rounding however small
/// the difference gets (it shrinks geometrically when the variances converge).
[[nodiscard]] inline double bias_mismatch(double da, double s_i, double p_i, double s_j, double p_j, double b) noexcept {
  const double ds = da / (s_i + s_j);
  return ds * ds / (p_i * p_j + s_i * s_j + b);
}

}  // namespace deepntk::kernels::detail
