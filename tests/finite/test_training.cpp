// Training finite networks by gradient descent (issue 12, item 5): the loss gradient equals
// finite differences for every tiny network; training lowers the loss; a wide network (width
// 1024) barely moves its NTK and predicts like its linearization (the NTK regime), a narrow one
// (width 8) visibly moves its NTK; a learning rate too large is stopped with the step named.

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "deepntk/finite/training.hpp"
#include "finite_test_support.hpp"

using namespace deepntk::finite;
using namespace deepntk::finite::testing;
using deepntk::kernels::Activation;
using deepntk::kernels::Architecture;

namespace {

constexpr std::int64_t dim = 3;

// Every raw scalar of `p` (weights, biases, heads), with the layer to re-transpose.
std::vector<std::pair<double*, DenseLayer*>> scalars(NetworkParameters& p) {
  std::vector<std::pair<double*, DenseLayer*>> out;
  for (DenseLayer& layer : p.layers) {
    for (double& w : layer.weights) out.emplace_back(&w, &layer);
    for (double& b : layer.biases) out.emplace_back(&b, nullptr);
  }
  for (ReadoutHead& head : p.heads) {
    for (double& v : head.weights) out.emplace_back(&v, nullptr);
    out.emplace_back(&head.bias, nullptr);
  }
  return out;
}

// y = sin(x_0) + x_1 / 2 of each column.
std::vector<double> targets(const std::vector<double>& x, std::int64_t count) {
  std::vector<double> y(static_cast<std::size_t>(count));
  for (std::int64_t p = 0; p < count; ++p) y[static_cast<std::size_t>(p)] = std::sin(x[p * dim]) + 0.5 * x[p * dim + 1];
  return y;
}

TrainingTrace train(const FiniteNetworkSpec& spec, std::int64_t depth, std::int64_t steps, double rate) {
  const auto x = random_inputs(dim, 12, 21), x_test = random_inputs(dim, 6, 22);
  TrainingOptions options;
  options.steps = steps;
  options.learning_rate = rate;
  options.record_steps = {0, steps / 4, steps / 2, steps};
  return train_network(spec, draw_parameters(spec, dim, depth, sample_key(5, 0)), x, targets(x, 12), x_test,
                       targets(x_test, 6), options);
}

double relative_difference(const std::vector<double>& a, const std::vector<double>& b) {
  double d = 0, n = 0;
  for (std::size_t i = 0; i < a.size(); ++i) d += (a[i] - b[i]) * (a[i] - b[i]), n += b[i] * b[i];
  return std::sqrt(d / n);
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_loss_gradient_is_the_finite_difference_gradient) {
  const std::int64_t points = 4;
  const auto x = random_inputs(dim, points, 31);
  const std::vector<double> weights{0.3, -1.1, 0.7, 0.25};
  for (const FiniteNetworkSpec& spec : every_tiny_network()) {
    BOOST_TEST_CONTEXT(describe(spec)) {
      NetworkParameters p = draw_parameters(spec, dim, 4, sample_key(8, 2));
      const NetworkParameters g = weighted_output_gradient(spec, p, x, points, weights);
      NetworkParameters probe = p;
      const auto objective = [&] {
        const NetworkPass pass(spec, probe, x, points);
        double sum = 0;
        for (std::int64_t q = 0; q < points; ++q) sum += weights[static_cast<std::size_t>(q)] * pass.outputs()[static_cast<std::size_t>(q)];
        return sum;
      };
      NetworkParameters g_copy = g;
      const auto analytic = scalars(g_copy);
      const auto raw = scalars(probe);
      double scale = 0;
      for (const auto& a : analytic) scale = std::max(scale, std::abs(*a.first));
      for (std::size_t i = 0; i < raw.size(); ++i) {
        const double original = *raw[i].first, step = 1e-6;
        *raw[i].first = original + step;
        if (raw[i].second) refresh_transposed(*raw[i].second);
        const double plus = objective();
        *raw[i].first = original - step;
        if (raw[i].second) refresh_transposed(*raw[i].second);
        const double minus = objective();
        *raw[i].first = original;
        if (raw[i].second) refresh_transposed(*raw[i].second);
        BOOST_TEST(std::abs((plus - minus) / (2 * step) - *analytic[i].first) <= 1e-6 * scale, "parameter " << i);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(training_lowers_the_loss_in_both_parameterizations) {
  for (const auto parameterization : {Parameterization::ntk, Parameterization::standard}) {
    const auto spec = make_spec(Architecture::shortcut, Activation::erf, 0.1, 16, 1, parameterization);
    const double rate = parameterization == Parameterization::ntk ? 0.5 : 0.5 / 16;
    const auto trace = train(spec, 3, 200, rate);
    BOOST_TEST(trace.train_loss.size() == 4u);
    BOOST_TEST(trace.train_loss.back() < 0.5 * trace.train_loss.front());
    BOOST_TEST(trace.kernel_change.front() == 0.0);
  }
}

BOOST_AUTO_TEST_CASE(a_wide_network_trains_in_the_ntk_regime_and_a_narrow_one_does_not) {
  // One hidden layer: the relative kernel change falls like 1/sqrt(width) times the depth.
  const auto wide = train(make_spec(Architecture::mlp, Activation::relu, 0.0, 1024, 1), 1, 100, 0.5);
  const auto narrow = train(make_spec(Architecture::mlp, Activation::relu, 0.0, 8, 1), 1, 100, 0.5);
  BOOST_TEST_MESSAGE("kernel change: width 1024 " << wide.kernel_change.back() << ", width 8 "
                                                  << narrow.kernel_change.back());
  BOOST_TEST(wide.train_loss.back() < 0.5 * wide.train_loss.front());
  BOOST_TEST(wide.kernel_change.back() < 1e-2);
  BOOST_TEST(narrow.kernel_change.back() > 5e-2);
  // The trained wide network predicts the test points like its linearization.
  const double gap = relative_difference(wide.test_predictions, wide.linear_test_predictions);
  BOOST_TEST_MESSAGE("wide network vs linearization on the test points: " << gap);
  BOOST_TEST(gap < 5e-2);
  BOOST_TEST(std::abs(wide.train_loss.back() - wide.linear_train_loss.back()) < 0.1 * wide.train_loss.front());
}

BOOST_AUTO_TEST_CASE(a_learning_rate_too_large_stops_with_the_step_named) {
  try {
    static_cast<void>(train(make_spec(Architecture::mlp, Activation::relu, 0.0, 16, 1), 3, 100, 50.0));
    BOOST_FAIL("no divergence detected");
  } catch (const TrainingDiverged& e) {
    const std::string what = e.what();
    BOOST_TEST(what.find("diverged at step") != std::string::npos, what);
    BOOST_TEST(what.find("smaller training.learning_rate") != std::string::npos, what);
  }
  BOOST_CHECK_THROW(static_cast<void>(train(make_spec(Architecture::mlp, Activation::relu, 0.0, 16, 1), 3, 10, 0.0)),
                    std::invalid_argument);
}
