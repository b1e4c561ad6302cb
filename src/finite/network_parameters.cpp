#include "deepntk/finite/network_parameters.hpp"

#include <stdexcept>

#include "deepntk/core/checked_arithmetic.hpp"

namespace deepntk::finite {

namespace {

using kernels::Architecture;

// The layers (fan_in of each) and the layers the heads read, for a network of `depth`.
struct Topology {
  std::vector<std::int64_t> fan_in;
  std::vector<std::int64_t> head_layers;
};

Topology topology(const FiniteNetworkSpec& spec, std::int64_t input_dim, std::int64_t depth) {
  if (depth < 1) throw std::invalid_argument("finite network: depth must be at least 1");
  Topology t;
  const std::int64_t m = spec.width;
  switch (spec.network.architecture) {
    case Architecture::mlp:
      t.fan_in.assign(static_cast<std::size_t>(depth), m);
      t.head_layers = {depth};
      break;
    case Architecture::shortcut: {
      const std::int64_t h = spec.network.readout_every;
      const std::int64_t heads = depth / h;
      if (heads < 1) throw std::invalid_argument("finite network: a shortcut network needs depth >= readout_every");
      // Layers after the last head do not reach the output: they are not drawn.
      t.fan_in.assign(static_cast<std::size_t>(heads * h), m);
      for (std::int64_t k = 1; k <= heads; ++k) t.head_layers.push_back(k * h);
      break;
    }
    case Architecture::resnet:
      t.fan_in.assign(static_cast<std::size_t>(depth + 1), m);
      t.head_layers = {depth};
      break;
  }
  t.fan_in[0] = input_dim;
  return t;
}

}  // namespace

void refresh_transposed(DenseLayer& layer) {
  layer.weights_transposed.resize(layer.weights.size());
  for (std::int64_t j = 0; j < layer.cols; ++j)
    for (std::int64_t i = 0; i < layer.rows; ++i)
      layer.weights_transposed[static_cast<std::size_t>(j + i * layer.cols)] =
          layer.weights[static_cast<std::size_t>(i + j * layer.rows)];
}

NetworkParameters draw_parameters(const FiniteNetworkSpec& spec, std::int64_t input_dim, std::int64_t depth,
                                  PhiloxKey key) {
  const Topology t = topology(spec, input_dim, depth);
  NetworkParameters p;
  p.depth = depth;
  p.width = spec.width;
  p.input_dim = input_dim;
  const std::int64_t m = spec.width;
  p.layers.resize(t.fan_in.size());
  for (std::size_t l = 0; l < t.fan_in.size(); ++l) {
    DenseLayer& layer = p.layers[l];
    layer.rows = m;
    layer.cols = t.fan_in[l];
    layer.weights.resize(static_cast<std::size_t>(checked_multiply(m, layer.cols, "the weights of one layer")));
    fill_standard_normal(key, weight_tensor(static_cast<std::int64_t>(l)), 0, layer.weights);
    refresh_transposed(layer);
    if (spec.has_biases()) {
      layer.biases.resize(static_cast<std::size_t>(m));
      fill_standard_normal(key, bias_tensor(static_cast<std::int64_t>(l)), 0, layer.biases);
    }
  }
  for (const std::int64_t layer : t.head_layers) {
    ReadoutHead head;
    head.layer = layer;
    head.weights.resize(static_cast<std::size_t>(m));
    fill_standard_normal(key, head_weight_tensor(layer), 0, head.weights);
    if (spec.has_biases()) fill_standard_normal(key, head_bias_tensor(layer), 0, std::span<double>(&head.bias, 1));
    p.heads.push_back(std::move(head));
  }
  return p;
}

std::int64_t parameter_count(const FiniteNetworkSpec& spec, std::int64_t input_dim, std::int64_t depth) {
  const Topology t = topology(spec, input_dim, depth);
  const std::int64_t m = spec.width;
  const std::int64_t bias = spec.has_biases() ? 1 : 0;
  std::int64_t count = 0;
  constexpr std::string_view what = "the parameter count of the network";
  for (const std::int64_t fan_in : t.fan_in) {
    count = checked_add(count, checked_multiply(m, checked_add(fan_in, bias, what), what), what);
  }
  return checked_add(count, checked_multiply(static_cast<std::int64_t>(t.head_layers.size()), m + bias, what), what);
}

}  // namespace deepntk::finite
