#include "deepntk/app/info.hpp"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "deepntk/app/config.hpp"
#include "deepntk/app/plan.hpp"
#include "deepntk/app/result_layout.hpp"
#include "deepntk/core/counted.hpp"
#include "deepntk/io/attributes.hpp"
#include "deepntk/io/file.hpp"
#include "deepntk/io/replicated_array.hpp"
#include "deepntk/mpi/communicator.hpp"

namespace deepntk::app {
namespace {

template <class T>
std::optional<T> attribute_if_present(const io::File& file, const std::string& object, std::string_view name) {
  if (!file.exists(object) || !io::has_attribute(file, object, name)) return std::nullopt;
  return io::read_attribute<T>(file, object, name);
}

std::optional<double> first_value(const io::File& file, const std::string& path) {
  if (!file.is_dataset(path)) return std::nullopt;
  const auto values = io::read_double_array(file, path).values;
  if (values.empty()) return std::nullopt;
  return values.front();
}

std::string describe_network(const NetworkConfig& n) {
  std::string out = fmt::format("{}, {}, sw2 = {:g}, sb2 = {:g}", to_string(n.architecture), to_string(n.activation),
                                n.sw2, n.sb2);
  if (n.architecture == Architecture::resnet) out += ", alpha = " + to_string(n.alpha);
  if (n.architecture == Architecture::shortcut) {
    out += fmt::format(", a read-out every {}, heads combined by {}", counted(n.readout_every, "layer"),
                       finite::to_string(n.heads));
  }
  return out;
}

std::string optional_number(const std::optional<double>& value, std::string_view spec) {
  return value ? fmt::format(fmt::runtime(spec), *value) : std::string("-");
}

}  // namespace

ResultSummary read_result_summary(const std::filesystem::path& path) {
  const mpi::Communicator self(MPI_COMM_SELF);
  const auto file = io::File::open_read_only(self, path);
  ResultSummary s;
  s.path = path;
  std::error_code ec;
  s.file_bytes = std::filesystem::file_size(path, ec);
  if (!io::has_attribute(file, "/", "version") || !file.is_dataset(std::string(layout::depths))) {
    throw std::invalid_argument(fmt::format("'{}' is an HDF5 file but not a deepntk result (no 'version' attribute "
                                            "or no /depths); `deepntk info` reads files written by `deepntk run`",
                                            path.string()));
  }
  s.version = io::read_attribute<std::string>(file, "/", "version");
  s.git_revision = attribute_if_present<std::string>(file, "/", "git_revision").value_or("?");
  s.created = attribute_if_present<std::string>(file, "/", "created").value_or("?");
  s.grid = attribute_if_present<std::string>(file, "/", "grid").value_or("?");
  s.dataset = attribute_if_present<std::string>(file, "/", "dataset").value_or("?");
  s.ranks = attribute_if_present<std::int64_t>(file, "/", "ranks").value_or(0);
  s.block_size = attribute_if_present<std::int64_t>(file, "/", "block_size").value_or(0);
  s.depths = io::read_int64_array(file, layout::depths).values;

  std::vector<std::string> kinds;
  if (const auto text = attribute_if_present<std::string>(file, "/", "configuration")) {
    try {
      const RunConfig config = parse_config_string(*text, "the stored configuration");
      s.network = describe_network(config.network);
      s.network += config.network.infinite_width()
                       ? ", infinite width"
                       : fmt::format(", width {}, {} random networks per depth (seed {}, {} parameterization)",
                                     config.network.width, config.montecarlo.samples, config.montecarlo.seed,
                                     to_string(config.network.parameterization));
      s.schedule = config.depth.schedule;
      for (auto kind : config.depth.kinds) kinds.emplace_back(to_string(kind));
    } catch (const std::exception& e) {
      s.notes.push_back(fmt::format("the stored configuration is not readable by this version: {}", e.what()));
    }
  }
  if (kinds.empty()) {
    for (const char* kind : {"nngp", "ntk"}) {
      if (file.is_group("/kernels/" + std::string(kind)) || file.is_group("/spectrum/" + std::string(kind))) {
        kinds.emplace_back(kind);
      }
    }
  }

  for (const auto& name : kinds) {
    ResultSummary::Kind kind;
    kind.name = name;
    for (const std::int64_t depth : s.depths) {
      const std::string group = layout::kernel_group(name, depth);
      if (!file.is_group(group)) continue;
      ++kind.depths_with_kernels;
      if (file.is_dataset(layout::kernel_path(name, depth, "train"))) kind.matrix_depths.push_back(depth);
      ResultSummary::Kind::Line line;
      line.depth = depth;
      const std::string spectrum = layout::spectrum_group(name, depth);
      if (file.is_group(spectrum)) {
        const double scale = std::exp(attribute_if_present<double>(file, spectrum, "log_scale").value_or(0.0));
        if (auto v = attribute_if_present<double>(file, spectrum, "lambda_min")) line.lambda_min = *v * scale;
        if (auto v = attribute_if_present<double>(file, spectrum, "lambda_max")) line.lambda_max = *v * scale;
        line.condition = attribute_if_present<double>(file, spectrum, "condition_number");
      }
      const std::string regression = layout::regression_group(name, depth);
      line.mse = first_value(file, regression + "/mse");
      line.accuracy = first_value(file, regression + "/accuracy");
      line.reference_distance = attribute_if_present<double>(file, group, "reference_distance");
      line.z_rms = attribute_if_present<double>(file, group, "z_rms");
      line.normalized_spread = attribute_if_present<double>(file, group, "normalized_spread");
      kind.lines.push_back(line);
    }
    s.kinds.push_back(std::move(kind));
  }
  return s;
}

std::string format_result_summary(const ResultSummary& s) {
  std::string out = fmt::format("{}: deepntk result, {}\n", s.path.string(), format_bytes(static_cast<std::int64_t>(s.file_bytes)));
  out += fmt::format("  written by   deepntk {} (git {}) on {}\n", s.version, s.git_revision, s.created);
  out += fmt::format("  parallel     {}, {} grid, block size {}\n", counted(s.ranks, "rank"), s.grid, s.block_size);
  out += fmt::format("  dataset      {}\n", s.dataset);
  if (!s.network.empty()) out += fmt::format("  network      {}\n", s.network);
  std::string depth_range = s.depths.empty() ? "none" : fmt::format("{} depths from {} to {}", s.depths.size(),
                                                                     s.depths.front(), s.depths.back());
  out += fmt::format("  schedule     {}{}\n", depth_range, s.schedule.empty() ? "" : " (depth.schedule = \"" + s.schedule + "\")");
  for (const auto& note : s.notes) out += fmt::format("  note         {}\n", note);
  for (const auto& kind : s.kinds) {
    const std::size_t stored = kind.matrix_depths.size();
    const std::string matrices =
        stored == 0 ? ", diagonals only (output.kernels = false)"
        : stored == static_cast<std::size_t>(kind.depths_with_kernels)
            ? ", kernel matrices stored"
            : fmt::format(", kernel matrices stored at depths {}", fmt::join(kind.matrix_depths, ", "));
    out += fmt::format("\n  {}: {} of {} depths present{}\n", kind.name, kind.depths_with_kernels, s.depths.size(),
                       matrices);
    if (kind.lines.empty()) continue;
    out += fmt::format("    {:>9}  {:>12}  {:>12}  {:>11}  {:>12}  {:>8}\n", "depth", "lambda_min", "lambda_max",
                       "condition", "test MSE", "accuracy");
    for (const auto& line : kind.lines) {
      out += fmt::format("    {:>9}  {:>12}  {:>12}  {:>11}  {:>12}  {:>8}\n", line.depth,
                         optional_number(line.lambda_min, "{:.5g}"), optional_number(line.lambda_max, "{:.5g}"),
                         optional_number(line.condition, "{:.4g}"), optional_number(line.mse, "{:.5g}"),
                         optional_number(line.accuracy, "{:.3f}"));
    }
    bool finite = false;
    for (const auto& line : kind.lines) finite = finite || line.normalized_spread.has_value();
    if (!finite) continue;
    out += fmt::format("    {:>9}  {:>14}  {:>8}  {:>16}   (finite width against infinite width)\n", "depth",
                       "distance", "z rms", "spread of K_ij");
    for (const auto& line : kind.lines) {
      out += fmt::format("    {:>9}  {:>14}  {:>8}  {:>16}\n", line.depth, optional_number(line.reference_distance, "{:.4g}"),
                         optional_number(line.z_rms, "{:.3f}"), optional_number(line.normalized_spread, "{:.4g}"));
    }
  }
  bool any_finite = false;
  for (const auto& kind : s.kinds)
    for (const auto& line : kind.lines) any_finite = any_finite || line.normalized_spread.has_value();
  if (any_finite) {
    out += "  (distance: ||mean - analytic||_F / ||analytic||_F; z rms: of (mean - analytic) / standard error, about 1\n"
           "   when the analytic kernel is the mean's expectation; spread of K_ij: across networks, normalized entries)\n";
  }
  out += "  (eigenvalues in true kernel units; test MSE and accuracy at the first analysis.ridge value)\n";
  return out;
}

}  // namespace deepntk::app
