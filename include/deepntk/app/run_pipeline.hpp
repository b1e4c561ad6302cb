#pragma once
// The `deepntk run` pipeline: data -> input Gram (distributed) -> depth sweep -> at each
// recorded depth the kernels, their spectra -> one HDF5 result file.

#include <mpi.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "deepntk/app/config.hpp"
#include "deepntk/app/kernel_analysis.hpp"

namespace deepntk::app {

struct RunOptions {
  bool force = false;    // overwrite an existing result file
  bool fresh = false;    // discard a checkpoint instead of resuming from it
  bool verbose = false;
  bool quiet = false;
  std::optional<std::filesystem::path> config_file;  // CONFIG.toml, if given: never the output
};

/// What a finished run reports (identical on every rank).
struct RunSummary {
  std::string output_path;
  std::string grid;  // "1x2"
  int ranks = 1;
  std::int64_t n_train = 0;
  std::int64_t n_test = 0;
  std::vector<std::int64_t> depths;
  struct DepthLine {
    std::int64_t depth = 0;
    std::string kind;  // "nngp" / "ntk"
    double mean_normalized_offdiagonal = 0;
    KernelFigures figures;  // spectrum (true units), test MSE, accuracy, fallback flag
  };
  std::vector<DepthLine> lines;
  double seconds = 0;
  std::vector<std::pair<std::string, double>> phases;  // rank 0's wall time per phase, in run order
};

/// Runs the pipeline collectively on `comm`.
[[nodiscard]] RunSummary run_pipeline(const RunConfig& config, const RunOptions& options, MPI_Comm comm);

/// The short human summary printed at the end of a run.
[[nodiscard]] std::string format_summary(const RunSummary& summary);

}  // namespace deepntk::app
