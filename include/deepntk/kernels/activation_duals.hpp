#pragma once
// Dual activations in their textbook closed forms (docs/kernels.md §Dual activations): for a centred Gaussian
// pair (u, v) with covariance [[q1, c], [c, q2]],
//   A(q1,q2,c)  = E[φ(u) φ(v)],   Ad(q1,q2,c) = E[φ'(u) φ'(v)].
//
// These are the definitions, evaluated directly. They are fine for moderate correlations and
// for checks (Monte Carlo, tests), but lose all digits of 1 − ρ near ρ = 1: the depth sweep
// never calls them, it carries the gap 1 − ρ instead (detail/relu_dual.hpp, detail/erf_dual.hpp).

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include "deepntk/kernels/network.hpp"

namespace deepntk::kernels {

struct DualValues {
  double a = 0.0;   ///< A(q1, q2, c)
  double ad = 0.0;  ///< Ad(q1, q2, c)
};

/// ReLU: θ = arccos(c / sqrt(q1 q2)),
/// A = sqrt(q1 q2) (sin θ + (π − θ) cos θ) / (2π),  Ad = (π − θ) / (2π).
[[nodiscard]] inline DualValues relu_dual(double q1, double q2, double c) noexcept {
  const double s = std::sqrt(q1 * q2);
  const double rho = std::clamp(c / s, -1.0, 1.0);
  const double theta = std::acos(rho);
  const double pi = std::numbers::pi;
  return {s * (std::sin(theta) + (pi - theta) * rho) / (2.0 * pi), (pi - theta) / (2.0 * pi)};
}

/// erf: A = (2/π) arcsin(2c / sqrt((1+2q1)(1+2q2))),  Ad = (4/π) / sqrt((1+2q1)(1+2q2) − 4c²).
[[nodiscard]] inline DualValues erf_dual(double q1, double q2, double c) noexcept {
  const double d = (1.0 + 2.0 * q1) * (1.0 + 2.0 * q2);
  const double pi = std::numbers::pi;
  const double x = std::clamp(2.0 * c / std::sqrt(d), -1.0, 1.0);
  return {(2.0 / pi) * std::asin(x), (4.0 / pi) / std::sqrt(d - 4.0 * c * c)};
}

/// The textbook dual of `act` (every activation has a case; no silent fallback).
[[nodiscard]] inline DualValues dual(Activation act, double q1, double q2, double c) noexcept {
  switch (act) {
    case Activation::relu: return relu_dual(q1, q2, c);
    case Activation::erf: return erf_dual(q1, q2, c);
  }
  return {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::quiet_NaN()};
}

}  // namespace deepntk::kernels
