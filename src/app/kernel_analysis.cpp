#include "deepntk/app/kernel_analysis.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>

#include "deepntk/analysis/diagnostics.hpp"
#include "deepntk/analysis/metrics.hpp"
#include "deepntk/analysis/prediction.hpp"
#include "deepntk/analysis/ridge.hpp"
#include "deepntk/analysis/spectrum.hpp"
#include "deepntk/app/result_layout.hpp"
#include "deepntk/io/attributes.hpp"
#include "deepntk/io/matrix_io.hpp"
#include "deepntk/io/replicated_array.hpp"
#include "deepntk/linalg/error.hpp"
#include "deepntk/linalg/pblas.hpp"
#include "deepntk/mpi/error.hpp"

namespace deepntk::app {

using matrix::DistributedMatrix;

namespace {

analysis::SolveOptions solve_options(const AnalysisConfig& config) {
  analysis::SolveOptions options;
  switch (config.fallback) {
    case FallbackKind::spectral: options.fallback = analysis::Fallback::spectral; break;
    case FallbackKind::jitter: options.fallback = analysis::Fallback::jitter; break;
    case FallbackKind::none: options.fallback = analysis::Fallback::none; break;
  }
  return options;
}

// The configured lambdas in the stored units of the kernel. Relative ones scale with trace(K)/n,
// which already carries the storage scale; absolute ones are true units: K_true + lambda I =
// exp(log_scale) (K + lambda exp(-log_scale) I), and the predictions Kt (K + l I)^-1 Y do not
// change under the common factor.
std::vector<double> stored_lambdas(const AnalysisConfig& config, double trace, std::int64_t n, double log_scale) {
  std::vector<double> out;
  for (double value : config.ridge) {
    out.push_back(config.ridge_scale == RidgeScale::relative
                      ? analysis::Ridge{value, analysis::Ridge::Scale::relative}.resolve(trace, n)
                      : value * std::exp(-log_scale));
  }
  return out;
}

// Gradient flow on K_true = exp(log_scale) K for time t is flow on K for time t exp(log_scale).
std::vector<double> stored_times(const AnalysisConfig& config, double log_scale) {
  std::vector<double> out;
  for (double t : config.times) out.push_back(t * std::exp(log_scale));
  return out;
}

// m x k predictions for every parameter, gathered (m x k is small next to the kernels) and
// stored row-major as parameters x m x k.
void write_predictions(io::File& file, const std::string& path, const std::vector<const DistributedMatrix*>& all) {
  if (all.empty()) return;
  const std::int64_t m = all.front()->rows();
  const std::int64_t k = all.front()->cols();
  std::vector<double> values;
  values.reserve(static_cast<std::size_t>(static_cast<std::int64_t>(all.size()) * m * k));
  for (const auto* prediction : all) {
    const auto whole = prediction->gather();  // column-major m x k
    for (std::int64_t i = 0; i < m; ++i)
      for (std::int64_t j = 0; j < k; ++j) values.push_back(whole[static_cast<std::size_t>(i + j * m)]);
  }
  io::write_array(file, path, values, {static_cast<std::int64_t>(all.size()), m, k});
}

// MSE and accuracy of each prediction against the test targets, written next to them.
struct Metrics {
  std::vector<double> mse;
  std::vector<double> accuracy;
};
Metrics write_metrics(io::File& file, const std::string& group, const std::vector<const DistributedMatrix*>& all,
                      const DistributedTargets& targets) {
  Metrics metrics;
  if (!targets.test) return metrics;
  for (const auto* prediction : all) {
    metrics.mse.push_back(analysis::mean_squared_error(*prediction, *targets.test));
    if (targets.classes > 0) metrics.accuracy.push_back(analysis::classification_accuracy(*prediction, *targets.test).fraction());
  }
  io::write_vector(file, group + "/mse", std::span<const double>(metrics.mse));
  if (targets.classes > 0) io::write_vector(file, group + "/accuracy", std::span<const double>(metrics.accuracy));
  return metrics;
}

// The solver table: one row per lambda (docs/output-format.md).
void write_solver_records(io::File& file, const std::string& group, const std::vector<analysis::SolveRecord>& records) {
  std::vector<std::int64_t> minor, truncated;
  std::vector<double> rcond, jitter;
  std::string methods, reasons;
  for (const auto& r : records) {
    minor.push_back(r.failing_minor);
    truncated.push_back(r.truncated);
    rcond.push_back(r.reciprocal_condition);
    jitter.push_back(r.jitter);
    if (!methods.empty()) methods += ',', reasons += ',';
    methods += analysis::to_string(r.method);
    reasons += analysis::to_string(r.reason);
  }
  io::write_vector(file, group + "/solver/failing_minor", std::span<const std::int64_t>(minor));
  io::write_vector(file, group + "/solver/truncated", std::span<const std::int64_t>(truncated));
  io::write_vector(file, group + "/solver/reciprocal_condition", std::span<const double>(rcond));
  io::write_vector(file, group + "/solver/jitter", std::span<const double>(jitter));
  io::write_attribute(file, group + "/solver", "method", std::string_view(methods));
  io::write_attribute(file, group + "/solver", "reason", std::string_view(reasons));
}

void write_spectrum(io::File& file, const KernelAtDepth& kernel, const std::vector<double>& eigenvalues, bool partial,
                    std::string_view method, const analysis::DecompositionQuality* quality) {
  const std::string group = layout::spectrum_group(kernel.kind, kernel.depth);
  io::write_vector(file, layout::eigenvalues_path(kernel.kind, kernel.depth), std::span<const double>(eigenvalues));
  io::write_attribute(file, layout::eigenvalues_path(kernel.kind, kernel.depth), "log_scale", kernel.log_scale);
  // Stored units, like the eigenvalues; log_scale converts (docs/output-format.md).
  io::write_attribute(file, group, "log_scale", kernel.log_scale);
  io::write_attribute(file, group, "method", method);
  io::write_attribute(file, group, "lambda_max", eigenvalues.back());
  if (partial) {
    // The top k alone cannot give lambda_min, the trace, the condition number or log det.
    io::write_attribute(file, group, "top_k", static_cast<std::int64_t>(eigenvalues.size()));
  } else {
    const auto s = analysis::summarize_spectrum(eigenvalues);
    io::write_attribute(file, group, "lambda_min", s.lambda_min);
    io::write_attribute(file, group, "trace", s.trace);
    io::write_attribute(file, group, "condition_number", s.condition_number);
    io::write_attribute(file, group, "effective_rank", s.effective_rank);
    io::write_attribute(file, group, "log_determinant", s.log_determinant);
    io::write_attribute(file, group, "nonpositive", s.nonpositive);
  }
  if (quality) {
    io::write_attribute(file, group, "residual", quality->residual);
    io::write_attribute(file, group, "orthogonality", quality->orthogonality);
  }
}

std::string warning_line(const KernelAtDepth& kernel, const analysis::SolveRecord& record, std::string_view what) {
  return fmt::format("warning: depth {}, kernel {}: {}: Cholesky refused ({}{}); used {}", kernel.depth, kernel.kind,
                     what, analysis::to_string(record.reason),
                     record.failing_minor > 0 ? fmt::format(" at leading minor {}", record.failing_minor) : "",
                     record.describe());
}

// [Y | 1]: the training targets with a column of ones appended, so that one solve gives the
// ridge coefficients and u = (K + lambda I)^-1 1, whose product Kt u is the predictor-weight row
// sums of the diagnostics (no second factorization or basis for them).
DistributedMatrix with_ones_column(const DistributedMatrix& y) {
  DistributedMatrix out(y.shared_grid(), y.rows(), y.cols() + 1, y.block());
  out.fill([](matrix::GlobalIndex, matrix::GlobalIndex) { return 1.0; });
  linalg::copy_columns(y, 0, y.cols(), out);
  return out;
}

// Splits an n x (k+1) solve of [Y | 1] into the k target columns and the ones column.
struct SplitSolution {
  DistributedMatrix alpha;  // n x k
  DistributedMatrix u;      // n x 1
};
SplitSolution split_ones_column(const DistributedMatrix& both) {
  const std::int64_t k = both.cols() - 1;
  SplitSolution out{DistributedMatrix(both.shared_grid(), both.rows(), k, both.block()),
                    DistributedMatrix(both.shared_grid(), both.rows(), 1, both.block())};
  linalg::copy_columns(both, 0, k, out.alpha);
  linalg::copy_columns(both, k, 1, out.u);
  return out;
}

// The spectrum as configured, from a full decomposition when one exists (the regression's),
// else with the method analysis.spectrum names.
struct ComputedSpectrum {
  std::vector<double> eigenvalues;  // ascending; all n, or the top k
  bool partial = false;             // only the top k
  std::optional<analysis::DecompositionQuality> quality;
  std::string method;               // "pdsyevd", "pdsyevr", "pdsyevr-top"
};

KernelFigures analyze(io::File& file, const RunConfig& config, const KernelAtDepth& kernel,
                      const DistributedTargets& targets, DiagnosticsTable& diagnostics,
                      const std::function<void(const std::string&)>& warn, PhaseTimes& times,
                      ProgressReporter& progress) {
  const AnalysisConfig& ac = config.analysis;
  const std::int64_t n = kernel.train.rows();
  const double scale = std::exp(kernel.log_scale);
  const bool regression = targets.train && kernel.test != nullptr && !(ac.ridge.empty() && ac.times.empty());
  const bool weights = ac.diagnostics && kernel.test != nullptr;
  // A spectral basis pays off when it serves several solves; a single lambda is one Cholesky.
  const bool use_basis = regression && (ac.ridge.size() > 1 || !ac.times.empty());
  const bool full_spectrum = config.output.eigenvalues && ac.spectrum == SpectrumMethod::all;
  const auto options = solve_options(ac);
  const double trace = analysis::trace(kernel.train);
  const auto lambdas = stored_lambdas(ac, trace, n, kernel.log_scale);
  // The first lambda's weights ride along with the regression's solve as one more column.
  const bool weights_with_regression = weights && regression && !lambdas.empty();
  std::optional<DistributedMatrix> solve_targets;
  if (regression) solve_targets = weights_with_regression ? with_ones_column(*targets.train) : *targets.train;
  KernelFigures figures;

  std::optional<analysis::SpectralBasis> basis;
  ComputedSpectrum spectrum;
  {
    progress.phase("spectrum", kernel.kind, kernel.depth);
    const auto timed = times.measure("spectrum");
    if (use_basis || ac.eigenvectors || full_spectrum) {
      auto decomposition = analysis::eigendecomposition(kernel.train);
      spectrum.quality = analysis::decomposition_quality(kernel.train, decomposition);
      spectrum.eigenvalues = decomposition.eigenvalues;
      spectrum.method = "pdsyevd";
      if (ac.eigenvectors) {
        io::write_matrix(file, layout::eigenvectors_path(kernel.kind, kernel.depth), *decomposition.vectors);
      }
      if (use_basis) basis = analysis::make_spectral_basis(std::move(decomposition), *solve_targets);
    } else if (config.output.eigenvalues && ac.spectrum == SpectrumMethod::values) {
      spectrum.eigenvalues = analysis::eigenvalues(kernel.train);
      spectrum.method = "pdsyevr";
    } else if (config.output.eigenvalues && ac.spectrum == SpectrumMethod::top) {
      const auto top = analysis::top_eigenpairs(kernel.train, std::min(ac.top_k, n), true);
      spectrum.quality = analysis::decomposition_quality(kernel.train, top);
      spectrum.eigenvalues = top.eigenvalues;
      spectrum.partial = std::min(ac.top_k, n) < n;
      spectrum.method = "pdsyevr-top";
    }
  }
  if (config.output.eigenvalues && !spectrum.eigenvalues.empty()) {
    write_spectrum(file, kernel, spectrum.eigenvalues, spectrum.partial, spectrum.method,
                   spectrum.quality ? &*spectrum.quality : nullptr);
    figures.has_spectrum = true;
    figures.lambda_max = spectrum.eigenvalues.back() * scale;
    if (spectrum.partial) {
      figures.lambda_min = figures.condition = figures.effective_rank = std::numeric_limits<double>::quiet_NaN();
    } else {
      const auto s = analysis::summarize_spectrum(spectrum.eigenvalues);
      figures.lambda_min = s.lambda_min * scale;
      figures.condition = s.condition_number;
      figures.effective_rank = s.effective_rank;
    }
  }

  std::optional<analysis::PredictorWeightSums> weight_sums;
  if (regression) {
    progress.phase("regression", kernel.kind, kernel.depth);
    const auto timed = times.measure("regression");
    const std::string group = layout::regression_group(kernel.kind, kernel.depth);
    std::vector<DistributedMatrix> predictions;
    std::vector<analysis::SolveRecord> records;
    // Predictions from one n x k' solution; the ones column (if any) becomes the weight sums.
    const auto take = [&](const DistributedMatrix& alpha, const analysis::SolveRecord& record) {
      if (weights_with_regression) {
        auto parts = split_ones_column(alpha);
        if (!weight_sums) weight_sums = analysis::predictor_weight_sums(*kernel.test, {std::move(parts.u), record});
        predictions.push_back(analysis::predict(*kernel.test, parts.alpha));
      } else {
        predictions.push_back(analysis::predict(*kernel.test, alpha));
      }
      records.push_back(record);
    };
    if (basis) {
      for (const double lambda : lambdas) {
        const auto solution = analysis::spectral_ridge(*basis, lambda);
        take(solution.alpha, solution.record);
      }
    } else if (!lambdas.empty()) {
      const auto solution = analysis::ridge_solve(kernel.train, *solve_targets, lambdas.front(), options);
      if (solution.record.fell_back()) warn(warning_line(kernel, solution.record, "ridge solve"));
      figures.fell_back = solution.record.fell_back();
      take(solution.alpha, solution.record);
    }
    if (!lambdas.empty()) {
      std::vector<const DistributedMatrix*> views;
      for (const auto& p : predictions) views.push_back(&p);
      io::write_vector(file, group + "/lambdas", std::span<const double>(ac.ridge));
      io::write_vector(file, group + "/lambdas_stored", std::span<const double>(lambdas));
      io::write_attribute(file, group, "ridge_scale", to_string(ac.ridge_scale));
      write_predictions(file, group + "/predictions", views);
      const auto metrics = write_metrics(file, group, views, targets);
      write_solver_records(file, group, records);
      if (!metrics.mse.empty()) {
        figures.has_mse = true;
        figures.mse = metrics.mse.front();
      }
      if (!metrics.accuracy.empty()) figures.accuracy = metrics.accuracy.front();
    }
    if (!ac.times.empty()) {
      // The basis holds [Y | 1] when the weights ride along: flow predictions use the Y columns.
      std::vector<DistributedMatrix> flow;
      for (const double t : stored_times(ac, kernel.log_scale)) {
        const auto alpha = analysis::gradient_flow_coefficients(*basis, t);
        flow.push_back(analysis::predict(*kernel.test,
                                         weights_with_regression ? split_ones_column(alpha).alpha : alpha));
      }
      std::vector<const DistributedMatrix*> views;
      for (const auto& p : flow) views.push_back(&p);
      io::write_vector(file, group + "/flow/times", std::span<const double>(ac.times));
      write_predictions(file, group + "/flow/predictions", views);
      (void)write_metrics(file, group + "/flow", views, targets);
    }
  }

  if (ac.diagnostics) {
    progress.phase("diagnostics", kernel.kind, kernel.depth);
    const auto timed = times.measure("diagnostics");
    const auto d = analysis::normalized_gram_diagnostics(kernel.train, kernel.train_diagonal);
    figures.has_diagnostics = true;
    figures.mean_offdiagonal = d.mean_offdiagonal;
    std::vector<double> row{d.min_offdiagonal,  d.mean_offdiagonal,          d.max_offdiagonal,
                            d.distance_to_ones, d.relative_distance_to_ones, d.best_c,
                            d.distance_to_best, d.relative_distance_to_best};
    const double nan = std::numeric_limits<double>::quiet_NaN();
    double lambda = nan, weight_min = nan, weight_mean = nan, weight_max = nan;
    if (weights) {
      // Weights of the first configured lambda (0 when none: the NTK predictor Kt K^+).
      lambda = lambdas.empty() ? 0.0 : lambdas.front();
      if (!weight_sums) {
        weight_sums = analysis::predictor_weight_sums(*kernel.test, kernel.train, lambda, options);
        if (weight_sums->record.fell_back()) warn(warning_line(kernel, weight_sums->record, "predictor weights"));
        figures.fell_back = figures.fell_back || weight_sums->record.fell_back();
      }
      weight_min = weight_sums->min, weight_mean = weight_sums->mean, weight_max = weight_sums->max;
    }
    row.insert(row.end(), {lambda, weight_min, weight_mean, weight_max});
    diagnostics.append(kernel.depth, row);
  }
  return figures;
}

}  // namespace

const std::vector<std::string_view>& DiagnosticsTable::columns() {
  static const std::vector<std::string_view> names{
      "offdiag_min",      "offdiag_mean",     "offdiag_max",       "distance_to_ones", "relative_distance_to_ones",
      "best_c",           "distance_to_best", "relative_distance_to_best", "weight_lambda", "weight_sum_min",
      "weight_sum_mean",  "weight_sum_max"};
  return names;
}

void DiagnosticsTable::append(std::int64_t depth, const std::vector<double>& row) {
  if (row.size() != columns().size()) throw std::logic_error("DiagnosticsTable: row does not match the columns");
  depths_.push_back(depth);
  rows_.push_back(row);
}

void DiagnosticsTable::write(io::File& file, std::string_view kind) const {
  const std::string group = layout::diagnostics_group(kind);
  io::write_vector(file, group + "/depth", std::span<const std::int64_t>(depths_));
  for (std::size_t c = 0; c < columns().size(); ++c) {
    std::vector<double> column;
    for (const auto& row : rows_) column.push_back(row[c]);
    io::write_vector(file, group + "/" + std::string(columns()[c]), std::span<const double>(column));
  }
}

KernelFigures analyze_kernel(io::File& file, const RunConfig& config, const KernelAtDepth& kernel,
                             const DistributedTargets& targets, DiagnosticsTable& diagnostics,
                             const std::function<void(const std::string&)>& warn, PhaseTimes& times,
                             ProgressReporter& progress) {
  // The analysis library raises these on every rank together (its scalars are replicated), so
  // they are collective errors: main() reports them once instead of aborting the job.
  try {
    return analyze(file, config, kernel, targets, diagnostics, warn, times, progress);
  } catch (const linalg::LinalgError& e) {
    throw mpi::CollectiveError(fmt::format("depth {}, kernel {}: {}", kernel.depth, kernel.kind, e.what()));
  } catch (const std::invalid_argument& e) {
    throw mpi::CollectiveError(fmt::format("depth {}, kernel {}: {}", kernel.depth, kernel.kind, e.what()));
  }
}

}  // namespace deepntk::app
