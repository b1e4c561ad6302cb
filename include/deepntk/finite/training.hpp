#pragma once
// Training one finite network by full-batch gradient descent on the squared loss (issue 12,
// "training invariance", docs/kernels.md §Training finite networks):
//
//   L(θ) = 1/(2n) Σ_i (F(x_i) − y_i)²,   θ ← θ − η M ∇L(θ),
//
// with M the parameterization's metric in the raw standard-normal coordinates (1 for the ntk
// parameterization; fan_in/sw2 for weights and 1/sb2 for biases in the standard one), so that in
// function space F ← F − (η/n) Θ (F − y) to first order, Θ the network's NTK. Beside the network
// the same steps are taken by its linearization F_lin = F_0 + Θ_0-dynamics; where the two agree
// the network trains in the NTK regime. Everything is serial and in a fixed order: a network
// trains to the same bits on any rank.

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "deepntk/finite/finite_network.hpp"
#include "deepntk/finite/network_parameters.hpp"

namespace deepntk::finite {

/// ∇_θ Σ_p weights[p] F(x_p) in raw coordinates (the layout of `parameters`), for `count` points.
[[nodiscard]] NetworkParameters weighted_output_gradient(const FiniteNetworkSpec& spec,
                                                         const NetworkParameters& parameters,
                                                         std::span<const double> inputs, std::int64_t count,
                                                         std::span<const double> weights);

struct TrainingOptions {
  std::int64_t steps = 0;
  double learning_rate = 0.0;
  std::vector<std::int64_t> record_steps;  ///< increasing, within [0, steps]
  /// The run stops as diverged when the loss is not finite or exceeds this times the first one.
  double divergence_ratio = 1e6;
};

struct TrainingTrace {
  std::vector<double> train_loss, test_loss;  ///< at the record steps
  std::vector<double> kernel_change;          ///< ||Θ_t − Θ_0||_F / ||Θ_0||_F on the train points
  std::vector<double> linear_train_loss, linear_test_loss;  ///< the linearized network's losses
  std::vector<double> test_predictions;         ///< F of the trained network on the test points
  std::vector<double> linear_test_predictions;  ///< the linearized network's
};

/// The loss grew past the bound or became NaN; names the step.
class TrainingDiverged : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Trains a copy of `parameters` on (x_train, y_train), x_* dimension x count column-major.
[[nodiscard]] TrainingTrace train_network(const FiniteNetworkSpec& spec, NetworkParameters parameters,
                                          std::span<const double> x_train, std::span<const double> y_train,
                                          std::span<const double> x_test, std::span<const double> y_test,
                                          const TrainingOptions& options);

}  // namespace deepntk::finite
