#include "deepntk/finite/network_pass.hpp"

#include <cmath>
#include <stdexcept>

#include "deepntk/core/checked_arithmetic.hpp"
#include "deepntk/finite/pointwise_activation.hpp"

namespace deepntk::finite {

namespace {

using kernels::Architecture;

// y = W x for one point: column-major W (rows x cols), accumulated column by column so that
// each y[i] sums over the columns in order (vectorized over i, the same bits in any batch).
void multiply(const std::vector<double>& w, std::int64_t rows, std::int64_t cols, const double* x, double* y) {
  for (std::int64_t i = 0; i < rows; ++i) y[i] = 0.0;
  for (std::int64_t k = 0; k < cols; ++k) {
    const double xk = x[k];
    const double* column = w.data() + k * rows;
    for (std::int64_t i = 0; i < rows; ++i) y[i] += column[i] * xk;
  }
}

void add_scaled(const std::vector<double>& b, double scale, std::int64_t rows, double* y) {
  for (std::int64_t i = 0; i < rows; ++i) y[i] += scale * b[static_cast<std::size_t>(i)];
}

}  // namespace

NetworkPass::NetworkPass(const FiniteNetworkSpec& spec, const NetworkParameters& parameters,
                         std::span<const double> inputs, std::int64_t count)
    : spec_(spec), parameters_(parameters), count_(count) {
  const std::int64_t d = parameters.input_dim;
  if (count < 0 || static_cast<std::int64_t>(inputs.size()) != checked_multiply(d, count, "the input batch")) {
    throw std::invalid_argument("NetworkPass: inputs must be input_dim x count");
  }
  // a_0 = sqrt(sw2 / d) x: the first layer's input with its variance factor.
  const double input_scale = std::sqrt(spec.network.sw2 / static_cast<double>(d));
  scaled_inputs_.resize(inputs.size());
  for (std::size_t i = 0; i < inputs.size(); ++i) scaled_inputs_[i] = input_scale * inputs[i];
  outputs_.assign(static_cast<std::size_t>(count), 0.0);
  if (spec.network.architecture == Architecture::resnet) {
    forward_residual();
  } else {
    forward_chain();
  }
}

std::int64_t NetworkPass::stored_bytes(const FiniteNetworkSpec& spec, std::int64_t input_dim, std::int64_t depth,
                                       std::int64_t count) {
  // One width x count array per layer (resnet: per stream position, L + 1), plus the inputs.
  const std::int64_t layers = spec.network.architecture == Architecture::resnet ? depth + 1 : depth;
  constexpr std::string_view what = "the finite network's stored activations";
  const std::int64_t values = checked_add(checked_product({layers, spec.width, count}, what),
                                          checked_multiply(input_dim, count, what), what);
  return checked_multiply<std::int64_t>(values, 8, what);
}

// mlp and shortcut: h_1 = W_0 a_0 + sqrt(sb2) b_0, h_{l+1} = W_l a_l + sqrt(sb2) b_l with
// a_l = sqrt(sw2/m) φ(h_l); head j adds c(K) (v_j · a_j + sqrt(sb2) c_j) to the output.
void NetworkPass::forward_chain() {
  const std::int64_t m = parameters_.width, d = parameters_.input_dim;
  const auto layers = static_cast<std::int64_t>(parameters_.layers.size());
  const double unit_scale = std::sqrt(spec_.network.sw2 / static_cast<double>(m));
  const double bias_scale = std::sqrt(spec_.network.sb2);
  const double c = spec_.head_coefficient(static_cast<std::int64_t>(parameters_.heads.size()));
  preactivations_.assign(static_cast<std::size_t>(layers), std::vector<double>(static_cast<std::size_t>(m * count_)));
  std::vector<double> a(static_cast<std::size_t>(m));
  for (std::int64_t p = 0; p < count_; ++p) {
    std::size_t next_head = 0;
    for (std::int64_t l = 0; l < layers; ++l) {
      const DenseLayer& layer = parameters_.layers[static_cast<std::size_t>(l)];
      const double* input = l == 0 ? scaled_inputs_.data() + p * d : a.data();
      double* h = preactivations_[static_cast<std::size_t>(l)].data() + p * m;
      multiply(layer.weights, m, layer.cols, input, h);
      if (!layer.biases.empty()) add_scaled(layer.biases, bias_scale, m, h);
      apply_activation(spec_.network.activation, h, m, unit_scale, a.data(), nullptr);  // a_{l+1}
      const std::int64_t hidden = l + 1;
      if (next_head < parameters_.heads.size() && parameters_.heads[next_head].layer == hidden) {
        const ReadoutHead& head = parameters_.heads[next_head++];
        double sum = 0.0;
        for (std::int64_t i = 0; i < m; ++i) sum += head.weights[static_cast<std::size_t>(i)] * a[static_cast<std::size_t>(i)];
        outputs_[static_cast<std::size_t>(p)] += c * (sum + bias_scale * head.bias);
      }
    }
  }
}

// resnet: s_0 = W_0 a_0 + sqrt(sb2) b_0; block l: s_l = s_{l-1} + α (W_l u + sqrt(sb2) b_l),
// u = sqrt(sw2/m) φ(s_{l-1}); output sqrt(sw2/m) v · s_L + sqrt(sb2) c.
void NetworkPass::forward_residual() {
  const std::int64_t m = parameters_.width, d = parameters_.input_dim, depth = parameters_.depth;
  const double unit_scale = std::sqrt(spec_.network.sw2 / static_cast<double>(m));
  const double bias_scale = std::sqrt(spec_.network.sb2);
  const double alpha = spec_.network.residual.alpha(depth);
  preactivations_.assign(static_cast<std::size_t>(depth + 1), std::vector<double>(static_cast<std::size_t>(m * count_)));
  std::vector<double> u(static_cast<std::size_t>(m)), g(static_cast<std::size_t>(m));
  const ReadoutHead& head = parameters_.heads.front();
  for (std::int64_t p = 0; p < count_; ++p) {
    double* s = preactivations_[0].data() + p * m;
    multiply(parameters_.layers[0].weights, m, d, scaled_inputs_.data() + p * d, s);
    if (!parameters_.layers[0].biases.empty()) add_scaled(parameters_.layers[0].biases, bias_scale, m, s);
    for (std::int64_t l = 1; l <= depth; ++l) {
      const DenseLayer& layer = parameters_.layers[static_cast<std::size_t>(l)];
      const double* previous = preactivations_[static_cast<std::size_t>(l - 1)].data() + p * m;
      double* next = preactivations_[static_cast<std::size_t>(l)].data() + p * m;
      apply_activation(spec_.network.activation, previous, m, unit_scale, u.data(), nullptr);
      multiply(layer.weights, m, m, u.data(), g.data());
      if (!layer.biases.empty()) add_scaled(layer.biases, bias_scale, m, g.data());
      for (std::int64_t i = 0; i < m; ++i) next[i] = previous[i] + alpha * g[static_cast<std::size_t>(i)];
    }
    const double* last = preactivations_[static_cast<std::size_t>(depth)].data() + p * m;
    double sum = 0.0;
    for (std::int64_t i = 0; i < m; ++i) sum += head.weights[static_cast<std::size_t>(i)] * (unit_scale * last[i]);
    outputs_[static_cast<std::size_t>(p)] = sum + bias_scale * head.bias;
  }
}

void NetworkPass::backward(GradientVisitor& visitor) const {
  if (spec_.network.architecture == Architecture::resnet) {
    backward_residual(visitor);
  } else {
    backward_chain(visitor);
  }
  visitor.finish();
}

namespace {

// Factors of a weight group with fan_in inputs, and of a bias group, in the chosen
// parameterization: the standard one differentiates with respect to sqrt(sw2/fan_in) W and
// sqrt(sb2) b, which divides the NTK parameterization's gradients by those factors.
struct GroupFactors {
  double weight = 1.0, bias = 0.0;
};

GroupFactors group_factors(const FiniteNetworkSpec& spec, std::int64_t fan_in, double extra) {
  const double sb2 = spec.network.sb2;
  if (spec.parameterization == Parameterization::standard) {
    return {extra * static_cast<double>(fan_in) / spec.network.sw2, sb2 > 0.0 ? extra : 0.0};
  }
  return {extra, extra * sb2};
}

}  // namespace

void NetworkPass::backward_chain(GradientVisitor& visitor) const {
  const std::int64_t m = parameters_.width;
  const auto layers = static_cast<std::int64_t>(parameters_.layers.size());
  const double unit_scale = std::sqrt(spec_.network.sw2 / static_cast<double>(m));
  const double c = spec_.head_coefficient(static_cast<std::int64_t>(parameters_.heads.size()));
  const auto size = static_cast<std::size_t>(m * count_);
  std::vector<double> delta(size, 0.0), previous_delta(size), features(size), slopes(size), through(static_cast<std::size_t>(m));
  auto head = parameters_.heads.rbegin();
  // delta holds dF/dh_{j+1} (zero above the top layer); walk j = T .. 1.
  for (std::int64_t j = layers; j >= 1; --j) {
    const std::vector<double>& h = preactivations_[static_cast<std::size_t>(j - 1)];
    apply_activation(spec_.network.activation, h.data(), m * count_, unit_scale, features.data(), slopes.data());
    const bool has_head = head != parameters_.heads.rend() && head->layer == j;
    if (has_head) {
      const GroupFactors f = group_factors(spec_, m, c * c);
      const ParameterGroup group{true, static_cast<std::int64_t>(parameters_.heads.rend() - head) - 1, c, c * c,
                                 c * c * spec_.network.sb2};
      visitor.head_group(group, features.data(), m, f.weight, f.bias);
    }
    // dF/dh_j = (W_j^T dF/dh_{j+1} + c v_j) ∘ sqrt(sw2/m) φ'(h_j).
    for (std::int64_t p = 0; p < count_; ++p) {
      double* out = previous_delta.data() + p * m;
      if (j < layers) {
        const DenseLayer& above = parameters_.layers[static_cast<std::size_t>(j)];
        multiply(above.weights_transposed, m, m, delta.data() + p * m, through.data());
      } else {
        for (std::int64_t i = 0; i < m; ++i) through[static_cast<std::size_t>(i)] = 0.0;
      }
      if (has_head) {
        for (std::int64_t i = 0; i < m; ++i) through[static_cast<std::size_t>(i)] += c * head->weights[static_cast<std::size_t>(i)];
      }
      const double* slope = slopes.data() + p * m;
      for (std::int64_t i = 0; i < m; ++i) out[i] = through[static_cast<std::size_t>(i)] * slope[i];
    }
    if (has_head) ++head;
    delta.swap(previous_delta);
    // Layer j - 1's weights feed h_j: their group is dF/dh_j ⊗ (its input).
    const DenseLayer& layer = parameters_.layers[static_cast<std::size_t>(j - 1)];
    const GroupFactors f = group_factors(spec_, layer.cols, 1.0);
    const ParameterGroup group{false, j - 1, 1.0};
    if (j == 1) {
      visitor.weight_group(group, delta.data(), m, scaled_inputs_.data(), parameters_.input_dim, f.weight, f.bias);
    } else {
      // The input of layer j - 1 is a_{j-1} = sqrt(sw2/m) φ(h_{j-1}).
      apply_activation(spec_.network.activation, preactivations_[static_cast<std::size_t>(j - 2)].data(), m * count_,
                       unit_scale, features.data(), nullptr);
      visitor.weight_group(group, delta.data(), m, features.data(), m, f.weight, f.bias);
    }
  }
}

void NetworkPass::backward_residual(GradientVisitor& visitor) const {
  const std::int64_t m = parameters_.width, depth = parameters_.depth;
  const double unit_scale = std::sqrt(spec_.network.sw2 / static_cast<double>(m));
  const double alpha = spec_.network.residual.alpha(depth);
  const auto size = static_cast<std::size_t>(m * count_);
  std::vector<double> delta(size), features(size), slopes(size), through(static_cast<std::size_t>(m));
  const ReadoutHead& head = parameters_.heads.front();
  {
    // The read-out sees sqrt(sw2/m) s_L; dF/ds_L = sqrt(sw2/m) v for every point.
    const std::vector<double>& last = preactivations_[static_cast<std::size_t>(depth)];
    for (std::size_t i = 0; i < size; ++i) features[i] = unit_scale * last[i];
    const GroupFactors f = group_factors(spec_, m, 1.0);
    visitor.head_group(ParameterGroup{true, 0, 1.0, 1.0, spec_.network.sb2}, features.data(), m, f.weight, f.bias);
    for (std::int64_t p = 0; p < count_; ++p)
      for (std::int64_t i = 0; i < m; ++i) delta[static_cast<std::size_t>(p * m + i)] = unit_scale * head.weights[static_cast<std::size_t>(i)];
  }
  for (std::int64_t l = depth; l >= 1; --l) {
    // Block l's branch α (W_l u + sqrt(sb2) b_l), u = sqrt(sw2/m) φ(s_{l-1}): its group is
    // α dF/ds_l ⊗ u, so factor α².
    const std::vector<double>& s = preactivations_[static_cast<std::size_t>(l - 1)];
    apply_activation(spec_.network.activation, s.data(), m * count_, unit_scale, features.data(), slopes.data());
    const GroupFactors f = group_factors(spec_, m, alpha * alpha);
    visitor.weight_group(ParameterGroup{false, l, alpha}, delta.data(), m, features.data(), m, f.weight, f.bias);
    // dF/ds_{l-1} = dF/ds_l + α (W_l^T dF/ds_l) ∘ sqrt(sw2/m) φ'(s_{l-1}).
    const DenseLayer& layer = parameters_.layers[static_cast<std::size_t>(l)];
    for (std::int64_t p = 0; p < count_; ++p) {
      double* d = delta.data() + p * m;
      multiply(layer.weights_transposed, m, m, d, through.data());
      const double* slope = slopes.data() + p * m;
      for (std::int64_t i = 0; i < m; ++i) d[i] += alpha * (through[static_cast<std::size_t>(i)] * slope[i]);
    }
  }
  const GroupFactors f = group_factors(spec_, parameters_.input_dim, 1.0);
  visitor.weight_group(ParameterGroup{false, 0, 1.0}, delta.data(), m, scaled_inputs_.data(), parameters_.input_dim,
                       f.weight, f.bias);
}

}  // namespace deepntk::finite
