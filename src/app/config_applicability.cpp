// Which keys apply to which configurations: one row per key that another key can switch off.
// The rows follow what the run reads (app/load_dataset.cpp, kernels/network.hpp,
// app/kernel_analysis.cpp); a key not listed here always applies.

#include "deepntk/app/config_applicability.hpp"

#include <string>
#include <string_view>

#include <fmt/format.h>

#include "config_fields.hpp"

namespace deepntk::app {
namespace {

struct Applicability {
  std::string_view key;        ///< the key that may not apply
  std::string_view deciding;   ///< the key that decides
  std::string_view only_when;  ///< the values of `deciding` it applies to, for people
  bool (*applies)(const RunConfig&);
};

bool file_source(const RunConfig& c) {
  return c.data.source == DataSource::hdf5 || c.data.source == DataSource::idx ||
         c.data.source == DataSource::cifar10;
}
bool labels_in_named_files(const RunConfig& c) {  // cifar10 batches hold their labels
  return c.data.source == DataSource::hdf5 || c.data.source == DataSource::idx;
}
bool finite_width(const RunConfig& c) { return !c.network.infinite_width(); }
bool resnet(const RunConfig& c) { return c.network.architecture == Architecture::resnet; }
bool shortcut(const RunConfig& c) { return c.network.architecture == Architecture::shortcut; }
bool sphere(const RunConfig& c) { return c.data.source == DataSource::sphere; }
bool sine(const RunConfig& c) { return c.data.source == DataSource::sine; }
bool onehot(const RunConfig& c) { return c.data.targets == TargetKind::onehot; }
bool top_spectrum(const RunConfig& c) { return c.analysis.spectrum == SpectrumMethod::top; }

constexpr Applicability table[] = {
    {"network.alpha", "network.architecture", "\"resnet\"", resnet},
    {"network.readout_every", "network.architecture", "\"shortcut\"", shortcut},
    {"network.heads", "network.architecture", "\"shortcut\"", shortcut},
    {"montecarlo.samples", "network.width", "a number (finite width)", finite_width},
    {"montecarlo.seed", "network.width", "a number (finite width)", finite_width},
    {"montecarlo.compare", "network.width", "a number (finite width)", finite_width},
    {"training.steps", "network.width", "a number (finite width)", finite_width},
    {"training.learning_rate", "network.width", "a number (finite width)", finite_width},
    {"training.records", "network.width", "a number (finite width)", finite_width},
    {"montecarlo.export", "network.width", "a number (finite width)", finite_width},
    {"data.dim", "data.source", "\"sphere\"", sphere},
    {"data.noise", "data.source", "\"sine\"", sine},
    {"data.interval", "data.source", "\"sine\"", sine},
    {"data.path", "data.source", "\"hdf5\", \"idx\" or \"cifar10\"", file_source},
    {"data.subset", "data.source", "\"hdf5\", \"idx\" or \"cifar10\"", file_source},
    {"data.x_train", "data.source", "\"hdf5\", \"idx\" or \"cifar10\"", file_source},
    {"data.x_test", "data.source", "\"hdf5\", \"idx\" or \"cifar10\"", file_source},
    {"data.y_train", "data.source", "\"hdf5\" or \"idx\"", labels_in_named_files},
    {"data.y_test", "data.source", "\"hdf5\" or \"idx\"", labels_in_named_files},
    {"data.center_targets", "data.targets", "\"onehot\"", onehot},
    {"analysis.top_k", "analysis.spectrum", "\"top\"", top_spectrum},
};

}  // namespace

ConfigNotes inapplicable_key_warnings(const RunConfig& config) {
  const RunConfig defaults{};
  ConfigNotes warnings;
  for (const auto& row : table) {
    if (row.applies(config)) continue;
    const detail::Field& field = *detail::find_field(row.key);
    const std::string value = field.write(config);
    if (value == field.write(defaults)) continue;
    warnings.push_back(fmt::format(
        "warning: {} = {} is ignored: it applies only when {} is {}, and it is {}; remove it (or change {})", row.key,
        value, row.deciding, row.only_when, detail::find_field(row.deciding)->write(config), row.deciding));
  }
  return warnings;
}

}  // namespace deepntk::app
