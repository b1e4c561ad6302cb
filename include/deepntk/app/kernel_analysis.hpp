#pragma once
// The analysis of one kernel at one recorded depth, as `deepntk run` does it: spectrum and its
// summary, ridge / gradient-flow predictions on the test set with metrics and the solver record,
// and the depth diagnostics; written to the result file (docs/output-format.md) and summarized
// for the end-of-run table. The numerics are the analysis library's (include/deepntk/analysis);
// this file decides what is computed from the configuration, in which units, and where it goes.

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "deepntk/app/config.hpp"
#include "deepntk/app/phase_times.hpp"
#include "deepntk/app/progress.hpp"
#include "deepntk/io/file.hpp"
#include "deepntk/matrix/distributed_matrix.hpp"

namespace deepntk::app {

/// The targets distributed like the kernels (n x k and m x k), or absent.
struct DistributedTargets {
  std::optional<matrix::DistributedMatrix> train;
  std::optional<matrix::DistributedMatrix> test;
  std::int64_t classes = 0;  // > 0: one-hot, accuracy is reported
};

/// One kernel at one depth, in stored units (K_true = exp(log_scale) K).
struct KernelAtDepth {
  std::string_view kind;
  std::int64_t depth = 0;
  double log_scale = 0;
  const matrix::DistributedMatrix& train;          // n x n, both triangles valid
  const matrix::DistributedMatrix* test = nullptr;  // m x n, or null without test points
  std::span<const double> train_diagonal;          // n values, on every rank
};

/// What the end-of-run table shows for one kernel at one depth (true units).
struct KernelFigures {
  bool has_spectrum = false;
  double lambda_min = 0, lambda_max = 0, condition = 0, effective_rank = 0;
  bool has_mse = false;
  double mse = 0;            // at the first configured lambda
  double accuracy = -1;      // at the first configured lambda; < 0: not a classification
  bool fell_back = false;    // some solve at this depth used a fallback
  bool has_diagnostics = false;
  double mean_offdiagonal = 0;  // mean normalized off-diagonal entry (diagnostics)
};

/// Rows of /diagnostics/<kind>, one per recorded depth, kept until the end of the run.
class DiagnosticsTable {
 public:
  void append(std::int64_t depth, const std::vector<double>& row);
  /// Writes the columns (collective).
  void write(io::File& file, std::string_view kind) const;
  [[nodiscard]] bool empty() const noexcept { return depths_.empty(); }

  /// Column names, in the order of the rows given to append().
  static const std::vector<std::string_view>& columns();

 private:
  std::vector<std::int64_t> depths_;
  std::vector<std::vector<double>> rows_;
};

/// Collective. Computes and writes everything [analysis] and output.eigenvalues ask for, adding
/// the time of each step to `times` (phases spectrum, regression, diagnostics);
/// `warn` is called on every rank with one line when a solve falls back. Analysis failures
/// that every rank raises together (LinalgError, std::invalid_argument) leave as
/// mpi::CollectiveError naming depth and kernel.
[[nodiscard]] KernelFigures analyze_kernel(io::File& file, const RunConfig& config, const KernelAtDepth& kernel,
                                           const DistributedTargets& targets, DiagnosticsTable& diagnostics,
                                           const std::function<void(const std::string&)>& warn,
                                           PhaseTimes& times, ProgressReporter& progress);

}  // namespace deepntk::app
