#pragma once
// `deepntk info RESULT.h5`: a readable summary of a result file (docs/output-format.md),
// read by one process (no mpiexec needed).

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace deepntk::app {

struct ResultSummary {
  std::filesystem::path path;
  std::uintmax_t file_bytes = 0;
  std::string version, git_revision, created, grid, dataset;
  std::int64_t ranks = 0;
  std::int64_t block_size = 0;
  std::string network;   ///< "mlp, relu, sw2 = 2, sb2 = 0", from the stored configuration
  std::string schedule;  ///< depth.schedule as configured
  std::vector<std::int64_t> depths;
  struct Kind {
    std::string name;  ///< nngp or ntk
    std::int64_t depths_with_kernels = 0;
    std::vector<std::int64_t> matrix_depths;  ///< depths whose train/test matrices are stored (output.kernels)
    struct Line {
      std::int64_t depth = 0;
      std::optional<double> lambda_min, lambda_max, condition;  ///< true units
      std::optional<double> mse, accuracy;                      ///< at the first ridge value
      /// Finite width: distance to the analytic kernel, rms of z, across-network spread.
      std::optional<double> reference_distance, z_rms, normalized_spread;
    };
    std::vector<Line> lines;
  };
  std::vector<Kind> kinds;
  std::vector<std::string> notes;  ///< e.g. a configuration this build cannot read
};

/// Reads the summary with one process (MPI_COMM_SELF). Throws mpi::CollectiveError for a
/// missing, truncated or non-HDF5 file, std::invalid_argument for an HDF5 file that is not a
/// deepntk result; both name the file.
[[nodiscard]] ResultSummary read_result_summary(const std::filesystem::path& path);

[[nodiscard]] std::string format_result_summary(const ResultSummary& summary);

}  // namespace deepntk::app
