#pragma once
// Forward and backward passes of one finite network over a batch of points, and the parameter
// groups of its gradient (docs/kernels.md §Finite-width networks).
//
// Every layer map is h = W a + sqrt(sb2) b with the layer input a already scaled
// (a = sqrt(sw2 / fan_in) φ(previous), the raw input x for the first layer), so the gradient
// of the scalar output F with respect to a weight matrix is δ ⊗ a, δ = dF/dh, and for two
// points p, q the gradient inner products of one layer are
//
//   Σ_W dF(p)/dW dF(q)/dW = (δ_p · δ_q)(a_p · a_q),        Σ_b ... = sb2 (δ_p · δ_q).
//
// backward() hands these per-layer factors to a GradientVisitor, so the kernels are
// accumulated layer by layer and the points x parameters Jacobian never exists.
//
// Every point's values depend on that point alone (fixed-order loops over units, no
// reductions across points): a point gives the same bits in any batch, on any rank.

#include <cstdint>
#include <span>
#include <vector>

#include "deepntk/finite/finite_network.hpp"
#include "deepntk/finite/network_parameters.hpp"

namespace deepntk::finite {

/// Which parameters a group is: layer `index` of NetworkParameters::layers, or head `index` of
/// NetworkParameters::heads; `chain` is the factor between the group's δ ⊗ a and dF/dW (α for a
/// resnet block, c(K) for a shortcut head, else 1), so dF/dW = chain δ ⊗ a and
/// dF/db = chain sqrt(sb2) δ (a head: dF/dv = chain a, dF/dc = chain sqrt(sb2)).
struct ParameterGroup {
  bool head = false;
  std::int64_t index = 0;
  double chain = 1.0;
  /// A head's factors in the feature kernel, chain² and chain² sb2 in every parameterization
  /// (the feature kernel's expectation is the NNGP); the NTK's are the visitor's arguments.
  double feature_weight = 0.0, feature_bias = 0.0;
};

/// Receives the gradient's parameter groups of one network over a batch of `count` points.
/// Arrays are column-major, one column per point of the batch.
class GradientVisitor {
 public:
  virtual ~GradientVisitor() = default;
  /// A weight matrix (and its biases): for points p, q the group adds
  ///   (δ_p · δ_q) (weight_factor (a_p · a_q) + bias_factor)
  /// to the NTK, where δ is `delta` (delta_rows x count) and a is `input` (input_rows x count).
  virtual void weight_group(const ParameterGroup& group, const double* delta, std::int64_t delta_rows,
                            const double* input, std::int64_t input_rows, double weight_factor, double bias_factor) = 0;
  /// A read-out head (and its bias): adds weight_factor (a_p · a_q) + bias_factor to the NTK,
  /// where a is `features` (rows x count), and group.feature_weight (a_p · a_q) +
  /// group.feature_bias to the feature kernel, which the heads alone make.
  virtual void head_group(const ParameterGroup& group, const double* features, std::int64_t rows,
                          double weight_factor, double bias_factor) = 0;
  /// After the last group of a backward pass (a visitor that buffers groups completes here).
  virtual void finish() {}
};

class NetworkPass {
 public:
  /// Runs the forward pass of the network with `parameters` on `count` points, `inputs`
  /// column-major input_dim x count, and keeps what the backward pass needs.
  NetworkPass(const FiniteNetworkSpec& spec, const NetworkParameters& parameters, std::span<const double> inputs,
              std::int64_t count);

  /// The network output F of each point.
  [[nodiscard]] std::span<const double> outputs() const noexcept { return outputs_; }

  /// Visits every parameter group of dF/dθ, from the output towards the input.
  void backward(GradientVisitor& visitor) const;

  /// Bytes this pass keeps for a network of `depth` on `count` points (the planner's figure).
  [[nodiscard]] static std::int64_t stored_bytes(const FiniteNetworkSpec& spec, std::int64_t input_dim,
                                                 std::int64_t depth, std::int64_t count);

 private:
  void forward_chain();
  void forward_residual();
  void backward_chain(GradientVisitor& visitor) const;
  void backward_residual(GradientVisitor& visitor) const;

  const FiniteNetworkSpec& spec_;
  const NetworkParameters& parameters_;
  std::int64_t count_ = 0;
  std::vector<double> scaled_inputs_;                ///< sqrt(sw2 / d) x, input_dim x count
  std::vector<std::vector<double>> preactivations_;  ///< mlp/shortcut: h_1 .. h_T; resnet: s_0 .. s_L
  std::vector<double> outputs_;
};

}  // namespace deepntk::finite
