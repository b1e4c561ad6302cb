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

void write_spectrum(io::File& file, const KernelAtDepth& kernel, const std::vector<double>& eigenvalues,
                    const analysis::SpectrumSummary& s, const analysis::DecompositionQuality* quality) {
  const std::string group = layout::spectrum_group(kernel.kind, kernel.depth);
  io::write_vector(file, layout::eigenvalues_path(kernel.kind, kernel.depth), std::span<const double>(eigenvalues));
  io::write_attribute(file, layout::eigenvalues_path(kernel.kind, kernel.depth), "log_scale", kernel.log_scale);
  // Stored units, like the eigenvalues; log_scale converts (docs/output-format.md).
  io::write_attribute(file, group, "log_scale", kernel.log_scale);
  io::write_attribute(file, group, "lambda_min", s.lambda_min);
  io::write_attribute(file, group, "lambda_max", s.lambda_max);
  io::write_attribute(file, group, "trace", s.trace);
  io::write_attribute(file, group, "condition_number", s.condition_number);
  io::write_attribute(file, group, "effective_rank", s.effective_rank);
  io::write_attribute(file, group, "log_determinant", s.log_determinant);
  io::write_attribute(file, group, "nonpositive", s.nonpositive);
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

KernelFigures analyze(io::File& file, const RunConfig& config, const KernelAtDepth& kernel,
                      const DistributedTargets& targets, DiagnosticsTable& diagnostics,
                      const std::function<void(const std::string&)>& warn) {
  const AnalysisConfig& ac = config.analysis;
  const std::int64_t n = kernel.train.rows();
  const double scale = std::exp(kernel.log_scale);
  const bool regression = targets.train && kernel.test != nullptr && !(ac.ridge.empty() && ac.times.empty());
  // A spectral basis pays off when it serves several solves; a single lambda is one Cholesky.
  const bool use_basis = regression && (ac.ridge.size() > 1 || !ac.times.empty());
  const auto options = solve_options(ac);
  const double trace = analysis::trace(kernel.train);
  const auto lambdas = stored_lambdas(ac, trace, n, kernel.log_scale);
  KernelFigures figures;

  std::optional<analysis::SpectralBasis> basis;
  std::vector<double> eigenvalues;
  std::optional<analysis::DecompositionQuality> quality;
  if (use_basis || ac.eigenvectors) {
    auto decomposition = analysis::eigendecomposition(kernel.train);
    quality = analysis::decomposition_quality(kernel.train, decomposition);
    eigenvalues = decomposition.eigenvalues;
    if (ac.eigenvectors) {
      io::write_matrix(file, layout::eigenvectors_path(kernel.kind, kernel.depth), *decomposition.vectors);
    }
    if (use_basis) basis = analysis::make_spectral_basis(std::move(decomposition), *targets.train);
  } else if (config.output.eigenvalues) {
    // PDSYEVD, vectors dropped: measured faster than PDSYEVR without vectors (the library's
    // eigenvalues()) on deep-kernel spectra, 7.0 s against 6.2 s with vectors kept for n = 1024
    // at depths 1 and 1000 on 1 x 2; and what the pipeline used before the analysis step.
    eigenvalues = analysis::eigendecomposition(kernel.train).eigenvalues;
  }
  if (!eigenvalues.empty()) {
    const auto s = analysis::summarize_spectrum(eigenvalues);
    write_spectrum(file, kernel, eigenvalues, s, quality ? &*quality : nullptr);
    figures.has_spectrum = true;
    figures.lambda_min = s.lambda_min * scale;
    figures.lambda_max = s.lambda_max * scale;
    figures.condition = s.condition_number;
    figures.effective_rank = s.effective_rank;
  }

  if (regression) {
    const std::string group = layout::regression_group(kernel.kind, kernel.depth);
    std::vector<DistributedMatrix> predictions;
    std::vector<analysis::SolveRecord> records;
    if (basis) {
      for (auto& p : analysis::ridge_predictions(*basis, *kernel.test, lambdas)) {
        analysis::SolveRecord record;
        record.method = analysis::SolveMethod::spectral;
        record.lambda = p.parameter;
        record.floor = basis->floor;
        record.truncated = p.truncated;
        records.push_back(record);
        predictions.push_back(std::move(p.predictions));
      }
    } else if (!lambdas.empty()) {
      auto solution = analysis::ridge_solve(kernel.train, *targets.train, lambdas.front(), options);
      if (solution.record.fell_back()) warn(warning_line(kernel, solution.record, "ridge solve"));
      figures.fell_back = solution.record.fell_back();
      records.push_back(solution.record);
      predictions.push_back(analysis::predict(*kernel.test, solution.alpha));
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
      const auto flow = analysis::gradient_flow_predictions(*basis, *kernel.test, stored_times(ac, kernel.log_scale));
      std::vector<const DistributedMatrix*> views;
      for (const auto& p : flow) views.push_back(&p.predictions);
      io::write_vector(file, group + "/flow/times", std::span<const double>(ac.times));
      write_predictions(file, group + "/flow/predictions", views);
      (void)write_metrics(file, group + "/flow", views, targets);
    }
  }

  if (ac.diagnostics) {
    const auto d = analysis::normalized_gram_diagnostics(kernel.train, kernel.train_diagonal);
    std::vector<double> row{d.min_offdiagonal,  d.mean_offdiagonal,          d.max_offdiagonal,
                            d.distance_to_ones, d.relative_distance_to_ones, d.best_c,
                            d.distance_to_best, d.relative_distance_to_best};
    const double nan = std::numeric_limits<double>::quiet_NaN();
    double lambda = nan, weight_min = nan, weight_mean = nan, weight_max = nan;
    if (kernel.test != nullptr) {
      // Weights of the first configured lambda (0 when none: the NTK predictor Kt K^+).
      lambda = lambdas.empty() ? 0.0 : lambdas.front();
      const auto w = analysis::predictor_weight_sums(*kernel.test, kernel.train, lambda, options);
      if (w.record.fell_back()) warn(warning_line(kernel, w.record, "predictor weights"));
      figures.fell_back = figures.fell_back || w.record.fell_back();
      weight_min = w.min, weight_mean = w.mean, weight_max = w.max;
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
                             const std::function<void(const std::string&)>& warn) {
  // The analysis library raises these on every rank together (its scalars are replicated), so
  // they are collective errors: main() reports them once instead of aborting the job.
  try {
    return analyze(file, config, kernel, targets, diagnostics, warn);
  } catch (const linalg::LinalgError& e) {
    throw mpi::CollectiveError(fmt::format("depth {}, kernel {}: {}", kernel.depth, kernel.kind, e.what()));
  } catch (const std::invalid_argument& e) {
    throw mpi::CollectiveError(fmt::format("depth {}, kernel {}: {}", kernel.depth, kernel.kind, e.what()));
  }
}

}  // namespace deepntk::app
