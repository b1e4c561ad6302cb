#pragma once
// The erf dual activation written on the gap g = 1 − ρ (docs/kernels.md, "Stable updates").
//
// Per point: z = 2q/(1+2q), φ = arcsin z, m = κ φ with κ = 2 sw2/π, b = m + sb2 (next
// variance). Per pair, w = sqrt(z_i z_j) and the next covariance is κ arcsin(ρ w) + sb2, so
//   sqrt(b_i b_j) − B_ij = Nb + κ (E + D),
//   Nb = sb2 (sqrt(m_i) − sqrt(m_j))² / (sqrt(b_i b_j) + sqrt(m_i m_j) + sb2)     (bias, norms)
//   E  = sqrt(φ_i φ_j) − arcsin w                                                (norm mismatch)
//   D  = arcsin w − arcsin(ρ w)                                                  (angle)
// every term >= 0 and computed without subtracting nearly equal numbers:
//   D = arcsin( w g(2−g) / (sqrt(1 − ρ²w²) + ρ sqrt(1 − w²)) )  for ρ >= 0, from
//   sin(x − y) = (sin²x − sin²y)/(sin x cos y + sin y cos x),
//   D = arcsin w + arcsin(−ρ w)                                    for ρ < 0 (no cancellation).
// Everything is divided by w before use (D/w = Y asinc(wY)), so q → 0, where erf is linear and
// w underflows, leaves finite ratios: the gap is then exactly carried over.
//
// Without bias the map is odd, ρ = −1 is a fixed point like ρ = 1, and near it 1 + ρ needs the
// same care as 1 − ρ near 1 (in the chaotic phase an ulp of 1 + ρ grows to O(1)). The sweep
// then carries the side σ = sign ρ and the folded gap 1 − |ρ|, and applies the maps to |ρ|:
// by oddness the folded update is exactly the update of a positive correlation.

#include <algorithm>
#include <cmath>

#include "deepntk/kernels/detail/numerics.hpp"

namespace deepntk::kernels::detail {

/// D/w for the erf angle term. `omw2` = 1 − w², `omr2` = 1 − ρ²w² (both computed without
/// cancellation by the caller), gap g in [0, 2].
[[nodiscard]] inline double erf_angle_over_w(double gap, double w, double omw2, double omr2) noexcept {
  const double rho = 1.0 - gap;
  if (rho >= 0.0) {
    // D/w = g (1 + O(w²)): where erf is linear to double precision, return g itself rather
    // than a rounded g(2−g)/(2−g), which could creep by an ulp per layer.
    if (w < 0x1p-30) return gap;
    const double y = gap * (2.0 - gap) / (std::sqrt(omr2) + rho * std::sqrt(omw2));
    return y * asinc(std::min(w * y, 1.0));
  }
  return asinc(w) + (-rho) * asinc(std::min(-rho * w, 1.0));
}

/// φ_i − φ_j = arcsin z_i − arcsin z_j from dz = z_i − z_j (z >= 0), without forming the
/// difference of the rounded arcsines: sin(x − y) = (sin²x − sin²y)/(sin x cos y + sin y cos x).
/// `cz` = sqrt(1 − z²) per point.
[[nodiscard]] inline double erf_phi_difference(double dz, double z_i, double z_j, double cz_i, double cz_j) noexcept {
  if (dz == 0.0) return 0.0;
  const double den = z_i * cz_j + z_j * cz_i;
  // Both variances underflowed (q → 0, erf linear) while the carried difference did not yet:
  // the ratio tends to 1.
  const double ratio = den > 0.0 ? (z_i + z_j) / den : 1.0;
  return std::asin(std::min(std::max(dz * ratio, -1.0), 1.0));
}

/// E/w, E = sqrt(φ_i φ_j) − arcsin w >= 0 (w = sqrt(z_i z_j)), the Cauchy–Schwarz gap of the
/// erf dual at ρ = 1 between points of different variance, given ε = |φ_i − φ_j|/2 (accurately,
/// from erf_phi_difference); 0 when ε = 0. Relative accuracy ~1e-15.
[[nodiscard]] double erf_norm_mismatch_over_w(double z_i, double z_j, double phi_i, double phi_j, double eps,
                                              double w) noexcept;

/// The erf gap can leave [0, 2] by an ulp (ρ = −1 is a fixed point of the odd map); outside it
/// the chaotic phase would amplify that ulp, so the update clamps to where the true gap lives.
[[nodiscard]] inline double clamp_gap(double g) noexcept { return std::min(std::max(g, 0.0), 2.0); }

}  // namespace deepntk::kernels::detail
