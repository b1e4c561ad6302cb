#include "deepntk/kernels/detail/erf_dual.hpp"

namespace deepntk::kernels::detail {

// Write φ_i = μ + ε, φ_j = μ − ε and ψ = arcsin(sqrt(z_i z_j)). Then sin²ψ = sin²μ − sin²ε,
// so μ − ψ = arcsin(sin²ε / sin(μ+ψ)), and sqrt(φ_i φ_j) = μ − ε²/P with P = μ + sqrt(φ_i φ_j).
// Both pieces are ~ε² and nearly cancel (for small angles E ≈ ε² μ/3). Substituting
// P − (μ+ψ) = E turns the difference into a linear equation for E whose terms are all of
// the size of E:
//   E (1 − sin²ε/(P sin T)) = [ε² τ(T) − T τ(ε)(ε + sin ε)] / (P sin T) + (arcsin A − A),
// T = μ + ψ, τ(x) = x − sin x, A = sin²ε / sin T. The two terms in brackets have ratio
// ~2ε²/T², so this form is used for ε <= 0.7 μ. For larger ε the direct Cauchy–Schwarz form
//   E = (φ_i φ_j − z_i z_j) / (sqrt(φ_i φ_j) + sqrt(z_i z_j)) − τ(ψ),
//   φ_i φ_j − z_i z_j = φ_i τ(φ_j) + z_j τ(φ_i)   (z = sin φ),
// loses at most a few bits, since then E is not small against τ(ψ).
//
// For μ < 1e-8 (erf is linear there to 1e-16) the leading term E/w = (z_i − z_j)²/12 = ε²/3
// is exact to O(z²), and avoids products of tiny angles that would underflow.
double erf_norm_mismatch_over_w(double z_i, double z_j, double phi_i, double phi_j, double eps, double w) noexcept {
  const double mu = 0.5 * (phi_i + phi_j);
  if (eps == 0.0) return 0.0;
  if (mu < 1e-8) return eps * eps / 3.0;
  const double psi = std::asin(std::min(w, 1.0));
  const double gm = std::sqrt(phi_i) * std::sqrt(phi_j);
  if (eps <= 0.7 * mu) {
    const double t = mu + psi;
    const double p = mu + gm;
    const double st = std::sin(t);
    const double se = std::sin(eps);
    const double se2 = se * se;
    const double a = se2 / st;
    const double num = (eps * eps * x_minus_sin(t) - t * x_minus_sin(eps) * (eps + se)) / (p * st) + asin_minus_x(a);
    return std::max(num / (1.0 - se2 / (p * st)), 0.0) / w;
  }
  // φ_i φ_j − z_i z_j = φ_i τ(φ_j) + z_j τ(φ_i) = φ_j τ(φ_i) + z_i τ(φ_j); the mean is symmetric.
  const double ti = x_minus_sin(phi_i), tj = x_minus_sin(phi_j);
  const double diff = 0.5 * ((phi_i * tj + z_j * ti) + (phi_j * ti + z_i * tj));
  const double e = diff / (gm + w) - x_minus_sin(psi);
  return std::max(e, 0.0) / w;
}

}  // namespace deepntk::kernels::detail
