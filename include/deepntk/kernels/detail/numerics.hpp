#pragma once
// Small numerical building blocks of the stable kernel updates: double-double arithmetic for
// per-point accumulations, and the series that replace differences of nearly equal numbers
// (θ − sin θ, sin θ − θ cos θ, arcsin x − x). Internal to the kernels library and its tests.
//
// The sources are compiled with -ffp-contract=off: the error-free transformations below are
// exact only if the compiler does not fuse a*b+c, and fusing differently in the vectorized and
// the scalar remainder of a loop would break bit-identical results across block splits.

#include <array>
#include <cmath>
#include <cstdint>

namespace deepntk::kernels::detail {

/// Horner's rule, highest degree first: ((c[0] x + c[1]) x + ...) x + c[N-1], evaluated in
/// exactly this order (with -ffp-contract=off the result is the written-out chain's, bit for bit).
template <std::size_t N>
[[nodiscard]] constexpr double horner(double x, const std::array<double, N>& c) noexcept {
  double s = c[0];
  for (std::size_t k = 1; k < N; ++k) s = s * x + c[k];
  return s;
}

inline constexpr double pi = 3.141592653589793116;          // fl(π)
inline constexpr double half_pi = 1.570796326794896558;     // fl(π/2)
inline constexpr double inv_pi = 0.3183098861837906715;     // fl(1/π)

// ---- double-double -------------------------------------------------------------------------

struct DD {
  double hi = 0.0;
  double lo = 0.0;
};

[[nodiscard]] inline DD two_sum(double a, double b) noexcept {
  const double s = a + b;
  const double bb = s - a;
  const double e = (a - (s - bb)) + (b - bb);
  return {s, e};
}

[[nodiscard]] inline DD quick_two_sum(double a, double b) noexcept {  // |a| >= |b|
  const double s = a + b;
  return {s, b - (s - a)};
}

// Dekker's product without FMA (portable, exact for |a|,|b| < 2^995).
[[nodiscard]] inline DD two_prod(double a, double b) noexcept {
  constexpr double split = 134217729.0;  // 2^27 + 1
  const double p = a * b;
  const double ta = split * a;
  const double ah = ta - (ta - a);
  const double al = a - ah;
  const double tb = split * b;
  const double bh = tb - (tb - b);
  const double bl = b - bh;
  const double e = ((ah * bh - p) + ah * bl + al * bh) + al * bl;
  return {p, e};
}

[[nodiscard]] inline DD dd_add(DD x, DD y) noexcept {
  DD s = two_sum(x.hi, y.hi);
  s.lo += x.lo + y.lo;
  return quick_two_sum(s.hi, s.lo);
}

[[nodiscard]] inline DD dd_add(DD x, double y) noexcept {
  DD s = two_sum(x.hi, y);
  s.lo += x.lo;
  return quick_two_sum(s.hi, s.lo);
}

[[nodiscard]] inline DD dd_mul(DD x, double c) noexcept {
  DD p = two_prod(x.hi, c);
  p.lo += x.lo * c;
  return quick_two_sum(p.hi, p.lo);
}

[[nodiscard]] inline DD dd_ldexp(DD x, int e) noexcept { return {std::ldexp(x.hi, e), std::ldexp(x.lo, e)}; }

// ---- series for differences that cancel ----------------------------------------------------

/// κ(θ) = sin θ − θ cos θ = θ³/3 − θ⁵/30 + ..., the part of the ReLU correlation map beyond
/// 1 − cos θ. Series below 1.2 (where the subtraction would cancel), direct above, where
/// cos θ = 1 − g and sin θ = sqrt(g (2 − g)) come from the carried gap g without trigonometry.
[[nodiscard]] inline double relu_kappa(double theta, double gap) noexcept {
  // θ³ Σ_k c_k θ^(2k−2), c_k = (−1)^(k+1) 2k/(2k+1)!. Deep in a network θ is small and a few
  // terms suffice; the tiers keep the omitted part below 1e-19 of the sum (θ < 0.02: 4 terms,
  // θ < 0.2: 6, θ < 1.2: 11), far under the rounding, so the tier never biases the result.
  const double x = theta * theta;
  if (theta < 0.02) {
    const double s = horner(x, std::array{
        -2.20458553791887140e-05,
        1.19047619047619058e-03,
        -3.33333333333333329e-02,
        3.33333333333333315e-01
    });
    return s * x * theta;
  }
  if (theta < 0.2) {
    const double s = horner(x, std::array{
        -1.92708526041859370e-09,
        2.50521083854417176e-07,
        -2.20458553791887140e-05,
        1.19047619047619058e-03,
        -3.33333333333333329e-02,
        3.33333333333333315e-01
    });
    return s * x * theta;
  }
  if (theta < 1.2) {
    const double s = horner(x, std::array{
        8.50997437538750531e-22,
        -3.91458821267825228e-19,
        1.47971434439237934e-16,
        -4.49833160695283296e-14,
        1.07060292245477428e-11,
        -1.92708526041859370e-09,
        2.50521083854417176e-07,
        -2.20458553791887140e-05,
        1.19047619047619058e-03,
        -3.33333333333333329e-02,
        3.33333333333333315e-01
    });
    return s * x * theta;
  }
  const double c = 1.0 - gap;
  const double s = std::sqrt(gap * (2.0 - gap));
  return s - theta * c;
}

/// arcsin(x) for 0 <= x <= 1; below 0.01 a four-term series (omitted part < 1e-20 relative)
/// inlined, which is where deep layers live, else the library's.
[[nodiscard]] inline double asin_pos(double x) noexcept {
  if (x < 0.01) {
    const double y = x * x;
    const double s = horner(y, std::array{
        3.03819444444444441e-02,
        4.46428571428571438e-02,
        7.49999999999999972e-02,
        1.66666666666666657e-01
    });
    return x + s * y * x;
  }
  return std::asin(x);
}

/// τ(x) = x − sin x for x >= 0: series below 1.5, direct above (where at most a bit is lost).
[[nodiscard]] inline double x_minus_sin(double x) noexcept {
  if (x < 1.5) {
    // x³ Σ_k (−1)^(k+1) x^(2k−2)/(2k+1)!, k = 1..12
    const double y = x * x;
    const double s = horner(y, std::array{
        -6.44695028438447359e-26,
        3.86817017063068413e-23,
        -1.95729410633912626e-20,
        8.22063524662432950e-18,
        -2.81145725434552060e-15,
        7.64716373181981641e-13,
        -1.60590438368216133e-10,
        2.50521083854417202e-08,
        -2.75573192239858925e-06,
        1.98412698412698413e-04,
        -8.33333333333333322e-03,
        1.66666666666666657e-01
    });
    return s * y * x;
  }
  return x - std::sin(x);
}

/// arcsin(x) − x for 0 <= x <= 1: series below 0.1, direct above.
[[nodiscard]] inline double asin_minus_x(double x) noexcept {
  if (x < 0.1) {
    // x³ Σ_k c_k x^(2k−2), c_k = (2k)!/(4^k (k!)² (2k+1)), k = 1..11
    const double y = x * x;
    const double s = horner(y, std::array{
        7.31252587359884545e-03,
        8.39033580961681506e-03,
        9.76160952919407840e-03,
        1.15518008961397051e-02,
        1.39648437500000007e-02,
        1.73527644230769239e-02,
        2.23721590909090919e-02,
        3.03819444444444441e-02,
        4.46428571428571438e-02,
        7.49999999999999972e-02,
        1.66666666666666657e-01
    });
    return s * y * x;
  }
  return std::asin(x) - x;
}

/// arcsin(x)/x, equal to 1 at x = 0; accurate to an ulp or two for 0 <= x <= 1.
[[nodiscard]] inline double asinc(double x) noexcept { return x == 0.0 ? 1.0 : std::asin(x) / x; }

}  // namespace deepntk::kernels::detail
