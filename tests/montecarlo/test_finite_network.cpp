// The finite networks themselves: their explicit backward passes against central finite
// differences over every single parameter, and the NTK assembled from per-block inner
// products against the plain inner product of those gradient vectors. Without this, a wrong
// backward pass could hide (or fake) a disagreement with the analytic kernels.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <utility>
#include <vector>

#include "finite_network.hpp"
#include "montecarlo_support.hpp"

namespace mc = deepntk::montecarlo;
using deepntk::kernels::Activation;

namespace {

std::size_t sz(std::int64_t v) { return static_cast<std::size_t>(v); }

/// d outputs / d θ_p for every parameter entry, by central differences: grads[p][o].
template <class Params>
std::vector<std::vector<double>> finite_difference_gradients(
    Params& params, const std::vector<std::vector<double>*>& blocks,
    const std::function<std::vector<double>(const Params&)>& outputs) {
  const double eps = 1e-6;
  std::vector<std::vector<double>> grads;
  for (auto* block : blocks) {
    for (auto& theta : *block) {
      const double saved = theta;
      theta = saved + eps;
      const auto plus = outputs(params);
      theta = saved - eps;
      const auto minus = outputs(params);
      theta = saved;
      std::vector<double> g(plus.size());
      for (std::size_t o = 0; o < g.size(); ++o) g[o] = (plus[o] - minus[o]) / (2 * eps);
      grads.push_back(std::move(g));
    }
  }
  return grads;
}

/// Σ_p dF(x_i)/dθ_p dF(x_j)/dθ_p for F = Σ_k gamma_k output_k, over parameters [p0, p1).
std::vector<double> gradient_gram(const std::vector<std::vector<double>>& grads, const std::vector<double>& gamma,
                                  std::int64_t P, std::size_t p0, std::size_t p1) {
  std::vector<double> k(sz(P * P), 0.0);
  for (std::size_t p = p0; p < p1; ++p) {
    std::vector<double> dF(sz(P), 0.0);
    for (std::size_t h = 0; h < gamma.size(); ++h)
      for (std::int64_t i = 0; i < P; ++i) dF[sz(i)] += gamma[h] * grads[p][sz(i) + h * sz(P)];
    for (std::int64_t j = 0; j < P; ++j)
      for (std::int64_t i = 0; i < P; ++i) k[sz(i + j * P)] += dF[sz(i)] * dF[sz(j)];
  }
  return k;
}

void check_close(const std::vector<double>& got, const std::vector<double>& want, double rel, const char* what) {
  double scale = 0.0;
  for (double w : want) scale = std::max(scale, std::abs(w));
  for (std::size_t e = 0; e < want.size(); ++e) {
    BOOST_TEST_INFO(what << " entry " << e << ": " << got[e] << " vs " << want[e]);
    BOOST_TEST(std::abs(got[e] - want[e]) <= rel * scale);
  }
}

std::size_t count(const std::vector<std::vector<double>*>& blocks) {
  std::size_t c = 0;
  for (auto* b : blocks) c += b->size();
  return c;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(montecarlo)

namespace {

// Parameter blocks in a fixed order: trunk (weights, then biases) first, read-outs (v, then c)
// last; `all` is both, in that order.
struct ParameterBlocks {
  std::vector<std::vector<double>*> trunk, readout, all;
};
ParameterBlocks parameter_blocks(mc::NetworkParams& params) {
  ParameterBlocks blocks;
  for (auto& w : params.w) blocks.trunk.push_back(&w);
  for (auto& b : params.b) blocks.trunk.push_back(&b);
  for (auto& v : params.v) blocks.readout.push_back(&v);
  blocks.readout.push_back(&params.c);
  blocks.all = blocks.trunk;
  blocks.all.insert(blocks.all.end(), blocks.readout.begin(), blocks.readout.end());
  return blocks;
}

}  // namespace

BOOST_AUTO_TEST_CASE(mlp_trunk_backward_pass_matches_finite_differences) {
  const mc::Points pts = mc::make_points();
  // Two nets on one weight draw, differing in everything that can differ.
  const std::vector<mc::NetConfig> nets = {{Activation::relu, 1.7, 0.3}, {Activation::erf, 1.2, 0.45}};
  mc::Xoshiro256pp engine(12345);
  mc::NetworkParams params;
  mc::sample_params(6, pts.dim, 3, engine, params);
  const ParameterBlocks blocks = parameter_blocks(params);
  const auto& trunk = blocks.trunk;
  const auto& all = blocks.all;
  const mc::MlpPass pass(params, pts.x, pts.count, nets);
  const std::int64_t P = pts.count, M = static_cast<std::int64_t>(nets.size());
  for (std::int64_t m = 0; m < M; ++m) {
    // Outputs of net m: head k at input i is entry i + P k.
    const auto grads = finite_difference_gradients<mc::NetworkParams>(params, all, [&](const mc::NetworkParams& p) {
      const mc::MlpPass perturbed(p, pts.x, pts.count, nets);
      const std::vector<double>& o = perturbed.outputs();
      std::vector<double> mine(sz(P * 3));
      for (std::int64_t k = 0; k < 3; ++k)
        for (std::int64_t i = 0; i < P; ++i) mine[sz(i + P * k)] = o[sz(i + P * (m + M * k))];
      return mine;
    });
    // Single heads (mlp at depths 1-3) and the combinations the shortcut architecture uses.
    const double r2 = 1.0 / std::sqrt(2.0), r3 = 1.0 / std::sqrt(3.0);
    for (const std::vector<double>& gamma : std::vector<std::vector<double>>{
             {1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {r2, r2, 0}, {r3, r3, r3}, {0.3, -1.1, 0.7}}) {
      const mc::KernelSample ks = pass.kernels(sz(m), gamma);
      check_close(ks.ntk, gradient_gram(grads, gamma, P, 0, grads.size()), 1e-6, "mlp NTK");
      // The read-out part of the NTK is the NNGP given the trunk.
      check_close(ks.nngp, gradient_gram(grads, gamma, P, count(trunk), grads.size()), 1e-6, "mlp NNGP");
      std::vector<double> naive(sz(P * P));
      for (std::int64_t j = 0; j < P; ++j)
        for (std::int64_t i = 0; i < P; ++i) {
          double fi = 0, fj = 0;
          for (std::int64_t k = 0; k < 3; ++k) {
            fi += gamma[sz(k)] * pass.outputs()[sz(i + P * (m + M * k))];
            fj += gamma[sz(k)] * pass.outputs()[sz(j + P * (m + M * k))];
          }
          naive[sz(i + j * P)] = fi * fj;
        }
      check_close(ks.nngp_naive, naive, 1e-14, "mlp F F'");
    }
  }
}

BOOST_AUTO_TEST_CASE(resnet_backward_pass_matches_finite_differences) {
  const mc::Points pts = mc::make_points();
  mc::Xoshiro256pp engine(54321);
  mc::NetworkParams params;
  mc::sample_params(6, pts.dim, 3, engine, params);
  const ParameterBlocks blocks = parameter_blocks(params);
  const auto& trunk = blocks.trunk;
  const auto& all = blocks.all;
  // Nets of different depths, α, activations and head sets (unsorted on purpose) on one draw.
  const std::vector<mc::ResnetNet> nets = {{{Activation::relu, 1.7, 0.3}, 0.7, 2, {2}},
                                           {{Activation::erf, 1.2, 0.45}, 0.5, 3, {3, 1, 2}},
                                           {{Activation::relu, 2.0, 0.0}, 1.3, 3, {1, 3}}};
  std::vector<std::vector<double>> outputs;
  const auto ks = mc::resnet_kernels(params, pts.x, pts.count, nets, &outputs);
  const std::int64_t P = pts.count;
  for (std::size_t m = 0; m < nets.size(); ++m) {
    const auto grads = finite_difference_gradients<mc::NetworkParams>(params, all, [&](const mc::NetworkParams& p) {
      std::vector<std::vector<double>> out;
      (void)mc::resnet_kernels(p, pts.x, pts.count, nets, &out);
      return out[m];
    });
    for (std::size_t h = 0; h < nets[m].heads.size(); ++h) {
      std::vector<double> gamma(nets[m].heads.size(), 0.0);
      gamma[h] = 1.0;
      check_close(ks[m][h].ntk, gradient_gram(grads, gamma, P, 0, grads.size()), 1e-6, "resnet NTK");
      check_close(ks[m][h].nngp, gradient_gram(grads, gamma, P, count(trunk), grads.size()), 1e-6, "resnet NNGP");
      for (std::int64_t j = 0; j < P; ++j)
        for (std::int64_t i = 0; i < P; ++i)
          BOOST_TEST(ks[m][h].nngp_naive[sz(i + j * P)] == outputs[m][sz(i) + h * sz(P)] * outputs[m][sz(j) + h * sz(P)]);
    }
  }
}

BOOST_AUTO_TEST_CASE(weights_are_standard_normal) {
  // The first layer sums only d = 8 terms, so its pre-activations are Gaussian only if the
  // weights are: moments, a central tail and the far tail beyond the ziggurat's base layer
  // (r = 3.654, drawn by the separate tail algorithm), on 2^22 draws, each within 5 SE.
  mc::Xoshiro256pp engine(2024);
  std::vector<double> v(std::size_t{1} << 22);
  mc::fill_standard_normal(engine, v);
  double m1 = 0, m2 = 0, m3 = 0, m4 = 0, mid = 0, far = 0;
  for (double x : v) {
    m1 += x;
    m2 += x * x;
    m3 += x * x * x;
    m4 += x * x * x * x;
    mid += std::abs(x) > 1.0 ? 1.0 : 0.0;
    far += std::abs(x) > 3.6541528853610088 ? 1.0 : 0.0;
  }
  const double n = static_cast<double>(v.size());
  const double p_mid = std::erfc(1.0 / std::sqrt(2.0)), p_far = std::erfc(3.6541528853610088 / std::sqrt(2.0));
  // Standard errors from Var x = 1, Var x² = 2, Var x³ = 15, Var x⁴ = 96, binomial tails.
  BOOST_TEST(std::abs(m1 / n) < 5 * std::sqrt(1 / n));
  BOOST_TEST(std::abs(m2 / n - 1) < 5 * std::sqrt(2 / n));
  BOOST_TEST(std::abs(m3 / n) < 5 * std::sqrt(15 / n));
  BOOST_TEST(std::abs(m4 / n - 3) < 5 * std::sqrt(96 / n));
  BOOST_TEST(std::abs(mid / n - p_mid) < 5 * std::sqrt(p_mid * (1 - p_mid) / n));
  BOOST_TEST(std::abs(far / n - p_far) < 5 * std::sqrt(p_far / n));
}

BOOST_AUTO_TEST_SUITE_END()
