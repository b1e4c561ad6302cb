#pragma once
// Monte-Carlo estimation of NNGP and NTK from finite networks (finite_network.hpp), the
// analytic kernels from the library's DepthSweep, and their statistical comparison.

#include <cstdint>
#include <iosfwd>
#include <map>
#include <string>
#include <vector>

#include "deepntk/kernels/network.hpp"
#include "finite_network.hpp"

namespace deepntk::montecarlo {

/// The input points: columns of a d x count matrix, with K0(x,x) and 1 − ρ0 per pair.
struct Points {
  std::int64_t dim = 0, count = 0;
  std::vector<double> x;        ///< dim x count
  std::vector<double> k0_diag;  ///< x.x/d
  std::vector<double> gap;      ///< count x count, |u − u'|^2 / 2 with u = x/|x|
};

/// Three points in d = 8 with K0 diagonals 1, 0.7, 1.4 (unequal, so q1 != q2 is exercised) and
/// input correlations ρ(0,1) = 0.9 (nearly parallel), ρ(0,2) = −0.6 (negative),
/// ρ(1,2) = −0.2 (generic).
[[nodiscard]] Points make_points();

/// Full symmetric P x P kernels (column-major) at one depth.
struct KernelMatrices {
  std::vector<double> nngp, ntk;
};
using KernelsByDepth = std::map<std::int64_t, KernelMatrices>;

/// The library's kernels: one symmetric PairBlock over all points, run through DepthSweep,
/// lower triangle mirrored, scales applied.
[[nodiscard]] KernelsByDepth library_kernels(const kernels::NetworkSpec& spec, const std::vector<std::int64_t>& depths,
                                             const Points& points);

/// The recursions of docs/kernels.md §Definitions written out directly (closed-form duals, no care for
/// ρ -> 1): an independent reading of them, printed next to the library for diagnosis.
[[nodiscard]] KernelsByDepth spec_recursion(const kernels::NetworkSpec& spec, const std::vector<std::int64_t>& depths,
                                            const Points& points);

/// Running mean and variance of every entry of a fixed-size sample vector (Welford).
class EntryStats {
 public:
  void add(const std::vector<double>& sample);
  [[nodiscard]] std::int64_t count() const noexcept { return count_; }
  [[nodiscard]] double mean(std::size_t e) const { return mean_[e]; }
  /// Standard error of the mean: sample standard deviation / sqrt(count).
  [[nodiscard]] double standard_error(std::size_t e) const;

 private:
  std::int64_t count_ = 0;
  std::vector<double> mean_, m2_;
};

/// One analytic configuration checked against Monte Carlo: its spec (for the library), the
/// depths, and the statistics of the three estimators at each depth.
struct McResult {
  std::string name;
  kernels::NetworkSpec spec;
  std::vector<std::int64_t> depths;
  std::int64_t width = 0, samples = 0;
  struct AtDepth {
    EntryStats nngp, nngp_naive, ntk;
  };
  std::map<std::int64_t, AtDepth> stats;
};

/// The Monte-Carlo plan: `samples` independent draws of raw weights of width `width`; each draw
/// drives, for every config, an mlp trunk of depth 4 with a head on every layer and five
/// residual networks (α = 1/sqrt(L) for L = 1..4, and α = constant_alpha with 4 blocks and a
/// head after every block).
struct McPlan {
  std::int64_t width = 1024;
  std::int64_t samples = 100;
  std::uint64_t seed = 1;
  std::vector<NetConfig> configs;
  double constant_alpha = 0.6;
};

/// The configurations a plan checks, with names, specs and depths but no statistics yet: per
/// config, mlp (depths 1-4), shortcut h = 1 (1-4), shortcut h = 2 (2-4), resnet α = 1/sqrt(L)
/// (1-4) and resnet α = constant (1-4), in that order.
[[nodiscard]] std::vector<McResult> describe(const McPlan& plan);

/// Runs the plan; returns describe(plan) with the statistics filled in. Outputs
/// sharing a weight draw are correlated with each other, but each output's distribution is
/// exactly that of its own architecture, and draws are independent across samples.
[[nodiscard]] std::vector<McResult> run_monte_carlo(const McPlan& plan, const Points& points);

/// Acceptance rule: |MC mean − analytic| <= z_limit · SE + allowance, where the allowance for
/// the O(1/width) bias of finite networks is bias_factor · (L + 1) / width · sqrt(K(x,x) K(x',x'))
/// (K = the analytic kernel of the same kind).
struct Tolerance {
  double z_limit = 4.0;
  double nngp_bias_factor = 0.0;
  double ntk_bias_factor = 0.0;
};

struct Comparison {
  std::int64_t entries = 0, failures = 0;
  double max_abs_z = 0.0;       ///< largest |difference| / SE
  double max_excess_z = 0.0;    ///< largest (|difference| − allowance) / SE, clipped at 0
  double rms_z = 0.0;           ///< root mean square of the z-scores (about 1 when unbiased)
};

/// Compares every entry i >= j of NNGP (both estimators) and NTK at every depth; prints one line
/// per depth and kind with the z-scores to `log`, and every failing entry in full.
Comparison compare(const McResult& mc, const KernelsByDepth& analytic, const Tolerance& tol, std::ostream& log);

}  // namespace deepntk::montecarlo
