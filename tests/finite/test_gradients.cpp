// The empirical kernels of tiny networks against finite differences (issue 12): for every
// architecture, activation, with and without biases, in both parameterizations, the NTK that
// GradientGram accumulates group by group equals the Gram matrix of central finite-difference
// gradients of the output over every parameter (1e-6 relative), and the feature kernel equals
// that Gram restricted to the read-out heads. Plus: a point's values do not depend on its batch.

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

#include "finite_test_support.hpp"

using namespace deepntk::finite;
using namespace deepntk::finite::testing;
using deepntk::kernels::Activation;
using deepntk::kernels::Architecture;

namespace {

constexpr std::int64_t points = 5, width = 3, dim = 3, depth = 4;

// One scalar parameter: where it lives, the layer to re-transpose after changing it, the
// square of the factor the standard parameterization scales it by, and whether it is a head's.
struct Parameter {
  double* value;
  DenseLayer* layer;
  double scale_squared;
  bool head;
};

std::vector<Parameter> every_parameter(const FiniteNetworkSpec& spec, NetworkParameters& p) {
  std::vector<Parameter> out;
  const double sw2 = spec.network.sw2, sb2 = spec.network.sb2;
  for (DenseLayer& layer : p.layers) {
    for (double& w : layer.weights) out.push_back({&w, &layer, sw2 / static_cast<double>(layer.cols), false});
    for (double& b : layer.biases) out.push_back({&b, nullptr, sb2, false});
  }
  for (ReadoutHead& head : p.heads) {
    for (double& v : head.weights) out.push_back({&v, nullptr, sw2 / static_cast<double>(p.width), true});
    if (spec.has_biases()) out.push_back({&head.bias, nullptr, sb2, true});
  }
  return out;
}

std::vector<double> outputs(const FiniteNetworkSpec& spec, const NetworkParameters& p, const std::vector<double>& x) {
  const NetworkPass pass(spec, p, x, points);
  return {pass.outputs().begin(), pass.outputs().end()};
}

struct FiniteDifferenceKernels {
  std::vector<double> ntk, feature;
};

FiniteDifferenceKernels finite_difference_kernels(const FiniteNetworkSpec& spec, NetworkParameters p,
                                                  const std::vector<double>& x) {
  FiniteDifferenceKernels out{std::vector<double>(points * points, 0.0), std::vector<double>(points * points, 0.0)};
  const double step = 1e-5;
  for (const Parameter& theta : every_parameter(spec, p)) {
    const double original = *theta.value;
    const auto at = [&](double value) {
      *theta.value = value;
      if (theta.layer != nullptr) refresh_transposed(*theta.layer);
      return outputs(spec, p, x);
    };
    const auto plus = at(original + step), minus = at(original - step);
    at(original);
    // The standard parameterization differentiates with respect to scale * raw parameter.
    const double weight = spec.parameterization == Parameterization::standard ? 1.0 / theta.scale_squared : 1.0;
    for (std::int64_t q = 0; q < points; ++q)
      for (std::int64_t r = 0; r < points; ++r) {
        const double gq = (plus[q] - minus[q]) / (2 * step), gr = (plus[r] - minus[r]) / (2 * step);
        out.ntk[q + r * points] += weight * gq * gr;
        // The feature kernel differentiates the raw head parameters in both parameterizations.
        if (theta.head) out.feature[q + r * points] += gq * gr;
      }
  }
  return out;
}

double largest_magnitude(const std::vector<double>& v) {
  double m = 0;
  for (const double x : v) m = std::max(m, std::abs(x));
  return m;
}

}  // namespace

BOOST_AUTO_TEST_CASE(ntk_and_feature_kernel_equal_finite_difference_gradient_grams) {
  const auto x = random_inputs(dim, points, 1);
  std::uint64_t sample = 0;
  for (const FiniteNetworkSpec& spec : every_tiny_network()) {
    BOOST_TEST_CONTEXT(describe(spec)) {
      const NetworkParameters p = draw_parameters(spec, dim, depth, sample_key(17, sample++));
      const BatchKernels k = batch_kernels(spec, p, x, points);
      const FiniteDifferenceKernels fd = finite_difference_kernels(spec, p, x);
      const double ntk_scale = largest_magnitude(fd.ntk), feature_scale = largest_magnitude(fd.feature);
      BOOST_TEST(ntk_scale > 0);
      for (std::int64_t i = 0; i < points * points; ++i) {
        BOOST_TEST(std::abs(k.ntk[i] - fd.ntk[i]) <= 1e-6 * ntk_scale, "ntk entry " << i << ": " << k.ntk[i] << " vs " << fd.ntk[i]);
        BOOST_TEST(std::abs(k.feature[i] - fd.feature[i]) <= 1e-6 * feature_scale,
                   "feature entry " << i << ": " << k.feature[i] << " vs " << fd.feature[i]);
      }
      for (std::int64_t q = 0; q < points; ++q) {
        // The per-point diagonal is a separate fixed-order sum: equal to the tile's to rounding.
        BOOST_TEST(std::abs(k.diagonal.ntk[q] - k.ntk[q + q * points]) <= 1e-13 * ntk_scale);
        BOOST_TEST(std::abs(k.diagonal.feature[q] - k.feature[q + q * points]) <= 1e-13 * std::max(feature_scale, 1e-300));
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(the_feature_kernel_does_not_depend_on_the_parameterization) {
  const auto x = random_inputs(dim, points, 3);
  for (const FiniteNetworkSpec& spec : every_tiny_network()) {
    if (spec.parameterization != Parameterization::ntk) continue;
    BOOST_TEST_CONTEXT(describe(spec)) {
      FiniteNetworkSpec standard = spec;
      standard.parameterization = Parameterization::standard;
      const NetworkParameters p = draw_parameters(spec, dim, depth, sample_key(4, 4));
      BOOST_TEST(batch_kernels(spec, p, x, points).feature == batch_kernels(standard, p, x, points).feature);
      BOOST_TEST(batch_kernels(spec, p, x, points).diagonal.feature == batch_kernels(standard, p, x, points).diagonal.feature);
    }
  }
}

BOOST_AUTO_TEST_CASE(a_point_gets_the_same_bits_in_any_batch) {
  const auto x = random_inputs(dim, points, 2);
  for (const FiniteNetworkSpec& spec : every_tiny_network()) {
    BOOST_TEST_CONTEXT(describe(spec)) {
      const NetworkParameters p = draw_parameters(spec, dim, depth, sample_key(3, 0));
      const BatchKernels all = batch_kernels(spec, p, x, points);
      const auto all_outputs = outputs(spec, p, x);
      for (std::int64_t q = 0; q < points; ++q) {
        const std::vector<double> alone_x(x.begin() + q * dim, x.begin() + (q + 1) * dim);
        const BatchKernels alone = batch_kernels(spec, p, alone_x, 1);
        const NetworkPass pass(spec, p, alone_x, 1);
        BOOST_TEST(pass.outputs()[0] == all_outputs[q]);
        BOOST_TEST(alone.diagonal.ntk[0] == all.diagonal.ntk[q]);
        BOOST_TEST(alone.diagonal.feature[0] == all.diagonal.feature[q]);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(deeper_networks_share_the_shallower_ones_tensors) {
  const FiniteNetworkSpec spec = make_spec(Architecture::shortcut, Activation::relu, 0.3, width, 2);
  const NetworkParameters shallow = draw_parameters(spec, dim, 4, sample_key(9, 1));
  const NetworkParameters deep = draw_parameters(spec, dim, 9, sample_key(9, 1));
  BOOST_TEST(shallow.layers.size() == 4u);
  BOOST_TEST(deep.layers.size() == 8u);  // 4 heads at 2, 4, 6, 8; layer 9 does not reach the output
  for (std::size_t l = 0; l < shallow.layers.size(); ++l) {
    BOOST_TEST(shallow.layers[l].weights == deep.layers[l].weights);
    BOOST_TEST(shallow.layers[l].biases == deep.layers[l].biases);
  }
  BOOST_TEST(shallow.heads[1].weights == deep.heads[1].weights);
  BOOST_TEST(parameter_count(spec, dim, 4) == 3 * 4 + 3 * 4 * 3 + 2 * 4);  // W_0 + b_0, three m x m + b, two heads
}

BOOST_AUTO_TEST_CASE(bad_specs_are_refused_with_the_field_named) {
  FiniteNetworkSpec spec = make_spec(Architecture::mlp, Activation::relu, 0.0, 0);
  try {
    spec.validate();
    BOOST_FAIL("width 0 accepted");
  } catch (const std::invalid_argument& e) {
    BOOST_TEST(std::string(e.what()).find("network.width = 0") != std::string::npos, e.what());
  }
  spec = make_spec(Architecture::shortcut, Activation::relu, 0.0, 4, 5);
  BOOST_CHECK_THROW(static_cast<void>(draw_parameters(spec, dim, 4, sample_key(1, 1))), std::invalid_argument);
}
