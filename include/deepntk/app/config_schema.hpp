#pragma once
// The configuration schema as data: one row per key, in the order the keys appear in
// to_toml() and docs/configuration.md. Parsing, validation, suggestions and to_toml() are
// driven by the same table (src/app/config_schema.cpp); this header exposes its text.

#include <span>
#include <string>
#include <string_view>

namespace deepntk::app {

struct SectionDescription {
  std::string name;     ///< "network"
  std::string meaning;  ///< one line
};

struct KeyDescription {
  std::string key;            ///< "network.sw2"
  std::string section;        ///< "network"
  std::string name;           ///< "sw2"
  std::string type;           ///< "float", "integer", "string", "boolean", "array of ...", ...
  std::string default_value;  ///< the default, as TOML text: "2.0", "\"mlp\"", "[0, 0]"
  std::string allowed;        ///< what values are accepted, for people: "> 0", "mlp | resnet"
  std::string meaning;        ///< one or two sentences
};

/// The sections, in order.
[[nodiscard]] std::span<const SectionDescription> describe_sections();

/// Every key, in order (grouped by section).
[[nodiscard]] std::span<const KeyDescription> describe_keys();

/// The known key closest to `key` ("network.sw" -> "network.sw2", "network.n_train" ->
/// "data.n_train"), or empty when nothing is close enough to suggest.
[[nodiscard]] std::string suggest_key(std::string_view key);

/// Damerau–Levenshtein (optimal string alignment) distance: insertions, deletions,
/// substitutions and adjacent transpositions each cost 1.
[[nodiscard]] std::size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace deepntk::app
