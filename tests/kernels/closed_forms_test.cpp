// Depth 1 and 2 of every architecture and activation against the formulas of docs/kernels.md §Definitions written out
// here independently (plain double arithmetic, textbook duals), for random pairs. At these
// depths nothing is near the cancellation regime, so ~1e-13 agreement is expected.

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <numbers>
#include <random>

#include "test_support.hpp"

using namespace deepntk::kernels;
using namespace deepntk::kernels::testing;

namespace {

constexpr double pi = std::numbers::pi;

// A symmetric 2x2 kernel (ii, jj, ij).
struct K3 {
  double ii, jj, ij;
};

// A(q1,q2,c) and Ad(q1,q2,c), docs/kernels.md §Dual activations.
void dual(Activation act, double q1, double q2, double c, double& a, double& ad) {
  if (act == Activation::relu) {
    const double th = std::acos(std::clamp(c / std::sqrt(q1 * q2), -1.0, 1.0));
    a = std::sqrt(q1 * q2) * (std::sin(th) + (pi - th) * std::cos(th)) / (2 * pi);
    ad = (pi - th) / (2 * pi);
  } else {
    const double d = (1 + 2 * q1) * (1 + 2 * q2);
    a = 2 / pi * std::asin(2 * c / std::sqrt(d));
    ad = 4 / pi / std::sqrt(d - 4 * c * c);
  }
}

struct Step {
  K3 a, ad;
};
Step dual3(Activation act, const K3& s) {
  Step r;
  dual(act, s.ii, s.ii, s.ii, r.a.ii, r.ad.ii);
  dual(act, s.jj, s.jj, s.jj, r.a.jj, r.ad.jj);
  dual(act, s.ii, s.jj, s.ij, r.a.ij, r.ad.ij);
  return r;
}

struct Kernels {
  K3 nngp, ntk;
};

// mlp depth L: Σ_1 = sw2 K0 + sb2, Θ_1 = Σ_1, L−1 layer maps, then the read-out map.
Kernels mlp(const NetworkSpec& s, const K3& k0, int depth) {
  K3 sig{s.sw2 * k0.ii + s.sb2, s.sw2 * k0.jj + s.sb2, s.sw2 * k0.ij + s.sb2};
  K3 th = sig;
  for (int l = 1; l <= depth; ++l) {  // l == depth is the read-out step
    const Step d = dual3(s.activation, sig);
    const K3 ns{s.sw2 * d.a.ii + s.sb2, s.sw2 * d.a.jj + s.sb2, s.sw2 * d.a.ij + s.sb2};
    th = {ns.ii + s.sw2 * d.ad.ii * th.ii, ns.jj + s.sw2 * d.ad.jj * th.jj, ns.ij + s.sw2 * d.ad.ij * th.ij};
    sig = ns;
  }
  return {sig, th};
}

Kernels resnet(const NetworkSpec& s, const K3& k0, int depth) {
  const double a2 = s.residual.alpha_squared(depth);
  K3 sig{s.sw2 * k0.ii + s.sb2, s.sw2 * k0.jj + s.sb2, s.sw2 * k0.ij + s.sb2};
  K3 th = sig;
  for (int l = 1; l <= depth; ++l) {
    const Step d = dual3(s.activation, sig);
    const K3 b{s.sw2 * d.a.ii + s.sb2, s.sw2 * d.a.jj + s.sb2, s.sw2 * d.a.ij + s.sb2};
    th = {th.ii * (1 + a2 * s.sw2 * d.ad.ii) + a2 * b.ii, th.jj * (1 + a2 * s.sw2 * d.ad.jj) + a2 * b.jj,
          th.ij * (1 + a2 * s.sw2 * d.ad.ij) + a2 * b.ij};
    sig = {sig.ii + a2 * b.ii, sig.jj + a2 * b.jj, sig.ij + a2 * b.ij};
  }
  const K3 nngp{s.sw2 * sig.ii + s.sb2, s.sw2 * sig.jj + s.sb2, s.sw2 * sig.ij + s.sb2};
  return {nngp, {nngp.ii + s.sw2 * th.ii, nngp.jj + s.sw2 * th.jj, nngp.ij + s.sw2 * th.ij}};
}

// shortcut depth L: mean over heads k = 1..floor(L/h) of the mlp kernels at depth k h.
Kernels shortcut(const NetworkSpec& s, const K3& k0, int depth) {
  const int h = static_cast<int>(s.readout_every), heads = depth / h;
  Kernels sum{{0, 0, 0}, {0, 0, 0}};
  for (int k = 1; k <= heads; ++k) {
    const Kernels m = mlp(s, k0, k * h);
    sum.nngp = {sum.nngp.ii + m.nngp.ii, sum.nngp.jj + m.nngp.jj, sum.nngp.ij + m.nngp.ij};
    sum.ntk = {sum.ntk.ii + m.ntk.ii, sum.ntk.jj + m.ntk.jj, sum.ntk.ij + m.ntk.ij};
  }
  const double inv = 1.0 / heads;
  return {{sum.nngp.ii * inv, sum.nngp.jj * inv, sum.nngp.ij * inv}, {sum.ntk.ii * inv, sum.ntk.jj * inv, sum.ntk.ij * inv}};
}

Kernels closed_form(const NetworkSpec& s, const K3& k0, int depth) {
  switch (s.architecture) {
    case Architecture::mlp: return mlp(s, k0, depth);
    case Architecture::resnet: return resnet(s, k0, depth);
    case Architecture::shortcut: return shortcut(s, k0, depth);
  }
  return {};
}

double value(double stored, int exponent) { return std::ldexp(stored, exponent); }

}  // namespace

BOOST_AUTO_TEST_CASE(depths_one_and_two_match_the_spec_formulas) {
  std::mt19937_64 rng(20251122);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  int checked = 0;
  double worst = 0.0;
  for (auto arch : {Architecture::mlp, Architecture::resnet, Architecture::shortcut}) {
    for (auto act : {Activation::relu, Activation::erf}) {
      for (int trial = 0; trial < 12; ++trial) {
        NetworkSpec s;
        s.architecture = arch;
        s.activation = act;
        s.sw2 = 0.5 + 3.5 * u(rng);
        s.sb2 = trial % 3 == 0 ? 0.0 : u(rng);
        s.readout_every = 1;
        if (trial % 4 == 1) s.residual = {ResidualScale::Rule::constant, 0.2 + u(rng)};
        const double ki = 0.2 + 2 * u(rng), kj = trial % 2 ? ki : 0.2 + 2 * u(rng);
        const double gap0 = 2 * u(rng);
        const K3 k0{ki, kj, (1 - gap0) * std::sqrt(ki * kj)};
        const auto got = sweep_pair(s, ki, kj, gap0, {1, 2});
        BOOST_REQUIRE(got.size() == 2u);
        for (const auto& g : got) {
          const Kernels want = closed_form(s, k0, static_cast<int>(g.depth));
          const double errs[] = {
              rel_err(value(g.nngp, g.nngp_exponent), want.nngp.ij, 1e-3 * std::sqrt(want.nngp.ii * want.nngp.jj)),
              rel_err(value(g.ntk, g.ntk_exponent), want.ntk.ij, 1e-3 * std::sqrt(want.ntk.ii * want.ntk.jj)),
              rel_err(value(g.nngp_ii, g.nngp_exponent), want.nngp.ii),
              rel_err(value(g.nngp_jj, g.nngp_exponent), want.nngp.jj),
              rel_err(value(g.ntk_ii, g.ntk_exponent), want.ntk.ii),
              rel_err(value(g.ntk_jj, g.ntk_exponent), want.ntk.jj),
              rel_err(g.nngp_gap, 1 - want.nngp.ij / std::sqrt(want.nngp.ii * want.nngp.jj), 1e-6),
          };
          for (double e : errs) {
            BOOST_TEST(e < 1e-12, "arch " << to_string(arch) << " act " << to_string(act) << " sw2 " << s.sw2
                                          << " sb2 " << s.sb2 << " gap0 " << gap0 << " depth " << g.depth << ": " << e);
            worst = std::max(worst, e);
          }
          ++checked;
        }
      }
    }
  }
  BOOST_TEST(checked == 3 * 2 * 12 * 2);
  BOOST_TEST_MESSAGE("closed forms: worst relative error " << worst);
}

BOOST_AUTO_TEST_CASE(shortcut_heads_average_mlp_kernels) {
  // h = 3, depth 7: heads at mlp depths 3 and 6 only (layer 7 adds no head).
  NetworkSpec s;
  s.architecture = Architecture::shortcut;
  s.readout_every = 3;
  s.sb2 = 0.2;
  const double ki = 0.8, kj = 1.3, gap0 = 0.7;
  const K3 k0{ki, kj, (1 - gap0) * std::sqrt(ki * kj)};
  const auto got = sweep_pair(s, ki, kj, gap0, {3, 7, 8});
  const Kernels want7 = shortcut(s, k0, 7);
  const Kernels want6 = shortcut(s, k0, 6);
  BOOST_TEST(rel_err(value(got[1].nngp, got[1].nngp_exponent), want7.nngp.ij) < 1e-13);
  BOOST_TEST(rel_err(value(got[1].ntk, got[1].ntk_exponent), want6.ntk.ij) < 1e-13);  // same heads
  BOOST_TEST(got[1].nngp == got[2].nngp);  // depth 8 adds no head either
  s.readout_every = 9;
  BOOST_CHECK_THROW((void)sweep_pair(s, ki, kj, gap0, {3, 9}), std::invalid_argument);
}
