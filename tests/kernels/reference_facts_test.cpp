// The reference facts of docs/kernels.md §Reference facts (ReLU, sb2 = 0, unit-norm inputs).

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <iomanip>
#include <numbers>

#include "test_support.hpp"

using namespace deepntk::kernels;
using namespace deepntk::kernels::testing;

BOOST_AUTO_TEST_CASE(correlation_map_does_not_depend_on_sw2) {
  const std::vector<std::int64_t> depths{1, 10, 1000, 100000};
  NetworkSpec s;
  for (double gap0 : {1e-12, 0.3, 1.0, 2.0}) {
    s.sw2 = 2.0;
    const auto base = sweep_pair(s, 1.0, 1.0, gap0, depths);
    for (double sw2 : {0.5, 1.0, 4.0}) {
      s.sw2 = sw2;
      const auto other = sweep_pair(s, 1.0, 1.0, gap0, depths);
      for (std::size_t k = 0; k < depths.size(); ++k) {
        BOOST_TEST(rel_err(other[k].nngp_gap, base[k].nngp_gap) < 1e-14, "sw2 " << sw2 << " gap0 " << gap0);
        // the normalized NTK does not depend on sw2 either when sb2 = 0
        BOOST_TEST(rel_err(other[k].ntk_normalized, base[k].ntk_normalized) < 1e-13);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(gap_tends_to_9pi2_over_2L2) {
  // L² (1 − ρ_L) → 9π²/2 ≈ 44.41 from any ρ_1 < 1, the deviation shrinking with L.
  const double limit = 9.0 * std::numbers::pi * std::numbers::pi / 2.0;
  const std::vector<std::int64_t> depths{100, 1000, 10000, 100000, 1000000};
  for (double gap0 : {1.0, 0.1}) {
    const auto r = sweep_pair(NetworkSpec{}, 1.0, 1.0, gap0, depths);
    double previous = 1.0;
    for (const auto& p : r) {
      const double l = static_cast<double>(p.depth);
      const double dev = std::fabs(l * l * p.nngp_gap / limit - 1.0);
      BOOST_TEST(dev < previous, "depth " << p.depth << ": L^2 (1 - rho) = " << l * l * p.nngp_gap);
      previous = dev;
    }
    BOOST_TEST(previous < 1e-4);
  }
}

BOOST_AUTO_TEST_CASE(normalized_ntk_values_of_the_spec) {
  // ρ_1 = 0 (orthogonal inputs), Jacot depth L_J = our depth + 1.
  const std::vector<std::pair<std::int64_t, double>> table{
      {10, 0.315594744892}, {100, 0.272667587783}, {10000, 0.250417449028}, {1000000, 0.250005903262}};
  std::vector<std::int64_t> depths;
  for (const auto& [lj, v] : table) depths.push_back(lj - 1);
  NetworkSpec s;
  s.sw2 = 1.0;  // the papers' weight variance; the normalized kernels do not depend on it
  const auto r = sweep_pair(s, 1.0, 1.0, 1.0, depths);
  for (std::size_t k = 0; k < table.size(); ++k) {
    BOOST_TEST(std::fabs(r[k].ntk_normalized - table[k].second) < 1e-11 * table[k].second,
               "L_J = " << table[k].first << ": " << std::setprecision(15) << r[k].ntk_normalized);
  }
  // off-diagonal entries tend to 1/4, not 1
  BOOST_TEST(std::fabs(r.back().ntk_normalized - 0.25) < 1e-5);
}

BOOST_AUTO_TEST_CASE(sw2_two_diagonal_identities) {
  // NNGP(x,x) = 2 K0(x,x) at every depth, NTK(x,x) = 2 (L + 1) K0(x,x), no rescaling.
  const std::vector<std::int64_t> depths{1, 2, 3, 10, 777, 100000};
  for (double k0 : {1.0, 0.37, 3.1e3}) {
    const auto r = sweep_pair(NetworkSpec{}, k0, 1.0, 0.4, depths);
    for (const auto& p : r) {
      BOOST_TEST(p.nngp_exponent == 0);
      BOOST_TEST(p.ntk_exponent == 0);
      BOOST_TEST(p.nngp_ii == 2.0 * k0);
      BOOST_TEST(p.ntk_ii == 2.0 * static_cast<double>(p.depth + 1) * k0, "depth " << p.depth);
      BOOST_TEST(p.nngp_jj == 2.0);
      BOOST_TEST(p.ntk_jj == 2.0 * static_cast<double>(p.depth + 1));
    }
  }
}

BOOST_AUTO_TEST_CASE(antipodal_relu_inputs_become_orthogonal) {
  // ρ_0 = −1: after one ReLU layer ρ = (sin π + 0)/π = 0 exactly, so the NNGP at depth L
  // equals that of orthogonal inputs at depth L − 1, bit for bit.
  const auto anti = sweep_pair(NetworkSpec{}, 1.0, 1.0, 2.0, {1, 2, 11, 1001});
  const auto orth = sweep_pair(NetworkSpec{}, 1.0, 1.0, 1.0, {1, 10, 1000});
  BOOST_TEST(anti[0].nngp_gap == 1.0);
  BOOST_TEST(anti[1].nngp_gap == orth[0].nngp_gap);
  BOOST_TEST(anti[2].nngp_gap == orth[1].nngp_gap);
  BOOST_TEST(anti[3].nngp_gap == orth[2].nngp_gap);
}
