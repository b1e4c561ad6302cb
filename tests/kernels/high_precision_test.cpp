// The sweep against the high-precision references, depths up to 10^6:
//  - the binary128 plain recursion (reference.cpp), for every architecture and activation,
//    with near-duplicates (1 − ρ0 = 1e-12), antipodes (ρ0 = −1), unequal norms, sb2 = 0 and
//    sb2 > 0, sw2 from 0.5 to 4;
//  - 400-digit plain recursions (tools/mp_reference.py) where the gap falls below what
//    binary128 resolves (~1e-24).
// Requirement (docs/kernels.md §Accuracy requirements): relative error <= 1e-10 of 1 − ρ_L and of every normalized entry.

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <sstream>

#include "reference.hpp"
#include "test_support.hpp"

using namespace deepntk::kernels;
using namespace deepntk::kernels::testing;

namespace {

constexpr double required = 1e-10;

struct Worst {
  double gap = 0, nngp = 0, ntk = 0;
  ~Worst() {
    BOOST_TEST_MESSAGE("high precision: worst relative errors: 1 - rho " << gap << ", normalized NNGP " << nngp
                                                                           << ", normalized NTK " << ntk);
  }
};
Worst& worst() {
  static Worst w;
  return w;
}

std::string describe(const NetworkSpec& s, double ki, double kj, double gap0) {
  std::ostringstream os;
  os.precision(17);
  os << to_string(s.architecture) << "/" << to_string(s.activation) << " sw2 " << s.sw2 << " sb2 " << s.sb2;
  if (s.architecture == Architecture::resnet) os << " alpha rule " << static_cast<int>(s.residual.rule) << " " << s.residual.value;
  if (s.architecture == Architecture::shortcut) os << " h " << s.readout_every;
  os << " K0 " << ki << ", " << kj << " gap0 " << gap0;
  return os.str();
}

// Compares sweep and binary128 reference at every depth. Gaps below 1e-14 are beyond what the
// binary128 recursion itself resolves to 1e-10 (it loses ~1e-34/gap), and are checked against
// the 400-digit constants instead. Normalized entries are relative to max(|value|, floor).
void compare(const NetworkSpec& s, double ki, double kj, double gap0, std::vector<std::int64_t> depths,
             double floor = 1e-300) {
  const auto got = sweep_pair(s, ki, kj, gap0, depths);
  const auto ref = reference_pair(s, ki, kj, gap0, depths);
  BOOST_REQUIRE(got.size() == ref.size());
  for (std::size_t k = 0; k < got.size(); ++k) {
    BOOST_TEST_CONTEXT(describe(s, ki, kj, gap0) << " depth " << got[k].depth) {
      BOOST_TEST(got[k].depth == ref[k].depth);
      if (ref[k].nngp_gap > 1e-14) {
        const double e = rel_err(got[k].nngp_gap, ref[k].nngp_gap);
        BOOST_TEST(e <= required, "1 - rho: " << got[k].nngp_gap << " vs " << ref[k].nngp_gap);
        worst().gap = std::max(worst().gap, e);
      }
      const double en = rel_err(got[k].nngp_normalized, ref[k].nngp_normalized, floor);
      const double et = rel_err(got[k].ntk_normalized, ref[k].ntk_normalized, floor);
      BOOST_TEST(en <= required, "NNGP: " << got[k].nngp_normalized << " vs " << ref[k].nngp_normalized);
      BOOST_TEST(et <= required, "NTK: " << got[k].ntk_normalized << " vs " << ref[k].ntk_normalized);
      worst().nngp = std::max(worst().nngp, en);
      worst().ntk = std::max(worst().ntk, et);
      // unnormalized diagonal values, through their exponents
      const double d = std::ldexp(got[k].nngp_ii, got[k].nngp_exponent - ref[k].nngp_exponent);
      BOOST_TEST(rel_err(d, ref[k].nngp_ii) <= 1e-9);
    }
  }
}

NetworkSpec spec(Architecture a, Activation act, double sw2, double sb2) {
  NetworkSpec s;
  s.architecture = a;
  s.activation = act;
  s.sw2 = sw2;
  s.sb2 = sb2;
  return s;
}

const double near_dup = 1e-12;
const double other_norm = 1.0 + 1e-7;  // a near-duplicate with a slightly different norm

}  // namespace

BOOST_AUTO_TEST_CASE(mlp_relu) {
  const std::vector<std::int64_t> d{1, 10, 1000, 100000};
  compare(spec(Architecture::mlp, Activation::relu, 2.0, 0.0), 1.0, 1.0, near_dup, {1, 10, 1000, 100000, 1000000});
  compare(spec(Architecture::mlp, Activation::relu, 2.0, 0.0), 1.0, 1.0, 0.5, d);
  compare(spec(Architecture::mlp, Activation::relu, 2.0, 0.0), 1.0, 1.0, 2.0, d);
  compare(spec(Architecture::mlp, Activation::relu, 4.0, 0.0), 0.6, 1.7, 0.9, d);
  // sw2 = 2 with bias: the gap decays polynomially and the unequal-norm term matters forever
  compare(spec(Architecture::mlp, Activation::relu, 2.0, 0.5), other_norm, 1.0, near_dup, {1, 10, 1000, 100000, 1000000});
  compare(spec(Architecture::mlp, Activation::relu, 2.0, 0.5), 1.3, 1.0, 1.0, d);
  compare(spec(Architecture::mlp, Activation::relu, 4.0, 1.0), 1.3, 1.0, near_dup, d);
  // ordered: the gap decays like 4^−L and underflows, the normalized NTK converges more slowly
  compare(spec(Architecture::mlp, Activation::relu, 0.5, 1.0), 1.25, 1.0, 0.5, {1, 5, 10, 20, 700, 3000});
  compare(spec(Architecture::mlp, Activation::relu, 0.5, 1.0), 1.0, 1.0, 0.5, {700, 3000});
  compare(spec(Architecture::mlp, Activation::relu, 0.5, 0.0), 1.0, 1.0, near_dup, d);
}

BOOST_AUTO_TEST_CASE(mlp_erf) {
  const std::vector<std::int64_t> d{1, 10, 1000, 20000};
  for (double sw2 : {0.5, 2.0, 4.0}) {
    for (double sb2 : {0.0, 0.5}) {
      const NetworkSpec s = spec(Architecture::mlp, Activation::erf, sw2, sb2);
      compare(s, other_norm, 1.0, near_dup, d);
      compare(s, 1.0, 1.0, 2.0, d);
      compare(s, 1.7, 1.0, 1.4, d);
    }
  }
  // ordered erf with bias: the gap underflows long before the NTK has converged to 1
  compare(spec(Architecture::mlp, Activation::erf, 1.0, 1.0), 1.0, 1.0, 0.3, {100, 2000, 6000});
  // the linear regime (sw2 < π/4, sb2 = 0: Σ → 0 geometrically, the gap frozen) to 10^6
  compare(spec(Architecture::mlp, Activation::erf, 0.5, 0.0), 1.3, 1.0, 0.3, {1000, 1000000});
}

BOOST_AUTO_TEST_CASE(resnet) {
  const std::vector<std::int64_t> d{1, 10, 1000, 100000};
  for (auto act : {Activation::relu, Activation::erf}) {
    NetworkSpec s = spec(Architecture::resnet, act, 2.0, 0.5);
    compare(s, other_norm, 1.0, near_dup, d);
    s.sb2 = 0.0;
    compare(s, 1.0, 1.0, 2.0, d, 1e-3);  // ρ crosses 0 on the way: relative to max(|ρ|, 1e-3)
    s.sw2 = 4.0;
    compare(s, 1.3, 1.0, 0.7, d);
    s.residual = {ResidualScale::Rule::power, 0.25};
    compare(s, 1.3, 1.0, near_dup, {10, 1000, 30000});
    s.residual = {ResidualScale::Rule::constant, 0.3};
    s.sw2 = 0.5;
    s.sb2 = 1.0;
    compare(s, 0.8, 1.0, 0.2, {1, 100, 30000});
  }
}

BOOST_AUTO_TEST_CASE(shortcut) {
  NetworkSpec s = spec(Architecture::shortcut, Activation::relu, 2.0, 0.5);
  s.readout_every = 5;
  compare(s, other_norm, 1.0, near_dup, {5, 100, 100000});
  s.sb2 = 0.0;
  s.sw2 = 4.0;
  compare(s, 1.0, 1.0, 0.5, {5, 100, 100000});
  s.activation = Activation::erf;
  s.readout_every = 2;
  compare(s, 1.0, 1.0, 2.0, {2, 100, 20000});
  s.sb2 = 0.5;
  s.sw2 = 0.5;
  compare(s, 1.4, 1.0, near_dup, {2, 100, 20000});
}

BOOST_AUTO_TEST_CASE(tiny_gaps_against_400_digit_recursions) {
  // Values from tools/mp_reference.py (plain recursion at 400 digits, same binary inputs).
  struct Case {
    Activation act;
    double sw2, sb2, gap0, k0;
    std::vector<std::pair<std::int64_t, double>> gaps;
  };
  const std::vector<Case> cases{
      {Activation::relu, 0.5, 1.0, 0.5, 1.25,
       {{10, 1.5537874960647706751e-7}, {30, 1.4128274334619313155e-19}, {60, 1.2254324578887728172e-37},
        {120, 9.2191291620001483311e-74}}},
      {Activation::erf, 2.0, 1.0, 9.5367431640625e-07, 0.25,
       {{100, 3.659013055242428666e-11}, {300, 2.3219815195855732161e-29}, {600, 1.1738185240628169961e-56}}},
      {Activation::erf, 0.5, 0.5, 0.5, 1.25,
       {{20, 5.7309332505028570431e-11}, {50, 1.5551365058857839621e-25}, {100, 8.2099490104752035516e-50}}},
  };
  for (const Case& c : cases) {
    std::vector<std::int64_t> depths;
    for (const auto& [l, g] : c.gaps) depths.push_back(l);
    const auto got = sweep_pair(spec(Architecture::mlp, c.act, c.sw2, c.sb2), c.k0, 1.0, c.gap0, depths);
    for (std::size_t k = 0; k < got.size(); ++k) {
      const double e = rel_err(got[k].nngp_gap, c.gaps[k].second);
      BOOST_TEST(e <= required, to_string(c.act) << " depth " << got[k].depth << ": " << got[k].nngp_gap << " vs "
                                                 << c.gaps[k].second);
      worst().gap = std::max(worst().gap, e);
    }
  }
}
