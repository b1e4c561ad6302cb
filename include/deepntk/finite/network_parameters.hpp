#pragma once
// The parameters of one random finite network (docs/kernels.md §Finite-width networks), all
// standard normal and drawn from the counter-based generator by (sample key, tensor, index):
//
//   mlp, shortcut  layer l = 0 .. L-1: weights W_l (m x fan_in, fan_in = d for l = 0, else m)
//                  and biases b_l (m) feed hidden layer l + 1; head j (m weights v_j and a bias
//                  c_j) reads hidden layer j: mlp of depth L has head L, shortcut heads h, 2h, ...
//   resnet         W_0, b_0 project the input onto the stream; block l = 1 .. L has W_l (m x m)
//                  and b_l; head L reads the stream after block L.
//
// Tensor ids (the Philox stream): weights of layer l 4l, its biases 4l + 1, head j's weights
// 4j + 2, its bias 4j + 3; entry (i, j) of a weight matrix is number i + j * rows of its stream.
// So a network of depth L and one of depth L' > L drawn with the same key share every tensor
// they both have, and a parameter does not depend on which or how many others are drawn.
// Biases exist only when sb2 > 0.

#include <cstdint>
#include <vector>

#include "deepntk/finite/counter_random.hpp"
#include "deepntk/finite/finite_network.hpp"

namespace deepntk::finite {

struct DenseLayer {
  std::int64_t rows = 0, cols = 0;      ///< fan_out x fan_in
  std::vector<double> weights;          ///< column-major rows x cols
  std::vector<double> weights_transposed;  ///< column-major cols x rows (for the backward pass)
  std::vector<double> biases;           ///< rows entries, empty without biases
};

struct ReadoutHead {
  std::int64_t layer = 0;       ///< the hidden layer (mlp, shortcut) or block (resnet) it reads
  std::vector<double> weights;  ///< width entries
  double bias = 0.0;            ///< 0 without biases
};

struct NetworkParameters {
  std::int64_t depth = 0, width = 0, input_dim = 0;
  std::vector<DenseLayer> layers;  ///< mlp/shortcut: layers 0 .. L-1; resnet: 0 (input) .. L
  std::vector<ReadoutHead> heads;  ///< in increasing layer order
};

/// Sets layer.weights_transposed from layer.weights (after the weights changed).
void refresh_transposed(DenseLayer& layer);

/// Tensor ids of the Philox streams.
[[nodiscard]] constexpr std::uint64_t weight_tensor(std::int64_t layer) noexcept { return 4 * static_cast<std::uint64_t>(layer); }
[[nodiscard]] constexpr std::uint64_t bias_tensor(std::int64_t layer) noexcept { return 4 * static_cast<std::uint64_t>(layer) + 1; }
[[nodiscard]] constexpr std::uint64_t head_weight_tensor(std::int64_t layer) noexcept { return 4 * static_cast<std::uint64_t>(layer) + 2; }
[[nodiscard]] constexpr std::uint64_t head_bias_tensor(std::int64_t layer) noexcept { return 4 * static_cast<std::uint64_t>(layer) + 3; }

/// The parameters of the network of `depth` (>= 1; shortcut: >= readout_every) on inputs of
/// dimension `input_dim`, drawn under `key`.
[[nodiscard]] NetworkParameters draw_parameters(const FiniteNetworkSpec& spec, std::int64_t input_dim, std::int64_t depth,
                                                PhiloxKey key);

/// Parameters a network of `depth` has (for plans and the export): weights and biases of every
/// layer and head.
[[nodiscard]] std::int64_t parameter_count(const FiniteNetworkSpec& spec, std::int64_t input_dim, std::int64_t depth);

}  // namespace deepntk::finite
