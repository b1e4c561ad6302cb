// Reading, checking and writing RunConfig. Which keys exist and what they accept is decided
// by the schema table (config_schema.cpp); this file only walks documents and formats errors.

#include "deepntk/app/config.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "config_fields.hpp"
#include "deepntk/app/config_applicability.hpp"
#include "deepntk/app/config_schema.hpp"
#include "deepntk/kernels/depth_schedule.hpp"

namespace deepntk::app {

// ---- BranchScale ---------------------------------------------------------------------------------

std::string to_string(const BranchScale& alpha) {
  switch (alpha.rule) {
    case AlphaRule::inverse_sqrt_depth: return "1/sqrt(L)";
    case AlphaRule::constant: return fmt::format("{}", alpha.value);
    case AlphaRule::power: return fmt::format("L^-{}", alpha.value);
  }
  return fmt::format("{}", alpha.value);
}

namespace {

using detail::Field;
using detail::ValueProblem;

std::string_view trim(std::string_view text) {
  const auto space = [](char ch) { return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r'; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return text;
}

/// "file.toml:12:7: "
std::string where(const toml::source_region& region, std::string_view origin) {
  const std::string_view path = region.path && !region.path->empty() ? std::string_view(*region.path) : origin;
  return fmt::format("{}:{}:{}: ", path, region.begin.line, region.begin.column);
}

std::string join_names(std::string_view section) {
  std::string out;
  for (const auto& f : detail::fields()) {
    if (f.section != section) continue;
    if (!out.empty()) out += ", ";
    out += f.name;
  }
  return out;
}

std::string section_names() {
  std::string out;
  for (const auto& s : detail::sections()) {
    if (!out.empty()) out += ", ";
    out += s.name;
  }
  return out;
}

/// "<key>: unknown key; did you mean 'network.sw2'?" (without the location prefix).
std::string unknown_key_message(std::string_view key, bool is_section) {
  const std::string suggestion = suggest_key(key);
  std::string message = fmt::format("{}: unknown {}", key, is_section ? "section" : "key");
  if (!suggestion.empty()) return message + fmt::format("; did you mean '{}'?", suggestion);
  const std::size_t dot = key.find('.');
  if (dot != std::string_view::npos && detail::find_section(key.substr(0, dot)) != nullptr) {
    const std::string_view section = key.substr(0, dot);
    return message + fmt::format("; [{}] has the keys {}", section, join_names(section));
  }
  return message + fmt::format("; the sections are {}", section_names());
}

/// Reads one document into `config` without the checks that involve several keys. When a
/// document has several problems, the first one in the file is reported. Returns the keys the
/// document sets.
std::set<std::string> read_document(std::string_view text, std::string_view origin, RunConfig& config) {
  std::set<std::string> given;
  toml::table root;
  try {
    root = toml::parse(text, origin);
  } catch (const toml::parse_error& error) {
    throw ConfigError(fmt::format("{}TOML syntax error: {}", where(error.source(), origin), error.description()));
  }

  struct Problem {
    toml::source_position position;
    std::string message;
  };
  std::optional<Problem> first;
  const auto note = [&](const toml::source_region& region, std::string message) {
    if (!first || region.begin < first->position) {
      first = Problem{region.begin, where(region, origin) + message};
    }
  };

  for (const auto& [section_key, section_node] : root) {
    const std::string section(section_key.str());
    const auto* table = section_node.as_table();
    if (detail::find_section(section) == nullptr) {
      note(section_key.source(), unknown_key_message(section, table != nullptr));
      continue;
    }
    if (table == nullptr) {
      note(section_node.source(),
           fmt::format("{}: got {} ({}), expected a section: a line [{}] followed by its keys", section,
                       detail::render(section_node), detail::type_phrase(section_node), section));
      continue;
    }
    for (const auto& [name_key, value] : *table) {
      const std::string key = section + "." + std::string(name_key.str());
      const Field* field = detail::find_field(key);
      if (field == nullptr) {
        note(name_key.source(), unknown_key_message(key, false));
        continue;
      }
      try {
        field->read(value, config);
        given.insert(key);
      } catch (const ValueProblem& problem) {
        note(value.source(), fmt::format("{}: {}", key, problem.text));
      }
    }
  }
  if (first) throw ConfigError(first->message);
  return given;
}

/// Defaults that depend on another key, applied once every value is read: a file source uses
/// all its rows unless n_train / n_test say otherwise (the member defaults, 1024 and 256, are the
/// generated sources'). The effective configuration then names "all" itself, so the round trip
/// through to_toml stays exact.
void apply_source_defaults(RunConfig& config, const std::set<std::string>& given) {
  const auto source = config.data.source;
  if (source != DataSource::hdf5 && source != DataSource::idx && source != DataSource::cifar10) return;
  if (!given.contains("data.n_train")) config.data.n_train = DataConfig::all_rows;
  if (!given.contains("data.n_test")) config.data.n_test = DataConfig::all_rows;
}

/// A --set of depth.schedule takes output.kernels of the file along: the listed depths the new
/// schedule no longer records are dropped, with a note, instead of failing the run. Depths the
/// file's own schedule does not record either stay, and validate() reports the file's mistake.
void follow_schedule_override(const RunConfig& from_file, RunConfig& config, ConfigNotes* notes) {
  const auto& listed = config.output.kernels.listed;
  if (listed.empty()) return;
  const auto recorded_by = [](const std::string& schedule) {
    const auto parsed = kernels::DepthSchedule::parse(schedule);
    return std::set<std::int64_t>(parsed.depths().begin(), parsed.depths().end());
  };
  const auto recorded = recorded_by(config.depth.schedule);
  const auto recorded_in_file = recorded_by(from_file.depth.schedule);
  std::vector<std::int64_t> kept;
  std::vector<std::int64_t> dropped;
  for (std::int64_t depth : listed) {
    const bool drop = !recorded.contains(depth) && recorded_in_file.contains(depth);
    (drop ? dropped : kept).push_back(depth);
  }
  if (dropped.empty()) return;
  const Field& kernels_field = *detail::find_field("output.kernels");
  const std::string before = kernels_field.write(config);
  config.output.kernels = KernelDepths::only(std::move(kept));
  if (notes != nullptr) {
    notes->push_back(fmt::format(
        "note: --set depth.schedule no longer records depth{} {} of output.kernels = {}, so kernel matrices are "
        "written for {} only; to choose other depths add --set output.kernels=[...]",
        dropped.size() > 1 ? "s" : "", fmt::join(dropped, ", "), before, kernels_field.write(config)));
  }
}

/// The key of a `--set KEY=VALUE` (validated by apply_override).
std::string override_key(std::string_view assignment) {
  return std::string(trim(assignment.substr(0, assignment.find('='))));
}

/// The node an override's value text stands for. `holder` keeps a parsed value alive.
const toml::node& override_value(std::string_view key, std::string_view value, const Field& field,
                                 toml::table& holder, toml::value<std::string>& fallback) {
  const bool looks_like_toml = !value.empty() && std::string_view("[{\"'").find(value.front()) != std::string_view::npos;
  if (!field.bare_string || looks_like_toml) {
    try {
      const std::string document = fmt::format("v = {}\n", value);
      holder = toml::parse(std::string_view(document), std::string_view("--set"));
      if (holder.size() == 1 && holder.contains("v")) return *holder.get("v");
    } catch (const toml::parse_error& error) {
      if (looks_like_toml) {
        throw ConfigError(fmt::format("--set {}: '{}' is not a valid TOML value ({})", key, value,
                                      error.description()));
      }
    }
  }
  fallback = toml::value<std::string>(std::string(value));  // a bare word: resnet, 1/sqrt(L), out.h5
  return fallback;
}

std::string read_text_file(const std::filesystem::path& file) {
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec)) {
    throw ConfigError(fmt::format("cannot read configuration file '{}': it is a directory", file.string()));
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    throw ConfigError(fmt::format("cannot read configuration file '{}': {}", file.string(), std::strerror(errno)));
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) {
    throw ConfigError(fmt::format("cannot read configuration file '{}': read error", file.string()));
  }
  return std::move(buffer).str();
}

/// Word-wraps `text` into comment lines of at most ~92 characters.
std::string comment(std::string_view text) {
  std::string out;
  std::string line(1, '#');
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t end = std::min(text.find(' ', pos), text.size());
    const std::string_view word = text.substr(pos, end - pos);
    if (line.size() > 1 && line.size() + 1 + word.size() > 92) {
      out += line;
      out += '\n';
      line.resize(1);  // keep the "#"
    }
    if (!word.empty()) {
      line += ' ';
      line.append(word);
    }
    pos = end + 1;
  }
  out += line;
  out += '\n';
  return out;
}

}  // namespace

// ---- public API ------------------------------------------------------------------------------------

RunConfig parse_config_string(std::string_view document, std::string_view origin) {
  RunConfig config;
  apply_source_defaults(config, read_document(document, origin, config));
  validate(config);
  return config;
}

RunConfig parse_config_file(const std::filesystem::path& file) {
  return parse_config_string(read_text_file(file), file.string());
}

void apply_override(RunConfig& config, std::string_view assignment) {
  const std::size_t eq = assignment.find('=');
  if (eq == std::string_view::npos) {
    throw ConfigError(fmt::format(
        "--set '{}': expected KEY=VALUE with KEY a section.name, e.g. --set network.sw2=1.5", assignment));
  }
  const std::string key(trim(assignment.substr(0, eq)));
  const std::string_view value = trim(assignment.substr(eq + 1));
  const Field* field = detail::find_field(key);
  if (field == nullptr) throw ConfigError("--set " + unknown_key_message(key, false));

  toml::table holder;
  toml::value<std::string> fallback;
  const toml::node& node = override_value(key, value, *field, holder, fallback);
  RunConfig updated = config;
  try {
    field->read(node, updated);
  } catch (const ValueProblem& problem) {
    throw ConfigError(fmt::format("--set {}: {}", key, problem.text));
  }
  config = std::move(updated);
}

RunConfig load_config(const std::optional<std::filesystem::path>& file, std::span<const std::string> overrides,
                      ConfigNotes* notes) {
  RunConfig config;
  std::set<std::string> given;
  if (file) given = read_document(read_text_file(*file), file->string(), config);
  const RunConfig from_file = config;
  std::set<std::string> overridden;
  for (const auto& assignment : overrides) {
    apply_override(config, assignment);
    overridden.insert(override_key(assignment));
  }
  given.insert(overridden.begin(), overridden.end());
  apply_source_defaults(config, given);
  if (overridden.contains("depth.schedule") && !overridden.contains("output.kernels")) {
    follow_schedule_override(from_file, config, notes);
  }
  validate(config);
  if (notes != nullptr) {
    const ConfigNotes ignored = inapplicable_key_warnings(config);
    notes->insert(notes->end(), ignored.begin(), ignored.end());
  }
  return config;
}

void validate(const RunConfig& config) {
  for (const auto& field : detail::fields()) {
    try {
      field.check(config);
    } catch (const ValueProblem& problem) {
      throw ConfigError(fmt::format("{}: {}", field.key(), problem.text));
    }
  }
  // Rules that involve several keys.
  const auto source = config.data.source;
  const bool from_files = source == DataSource::hdf5 || source == DataSource::idx || source == DataSource::cifar10;
  if (from_files && config.data.path.empty()) {
    throw ConfigError(fmt::format(
        "data.path: got \"\", but data.source = \"{}\" reads its points from {}; set data.path (or --set "
        "data.path=...)",
        to_string(source), source == DataSource::hdf5 ? "a file" : "files in a directory"));
  }
  if (!from_files && (config.data.n_train == DataConfig::all_rows || config.data.n_test == DataConfig::all_rows)) {
    throw ConfigError(fmt::format(
        "data.{}: got \"all\", which means every row of a file source, but data.source = \"{}\" generates its "
        "points; give a number",
        config.data.n_train == DataConfig::all_rows ? "n_train" : "n_test", to_string(source)));
  }
  if (!from_files && config.data.targets == TargetKind::onehot) {
    throw ConfigError(fmt::format(
        "data.targets: got \"onehot\", but data.source = \"{}\" has no class labels; use "
        "\"values\" (the synthetic targets) or \"none\", or read labels from files (hdf5, idx, cifar10)",
        to_string(source)));
  }
  if ((source == DataSource::idx || source == DataSource::cifar10) && config.data.targets == TargetKind::values) {
    throw ConfigError(fmt::format(
        "data.targets: got \"values\", but data.source = \"{}\" holds class labels; set data.targets = \"onehot\" "
        "(or \"none\" for kernels only)",
        to_string(source)));
  }
  if (config.data.subset == SubsetRule::balanced && source == DataSource::hdf5 &&
      config.data.targets != TargetKind::onehot) {
    throw ConfigError(
        "data.subset: got \"balanced\", which needs class labels; with data.source = \"hdf5\" set data.targets = "
        "\"onehot\" (y_train then holds the labels)");
  }
  // A shortcut network's output averages its read-out heads; above a depth below h there is none,
  // so the sweep could not record it. Refused here so that plan refuses it too, before a run starts.
  if (config.network.architecture == Architecture::shortcut) {
    const std::int64_t h = config.network.readout_every;
    const std::int64_t first = kernels::DepthSchedule::parse(config.depth.schedule).depths().front();
    if (first < h) {
      throw ConfigError(fmt::format(
          "depth.schedule: records depth {}, but a shortcut network with network.readout_every = {} has its first "
          "read-out head at layer {}, so the smallest allowed depth is {}; start the schedule at {} or more, or "
          "lower network.readout_every",
          first, h, h, h, h));
    }
  }
  // The standard parameterization's NTK grows with the width: it has no infinite-width limit.
  if (config.network.infinite_width() && config.network.parameterization == finite::Parameterization::standard) {
    throw ConfigError(
        "network.parameterization: got \"standard\", whose NTK grows without bound with the width, but "
        "network.width = \"infinite\"; give a finite network.width, or use \"ntk\"");
  }
  if (config.training.steps > 0 && config.data.targets == TargetKind::onehot) {
    throw ConfigError(
        "training.steps: the networks have one output, but data.targets = \"onehot\" gives one target column per "
        "class; train on real targets (data.targets = \"values\": sphere, sine, hdf5 with one column), or set "
        "training.steps = 0");
  }
  if (config.training.steps > 0 && config.data.targets == TargetKind::none) {
    throw ConfigError("training.steps: training needs targets, but data.targets = \"none\"; set data.targets = "
                      "\"values\", or training.steps = 0");
  }
  if (source == DataSource::sine && config.network.sb2 == 0.0 &&
      std::find(config.data.preprocessing.begin(), config.data.preprocessing.end(), PreprocessingStep::bias) ==
          config.data.preprocessing.end()) {
    throw ConfigError(
        "data.preprocessing: data.source = \"sine\" gives 1-D points, whose only angles are 0 and pi, so the "
        "kernels cannot tell them apart; add the step \"bias\" (points (x, 1)), e.g. data.preprocessing = "
        "[\"bias\"], or set network.sb2 > 0");
  }
}

std::string to_toml(const RunConfig& config, TomlStyle style) {
  std::string out =
      "# deepntk configuration: every key with its effective value (see docs/configuration.md)\n";
  for (const auto& section : detail::sections()) {
    out += "\n";
    if (style.comments) out += comment(section.meaning);
    out += fmt::format("[{}]\n", section.name);
    bool first = true;
    for (const auto& field : detail::fields()) {
      if (field.section != section.name) continue;
      if (style.comments) {
        if (!first) out += "\n";
        out += comment(fmt::format("{} Allowed: {}.", field.meaning, field.allowed));
      }
      out += fmt::format("{} = {}\n", field.name, field.write(config));
      first = false;
    }
  }
  return out;
}

}  // namespace deepntk::app
