#pragma once
// Private to src/app/config*.cpp: the schema table itself. One Field per configuration key,
// carrying everything about that key: its text (for docs and messages) and how to read it
// from a TOML node, check it, and write it back as TOML.

#include <functional>
#include <span>
#include <string>
#include <string_view>

#include <toml++/toml.h>

#include "deepntk/app/config.hpp"

namespace deepntk::app::detail {

/// A problem with one value, without the where and the which: "got -1.0, expected a float
/// > 0". The caller turns it into a ConfigError naming the key and the location.
struct ValueProblem {
  std::string text;
};

struct Section {
  std::string_view name;
  std::string_view meaning;
};

struct Field {
  std::string_view section;
  std::string_view name;
  std::string type;     ///< for people: "integer", "float", "string", ...
  std::string allowed;  ///< for people: ">= 1", "mlp | resnet | shortcut"
  std::string_view meaning;
  /// True for plain string keys: an unquoted `--set` value is taken verbatim.
  bool bare_string = false;
  /// Converts `node`, stores it in the config and checks it. Throws ValueProblem.
  std::function<void(const toml::node& node, RunConfig& config)> read;
  /// Checks the stored value. Throws ValueProblem.
  std::function<void(const RunConfig& config)> check;
  /// The stored value as TOML value text.
  std::function<std::string(const RunConfig& config)> write;

  [[nodiscard]] std::string key() const;
};

[[nodiscard]] std::span<const Section> sections();
[[nodiscard]] std::span<const Field> fields();
[[nodiscard]] const Field* find_field(std::string_view key);
[[nodiscard]] const Section* find_section(std::string_view name);

// TOML text helpers, shared by reading (messages) and writing.
[[nodiscard]] std::string toml_quote(std::string_view text);
[[nodiscard]] std::string toml_float(double value);
/// A node as TOML-like text for messages, shortened to about 60 characters.
[[nodiscard]] std::string render(const toml::node& node);
/// "an integer", "a string", ...
[[nodiscard]] std::string_view type_phrase(const toml::node& node);

}  // namespace deepntk::app::detail
