#pragma once
// Explicit finite-width networks in the NTK parameterization of docs/kernels.md §Notation, with explicit
// forward and backward passes, for the Monte-Carlo check of the analytic kernels.
//
// Every layer map is   h = sqrt(sw2 / fan_in) W φ_prev + sqrt(sb2) b = W a + sqrt(sb2) b,
// with W, b standard normal and a = sqrt(sw2 / fan_in) φ_prev the layer's scaled input
// (the raw input x for the first layer). So a parameter's gradient is always
// (downstream delta) ⊗ (its layer's input), and for two inputs x, x'
//
//   <dF(x)/dW, dF(x')/dW> = (δ(x) . δ(x')) (a(x) . a(x')),   <dF(x)/db, dF(x')/db> = sb2 δ(x) . δ(x').
//
// The empirical NTK is assembled from these per-block inner products (test_finite_network
// checks it against the inner product of finite-difference gradients over every parameter).
//
// One draw of raw weights (NetworkParams) is shared by several networks that differ only in
// activation, sw2, sb2 and, for resnet, α and depth: every such network is an exact sample of
// its own architecture, and batching them turns many thin matrix products into a few wider
// ones. Matrices are column-major; activations hold one (network, input) per column.

#include <cstdint>
#include <vector>

#include "deepntk/kernels/network.hpp"

namespace deepntk::montecarlo {

/// xoshiro256++ (Blackman and Vigna): fast, 256-bit state; seeded through splitmix64 so that
/// any 64-bit seed gives an independent-looking stream.
class Xoshiro256pp {
 public:
  using result_type = std::uint64_t;
  explicit Xoshiro256pp(std::uint64_t seed) noexcept;
  static constexpr result_type min() noexcept { return 0; }
  static constexpr result_type max() noexcept { return ~result_type{0}; }
  result_type operator()() noexcept;

 private:
  std::uint64_t s_[4];
};

/// Fills v with independent standard normals (a ziggurat: exact N(0,1) up to 53-bit
/// uniforms, and the same on every platform for a given seed, unlike std::normal_distribution).
void fill_standard_normal(Xoshiro256pp& engine, std::vector<double>& v);

/// A deterministic 64-bit seed from a few integers (splitmix64 mixing), so that every network
/// sample has its own stream whatever order the samples are drawn in.
[[nodiscard]] std::uint64_t mix_seed(std::uint64_t a, std::uint64_t b, std::uint64_t c = 0) noexcept;

/// What distinguishes networks sharing one weight draw.
struct NetConfig {
  kernels::Activation activation = kernels::Activation::relu;
  double sw2 = 2.0;
  double sb2 = 0.0;
};

/// One draw of raw parameters, all standard normal, width n, input dimension d:
///   w[0] n x d, w[l] n x n (l = 1..depth), b[l] n (l = 0..depth), v[k] n and c[k] (k < depth).
/// An mlp trunk of depth L uses w[0..L-1], b[0..L-1] (w[l-1] feeds hidden layer l) and the
/// head (v[k], c[k]) reads hidden layer k+1. A resnet uses w[0], b[0] as input projection,
/// (w[l], b[l]) in block l, and the head (v[k], c[k]) reads the stream after block k+1.
struct NetworkParams {
  std::int64_t width = 0, input_dim = 0, depth = 0;
  std::vector<std::vector<double>> w, b, v;
  std::vector<double> c;
};

/// Draws every parameter afresh into `p`, reusing its storage (re-allocating the large weight
/// matrices for every sample costs more than drawing them).
void sample_params(std::int64_t width, std::int64_t input_dim, std::int64_t depth, Xoshiro256pp& engine,
                   NetworkParams& p);

/// Kernel estimates of one scalar output on the P inputs, each P x P column-major.
struct KernelSample {
  std::vector<double> nngp;        ///< E over the read-out weights of F(x) F(x') (exact, given the rest)
  std::vector<double> nngp_naive;  ///< F(x) F(x'): the literal product, O(1) noise
  std::vector<double> ntk;         ///< Σ over every parameter θ of dF(x)/dθ dF(x')/dθ
};

// --------------------------------------------------------------------------------------------
// mlp trunk of depth params.depth with a read-out head on every hidden layer: covers `mlp`
// (one head) and `shortcut` (heads on layers h, 2h, ..., K h, weights 1/sqrt(K)).

class MlpPass {
 public:
  /// Forward and backward pass of every head of every net on the P inputs (d x P).
  MlpPass(const NetworkParams& params, const std::vector<double>& inputs, std::int64_t points,
          std::vector<NetConfig> nets);

  /// Output of head k (on hidden layer k+1) of net m at input i: outputs()[i + P (m + M k)].
  [[nodiscard]] const std::vector<double>& outputs() const noexcept { return outputs_; }

  /// Kernels of F = Σ_k gamma[k] head_k of net m (one gamma per head, zeros allowed).
  [[nodiscard]] KernelSample kernels(std::size_t net, const std::vector<double>& gamma) const;

 private:
  std::int64_t points_ = 0, depth_ = 0;
  std::vector<NetConfig> nets_;
  std::vector<double> outputs_;
  /// act_gram_[m][l]: P x P, a_l(x_i) . a_l(x_j) of net m, where a_l is the input of hidden
  /// layer l+1 (a_0 = sqrt(sw2/d) x, a_l = sqrt(sw2/n) φ(h_l)); a_k is also head k's input.
  std::vector<std::vector<std::vector<double>>> act_gram_;
  /// delta_gram_[m][l]: (P H) x (P H), δ^{(k)}(x_i) . δ^{(k')}(x_j) at hidden layer l+1 of net
  /// m, index i + P k, with δ^{(k)} = d head_k / d h (zero for heads below the layer).
  std::vector<std::vector<std::vector<double>>> delta_gram_;
};

// --------------------------------------------------------------------------------------------
// resnet: input projection s_0 = sqrt(sw2/d) W_0 x + sqrt(sb2) b_0, blocks
// s_l = s_{l-1} + α (sqrt(sw2/n) W_l φ(s_{l-1}) + sqrt(sb2) b_l), read-outs
// F = sqrt(sw2/n) v . s_k + sqrt(sb2) c on the stream after block k.

struct ResnetNet {
  NetConfig config;
  double alpha = 1.0;
  std::int64_t blocks = 1;           ///< blocks run (<= params.depth)
  std::vector<std::int64_t> heads;   ///< read-outs after these blocks (1..blocks)
};

/// Kernels of every head of every net: result[m][h] for net m, head heads[h]. The head outputs
/// go to (*outputs)[m][i + P h] when outputs is not null.
[[nodiscard]] std::vector<std::vector<KernelSample>> resnet_kernels(const NetworkParams& params,
                                                                    const std::vector<double>& inputs,
                                                                    std::int64_t points,
                                                                    const std::vector<ResnetNet>& nets,
                                                                    std::vector<std::vector<double>>* outputs = nullptr);

}  // namespace deepntk::montecarlo
