#include "deepntk/finite/training.hpp"

#include <cmath>

#include <fmt/format.h>

#include "deepntk/finite/gradient_gram.hpp"
#include "deepntk/finite/network_pass.hpp"

namespace deepntk::finite {

namespace {

// The gradient of Σ_p w_p F(x_p), accumulated group by group in point order.
class WeightedGradient final : public GradientVisitor {
 public:
  WeightedGradient(const FiniteNetworkSpec& spec, const NetworkParameters& shape, std::span<const double> weights)
      : bias_scale_(std::sqrt(spec.network.sb2)), weights_(weights), gradient_(shape) {
    for (DenseLayer& layer : gradient_.layers) {
      std::fill(layer.weights.begin(), layer.weights.end(), 0.0);
      std::fill(layer.biases.begin(), layer.biases.end(), 0.0);
      layer.weights_transposed.clear();
    }
    for (ReadoutHead& head : gradient_.heads) {
      std::fill(head.weights.begin(), head.weights.end(), 0.0);
      head.bias = 0.0;
    }
  }

  void weight_group(const ParameterGroup& group, const double* delta, std::int64_t delta_rows, const double* input,
                    std::int64_t input_rows, double, double) override {
    DenseLayer& layer = gradient_.layers[static_cast<std::size_t>(group.index)];
    for (std::size_t p = 0; p < weights_.size(); ++p) {
      const double w = weights_[p] * group.chain;
      const double* d = delta + static_cast<std::int64_t>(p) * delta_rows;
      const double* a = input + static_cast<std::int64_t>(p) * input_rows;
      for (std::int64_t j = 0; j < input_rows; ++j)
        for (std::int64_t i = 0; i < delta_rows; ++i) layer.weights[static_cast<std::size_t>(i + j * delta_rows)] += w * d[i] * a[j];
      for (std::size_t i = 0; i < layer.biases.size(); ++i) layer.biases[i] += w * bias_scale_ * d[i];
    }
  }

  void head_group(const ParameterGroup& group, const double* features, std::int64_t rows, double, double) override {
    ReadoutHead& head = gradient_.heads[static_cast<std::size_t>(group.index)];
    for (std::size_t p = 0; p < weights_.size(); ++p) {
      const double w = weights_[p] * group.chain;
      const double* a = features + static_cast<std::int64_t>(p) * rows;
      for (std::int64_t i = 0; i < rows; ++i) head.weights[static_cast<std::size_t>(i)] += w * a[i];
      head.bias += w * bias_scale_;
    }
  }

  NetworkParameters take() { return std::move(gradient_); }

 private:
  double bias_scale_;
  std::span<const double> weights_;
  NetworkParameters gradient_;
};

// θ ← θ − η M g in raw coordinates; the transposed weights follow.
void descend(const FiniteNetworkSpec& spec, NetworkParameters& p, const NetworkParameters& g, double rate) {
  const bool standard = spec.parameterization == Parameterization::standard;
  const double bias_metric = standard && spec.has_biases() ? 1.0 / spec.network.sb2 : 1.0;
  for (std::size_t l = 0; l < p.layers.size(); ++l) {
    DenseLayer& layer = p.layers[l];
    const double weight_metric = standard ? static_cast<double>(layer.cols) / spec.network.sw2 : 1.0;
    for (std::size_t i = 0; i < layer.weights.size(); ++i) layer.weights[i] -= rate * weight_metric * g.layers[l].weights[i];
    for (std::size_t i = 0; i < layer.biases.size(); ++i) layer.biases[i] -= rate * bias_metric * g.layers[l].biases[i];
    refresh_transposed(layer);
  }
  const double head_metric = standard ? static_cast<double>(p.width) / spec.network.sw2 : 1.0;
  for (std::size_t h = 0; h < p.heads.size(); ++h) {
    for (std::size_t i = 0; i < p.heads[h].weights.size(); ++i) p.heads[h].weights[i] -= rate * head_metric * g.heads[h].weights[i];
    if (spec.has_biases()) p.heads[h].bias -= rate * bias_metric * g.heads[h].bias;
  }
}

double squared_loss(std::span<const double> f, std::span<const double> y) {
  double sum = 0.0;
  for (std::size_t i = 0; i < f.size(); ++i) sum += (f[i] - y[i]) * (f[i] - y[i]);
  return f.empty() ? 0.0 : sum / (2.0 * static_cast<double>(f.size()));
}

// The NTK of the network between the rows' and the columns' points (full, column-major).
std::vector<double> ntk_between(const FiniteNetworkSpec& spec, const NetworkParameters& p, std::span<const double> rows_x,
                                std::int64_t rows, std::span<const double> cols_x, std::int64_t cols) {
  std::vector<double> batch(rows_x.begin(), rows_x.end());
  batch.insert(batch.end(), cols_x.begin(), cols_x.end());
  std::vector<double> ntk(static_cast<std::size_t>(rows * cols), 0.0), feature(ntk.size(), 0.0);
  const NetworkPass pass(spec, p, batch, rows + cols);
  GradientGram gram(rows + cols, {GramTile{rows, cols, 0, rows, ntk.data(), feature.data(), rows}}, nullptr);
  pass.backward(gram);
  return ntk;
}

double relative_frobenius(const std::vector<double>& a, const std::vector<double>& b) {
  double difference = 0.0, norm = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    difference += (a[i] - b[i]) * (a[i] - b[i]);
    norm += b[i] * b[i];
  }
  return std::sqrt(difference / norm);
}

// y ← y − scale K v (K rows x cols column-major).
void subtract_product(std::vector<double>& y, const std::vector<double>& k, const std::vector<double>& v, double scale) {
  const std::size_t rows = y.size(), cols = v.size();
  for (std::size_t j = 0; j < cols; ++j)
    for (std::size_t i = 0; i < rows; ++i) y[i] -= scale * k[i + j * rows] * v[j];
}

}  // namespace

NetworkParameters weighted_output_gradient(const FiniteNetworkSpec& spec, const NetworkParameters& parameters,
                                           std::span<const double> inputs, std::int64_t count,
                                           std::span<const double> weights) {
  if (static_cast<std::int64_t>(weights.size()) != count) {
    throw std::invalid_argument("weighted_output_gradient: one weight per point");
  }
  const NetworkPass pass(spec, parameters, inputs, count);
  WeightedGradient gradient(spec, parameters, weights);
  pass.backward(gradient);
  return gradient.take();
}

TrainingTrace train_network(const FiniteNetworkSpec& spec, NetworkParameters parameters, std::span<const double> x_train,
                            std::span<const double> y_train, std::span<const double> x_test,
                            std::span<const double> y_test, const TrainingOptions& options) {
  const auto n = static_cast<std::int64_t>(y_train.size()), m = static_cast<std::int64_t>(y_test.size());
  if (n == 0) throw std::invalid_argument("training needs training points");
  const auto& records = options.record_steps;
  for (std::size_t r = 0; r < records.size(); ++r) {
    if (records[r] < 0 || records[r] > options.steps || (r > 0 && records[r] <= records[r - 1])) {
      throw std::invalid_argument("train_network: record steps must increase within [0, steps]");
    }
  }
  if (records.empty() || records.back() != options.steps) {
    throw std::invalid_argument("train_network: the last record step must be the last step");
  }
  if (!(options.learning_rate > 0.0) || !std::isfinite(options.learning_rate)) {
    throw std::invalid_argument(fmt::format("training.learning_rate = {}: give a finite number > 0", options.learning_rate));
  }
  const std::vector<double> theta0 = ntk_between(spec, parameters, x_train, n, x_train, n);
  const std::vector<double> theta0_test = m > 0 ? ntk_between(spec, parameters, x_test, m, x_train, n) : std::vector<double>{};
  TrainingTrace trace;
  std::vector<double> linear_train, linear_test;
  double first_loss = 0.0;
  std::size_t next_record = 0;
  const double rate_per_point = options.learning_rate / static_cast<double>(n);
  for (std::int64_t step = 0;; ++step) {
    const NetworkPass pass(spec, parameters, x_train, n);
    const std::vector<double> f(pass.outputs().begin(), pass.outputs().end());
    const double loss = squared_loss(f, y_train);
    if (step == 0) {
      first_loss = loss;
      linear_train = f;
      if (m > 0) {
        const NetworkPass test(spec, parameters, x_test, m);
        linear_test.assign(test.outputs().begin(), test.outputs().end());
      }
    }
    if (!std::isfinite(loss) || loss > options.divergence_ratio * std::max(first_loss, 1e-300)) {
      throw TrainingDiverged(fmt::format(
          "training diverged at step {} of {} (loss {:.4g}, first {:.4g}); use a smaller training.learning_rate "
          "(now {:g}); the run keeps nothing",
          step, options.steps, loss, first_loss, options.learning_rate));
    }
    if (next_record < options.record_steps.size() && options.record_steps[next_record] == step) {
      ++next_record;
      trace.train_loss.push_back(loss);
      std::vector<double> test_f;
      if (m > 0) {
        const NetworkPass test(spec, parameters, x_test, m);
        test_f.assign(test.outputs().begin(), test.outputs().end());
      }
      trace.test_loss.push_back(squared_loss(test_f, y_test));
      trace.kernel_change.push_back(step == 0 ? 0.0
                                              : relative_frobenius(ntk_between(spec, parameters, x_train, n, x_train, n),
                                                                   theta0));
      trace.linear_train_loss.push_back(squared_loss(linear_train, y_train));
      trace.linear_test_loss.push_back(squared_loss(linear_test, y_test));
      if (step == options.steps) trace.test_predictions = std::move(test_f);
    }
    if (step == options.steps) break;
    // The network: θ ← θ − η M ∇L, ∇L = Σ_i ((F_i − y_i)/n) ∇F_i.
    std::vector<double> residual(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) residual[static_cast<std::size_t>(i)] = (f[static_cast<std::size_t>(i)] - y_train[static_cast<std::size_t>(i)]) / static_cast<double>(n);
    descend(spec, parameters, weighted_output_gradient(spec, parameters, x_train, n, residual), options.learning_rate);
    // Its linearization: F ← F − (η/n) Θ_0 (F − y), on the train and the test points.
    std::vector<double> linear_residual(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) linear_residual[static_cast<std::size_t>(i)] = linear_train[static_cast<std::size_t>(i)] - y_train[static_cast<std::size_t>(i)];
    subtract_product(linear_train, theta0, linear_residual, rate_per_point);
    if (m > 0) subtract_product(linear_test, theta0_test, linear_residual, rate_per_point);
  }
  trace.linear_test_predictions = std::move(linear_test);
  return trace;
}

}  // namespace deepntk::finite
