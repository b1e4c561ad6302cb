#pragma once
// Where each result lives in the HDF5 file. One definition, used by the writer, the tests
// and the documentation (docs/output-format.md).

#include <cstdint>
#include <string>
#include <string_view>

namespace deepntk::app::layout {

inline constexpr std::string_view depths = "/depths";
inline constexpr std::string_view x_train = "/data/x_train";
inline constexpr std::string_view x_test = "/data/x_test";

/// "/kernels/<kind>/<depth>": holds train, test, train_diag, test_diag; attribute log_scale.
[[nodiscard]] inline std::string kernel_group(std::string_view kind, std::int64_t depth) {
  return "/kernels/" + std::string(kind) + "/" + std::to_string(depth);
}
/// part: "train" (n x n), "test" (n_test x n), "train_diag", "test_diag".
[[nodiscard]] inline std::string kernel_path(std::string_view kind, std::int64_t depth, std::string_view part) {
  return kernel_group(kind, depth) + "/" + std::string(part);
}
/// "/spectrum/<kind>/<depth>": eigenvalues; the summary as attributes of the group.
[[nodiscard]] inline std::string spectrum_group(std::string_view kind, std::int64_t depth) {
  return "/spectrum/" + std::string(kind) + "/" + std::to_string(depth);
}
[[nodiscard]] inline std::string eigenvalues_path(std::string_view kind, std::int64_t depth) {
  return spectrum_group(kind, depth) + "/eigenvalues";
}
[[nodiscard]] inline std::string eigenvectors_path(std::string_view kind, std::int64_t depth) {
  return spectrum_group(kind, depth) + "/eigenvectors";
}

inline constexpr std::string_view y_train = "/targets/y_train";
inline constexpr std::string_view y_test = "/targets/y_test";

/// "/regression/<kind>/<depth>": lambdas, predictions, mse, accuracy and the solver table;
/// the gradient-flow results in its subgroup "flow".
[[nodiscard]] inline std::string regression_group(std::string_view kind, std::int64_t depth) {
  return "/regression/" + std::string(kind) + "/" + std::to_string(depth);
}
/// "/diagnostics/<kind>": one row per recorded depth.
[[nodiscard]] inline std::string diagnostics_group(std::string_view kind) {
  return "/diagnostics/" + std::string(kind);
}

/// Wall-clock seconds per phase (attribute "phases": their names, comma-separated; "total").
inline constexpr std::string_view timing_seconds = "/timing/seconds";

}  // namespace deepntk::app::layout
