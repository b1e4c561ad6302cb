// Depth 10^7 against the binary128 plain recursion (~20 s of reference per case) and 45-digit
// constants: the regime where 1 − ρ ≈ 44/L² ≈ 4e-13 and a naive recursion has frozen long ago.

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cmath>
#include <numbers>

#include "reference.hpp"
#include "test_support.hpp"

using namespace deepntk::kernels;
using namespace deepntk::kernels::testing;

namespace {

constexpr double required = 1e-10;
constexpr std::int64_t deep = 10'000'000;

void check(const PairKernels& got, const RefPair& ref, const std::string& what) {
  BOOST_TEST_CONTEXT(what << " depth " << got.depth) {
    const double eg = rel_err(got.nngp_gap, ref.nngp_gap);
    const double en = rel_err(got.nngp_normalized, ref.nngp_normalized);
    const double et = rel_err(got.ntk_normalized, ref.ntk_normalized);
    BOOST_TEST(eg <= required, "1 - rho " << got.nngp_gap << " vs " << ref.nngp_gap);
    BOOST_TEST(en <= required);
    BOOST_TEST(et <= required, "NTK " << got.ntk_normalized << " vs " << ref.ntk_normalized);
    BOOST_TEST_MESSAGE(what << " at " << got.depth << ": relative errors 1 - rho " << eg << ", NNGP " << en << ", NTK "
                            << et);
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(mlp_relu_to_1e7_for_all_sw2) {
  // Orthogonal inputs; without bias the normalized kernels do not depend on sw2, so one
  // reference checks sw2 = 0.5, 2, 4, where the scales reach 2^(±10^7).
  const std::vector<std::int64_t> depths{100000, 1000000, deep};
  NetworkSpec s;
  const auto ref = reference_pair(s, 1.0, 1.0, 1.0, depths);
  for (double sw2 : {0.5, 2.0, 4.0}) {
    s.sw2 = sw2;
    const auto got = sweep_pair(s, 1.0, 1.0, 1.0, depths);
    for (std::size_t k = 0; k < got.size(); ++k) check(got[k], ref[k], "mlp relu sw2 " + std::to_string(sw2));
    // NNGP_L(x,x) = (sw2/2)^L sw2 through the log scale
    const double log_true = static_cast<double>(deep) * std::log(sw2 / 2) + std::log(sw2);
    const double log_got = std::log(got.back().nngp_ii) + got.back().nngp_exponent * std::numbers::ln2;
    BOOST_TEST(std::fabs(log_got - log_true) <= 1e-12 * std::max(1.0, std::fabs(log_true)));
  }
  // L² (1 − ρ) at 10^7 is 9π²/2 to 1e-5
  const double l2gap = 1e14 * ref.back().nngp_gap;
  BOOST_TEST(std::fabs(l2gap / (4.5 * std::numbers::pi * std::numbers::pi) - 1.0) < 1e-5);
}

BOOST_AUTO_TEST_CASE(mlp_relu_bias_unequal_norms_to_1e7) {
  // sw2 = 2, sb2 > 0: Σ grows linearly, the gap decays like 1/L (4e-19 at 10^7) and the
  // unequal-norm part of each update stays far below an ulp of the gap yet adds up: the
  // difference of the two variances must stay exact, and no small term may be rounded away.
  // At 4e-19 the binary128 recursion itself is uncertain at ~1e-12, so the gaps come from
  // tools/mp_reference.py (45 digits, ~25 min for 10^7 layers); the rest from binary128 at 10^6.
  NetworkSpec s;
  s.sb2 = 0.5;
  const double k0 = 1.0000001;
  const auto got = sweep_pair(s, k0, 1.0, 1e-12, {1000000, deep});
  const double mp_gap[] = {4.0001840138279998915e-18, 3.9898388494840117339e-19};
  for (std::size_t k = 0; k < 2; ++k) {
    const double e = rel_err(got[k].nngp_gap, mp_gap[k]);
    BOOST_TEST(e <= required, "depth " << got[k].depth << ": " << got[k].nngp_gap << " vs " << mp_gap[k]);
    BOOST_TEST_MESSAGE("mlp relu sb2 0.5 near-duplicate at " << got[k].depth << ": relative error 1 - rho " << e);
  }
  const std::vector<std::int64_t> one{1000000};
  check(got[0], reference_pair(s, k0, 1.0, 1e-12, one)[0], "mlp relu sb2 0.5 near-duplicate");
}

BOOST_AUTO_TEST_CASE(resnet_relu_to_1e7) {
  // α = 1/sqrt(L): one pass of 10^7 blocks, each changing the kernels by 1e-7.
  NetworkSpec s;
  s.architecture = Architecture::resnet;
  s.sb2 = 0.5;
  const std::vector<std::int64_t> depths{deep};
  const auto ref = reference_pair(s, 1.3, 1.0, 1e-12, depths);
  const auto got = sweep_pair(s, 1.3, 1.0, 1e-12, depths);
  check(got[0], ref[0], "resnet relu sb2 0.5 near-duplicate");
}

BOOST_AUTO_TEST_CASE(shortcut_relu_to_2e6) {
  // the trunk is the mlp above; this checks 2·10^5 compensated head sums
  NetworkSpec s;
  s.architecture = Architecture::shortcut;
  s.readout_every = 10;
  s.sw2 = 4.0;
  const std::vector<std::int64_t> depths{2'000'000};
  const auto ref = reference_pair(s, 1.0, 1.0, 0.3, depths);
  const auto got = sweep_pair(s, 1.0, 1.0, 0.3, depths);
  check(got[0], ref[0], "shortcut relu h 10 sw2 4");
}
