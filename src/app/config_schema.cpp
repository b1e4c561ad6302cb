// The configuration schema: the one table of keys. Everything else about configuration
// (parsing, validation, suggestions, to_toml, the docs test) iterates over this table.

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "config_fields.hpp"
#include "deepntk/app/config.hpp"
#include "deepntk/app/config_schema.hpp"
#include "deepntk/app/plan_available_memory.hpp"
#include "deepntk/core/checked_arithmetic.hpp"
#include "deepntk/kernels/depth_schedule.hpp"

namespace deepntk::app {
namespace detail {
namespace {

constexpr std::int64_t int32_max = std::numeric_limits<std::int32_t>::max();
constexpr std::int64_t int64_max = std::numeric_limits<std::int64_t>::max();

// ---- small text helpers ----------------------------------------------------------------------

std::string without_spaces(std::string_view text) {
  std::string out;
  for (char ch : text) {
    if (ch != ' ' && ch != '\t') out += ch;
  }
  return out;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return parts;
}

template <class Names>
std::string join(const Names& names, std::string_view separator) {
  std::string out;
  for (const auto& name : names) {
    if (!out.empty()) out += separator;
    out += name;
  }
  return out;
}

/// The closest of `candidates` to `given`, if close enough to be a likely typo.
template <class Names>
std::string closest(std::string_view given, const Names& candidates) {
  std::string best;
  std::size_t best_distance = std::numeric_limits<std::size_t>::max();
  for (const auto& candidate : candidates) {
    const std::string_view c{candidate};
    const std::size_t d = edit_distance(given, c);
    const std::size_t limit = c.size() <= 4 ? 1 : c.size() <= 8 ? 2 : 3;
    if (d <= limit && d < best_distance) {
      best_distance = d;
      best = std::string(c);
    }
  }
  return best;
}

/// An exact decimal integer (underscores between digits allowed, as in TOML), or an
/// integral float such as 1e6.
std::optional<std::int64_t> integer_from_text(std::string_view raw) {
  std::string text;
  for (char ch : trim(raw)) {
    if (ch != '_') text += ch;
  }
  if (text.empty()) return std::nullopt;
  const char* first = text.data();
  const char* last = text.data() + text.size();
  if (*first == '+') ++first;
  std::int64_t value = 0;
  if (auto [end, error] = std::from_chars(first, last, value); error == std::errc{} && end == last) {
    return value;
  }
  double real = 0.0;
  if (auto [end, error] = std::from_chars(first, last, real); error == std::errc{} && end == last) {
    if (std::isfinite(real) && std::trunc(real) == real && std::fabs(real) <= 9.0e18) {
      return static_cast<std::int64_t>(real);
    }
  }
  return std::nullopt;
}

std::optional<double> number_from_text(std::string_view raw) {
  const std::string text(trim(raw));
  if (text.empty()) return std::nullopt;
  const char* first = text.data();
  const char* last = text.data() + text.size();
  if (*first == '+') ++first;
  double value = 0.0;
  if (auto [end, error] = std::from_chars(first, last, value); error == std::errc{} && end == last) {
    return value;
  }
  return std::nullopt;
}

Field make_field(std::string_view section, std::string_view name, std::string type, std::string allowed,
                 std::string_view meaning) {
  Field f;
  f.section = section;
  f.name = name;
  f.type = std::move(type);
  f.allowed = std::move(allowed);
  f.meaning = meaning;
  return f;
}

[[noreturn]] void wrong(const toml::node& node, std::string_view expected) {
  throw ValueProblem{fmt::format("got {} ({}), expected {}", render(node), type_phrase(node), expected)};
}

// ---- typed readers ---------------------------------------------------------------------------

std::int64_t read_integer(const toml::node& node, std::string_view expected) {
  if (const auto* integer = node.as_integer()) return integer->get();
  if (const auto* real = node.as_floating_point()) {
    const double v = real->get();
    if (std::isfinite(v) && std::trunc(v) == v && std::fabs(v) <= 9.0e18) {
      return static_cast<std::int64_t>(v);
    }
    throw ValueProblem{fmt::format("got {}, expected {}", render(node), expected)};
  }
  wrong(node, expected);
}

double read_number(const toml::node& node, std::string_view expected) {
  if (const auto* real = node.as_floating_point()) return real->get();
  if (const auto* integer = node.as_integer()) return static_cast<double>(integer->get());
  wrong(node, expected);
}

const std::string& read_string(const toml::node& node, std::string_view expected) {
  if (const auto* text = node.as_string()) return text->get();
  wrong(node, expected);
}

// ---- key builders ------------------------------------------------------------------------------
// `get` is a generic lambda returning a reference to the member: works on RunConfig& (read)
// and const RunConfig& (check, write).
#define DEEPNTK_MEMBER(member) [](auto& c) -> auto& { return c.member; }

template <class Get>
Field integer_key(std::string_view section, std::string_view name, Get get, std::int64_t lo,
                  std::int64_t hi, std::string_view meaning) {
  std::string allowed =
      hi == int64_max ? fmt::format(">= {}", lo) : fmt::format("{} to {}", lo, hi);
  const std::string expected = fmt::format("an integer {}", hi == int64_max ? allowed : "from " + allowed);
  const auto in_range = [=](std::int64_t v) {
    if (v < lo || v > hi) throw ValueProblem{fmt::format("got {}, expected {}", v, expected)};
  };
  Field f = make_field(section, name, "integer", std::move(allowed), meaning);
  f.read = [=](const toml::node& node, RunConfig& c) {
    const std::int64_t v = read_integer(node, expected);
    in_range(v);
    get(c) = v;
  };
  f.check = [=](const RunConfig& c) { in_range(get(c)); };
  f.write = [=](const RunConfig& c) { return std::to_string(get(c)); };
  return f;
}

// A number of rows: an integer from `lo`, or "all" (stored as DataConfig::all_rows): every row of
// a file source. Which sources accept "all" is a rule across keys (config.cpp, validate).
template <class Get>
Field row_count_key(std::string_view section, std::string_view name, Get get, std::int64_t lo,
                    std::string_view meaning) {
  const std::string allowed = fmt::format("{} to {}, or \"all\"", lo, int32_max);
  const std::string expected = fmt::format("an integer from {} to {}, or \"all\"", lo, int32_max);
  const auto in_range = [=](std::int64_t v) {
    if (v != DataConfig::all_rows && (v < lo || v > int32_max)) {
      throw ValueProblem{fmt::format("got {}, expected {}", v, expected)};
    }
  };
  Field f = make_field(section, name, "integer or \"all\"", allowed, meaning);
  f.read = [=](const toml::node& node, RunConfig& c) {
    if (const auto* text = node.as_string()) {
      if (text->get() != "all") wrong(node, expected);
      get(c) = DataConfig::all_rows;
      return;
    }
    const std::int64_t v = read_integer(node, expected);
    if (v == DataConfig::all_rows) wrong(node, expected);  // -1 is not a way to write "all"
    in_range(v);
    get(c) = v;
  };
  f.check = [=](const RunConfig& c) { in_range(get(c)); };
  f.write = [=](const RunConfig& c) {
    return get(c) == DataConfig::all_rows ? std::string("\"all\"") : std::to_string(get(c));
  };
  return f;
}

enum class Bound { exclusive, inclusive };

template <class Get>
Field float_key(std::string_view section, std::string_view name, Get get, double lo, Bound bound,
                std::string_view meaning) {
  std::string allowed = fmt::format("{} {}", bound == Bound::exclusive ? ">" : ">=", lo);
  const std::string expected = "a finite number " + allowed;
  const auto in_range = [=](double v) {
    const bool ok = std::isfinite(v) && (bound == Bound::exclusive ? v > lo : v >= lo);
    if (!ok) throw ValueProblem{fmt::format("got {}, expected {}", toml_float(v), expected)};
  };
  Field f = make_field(section, name, "float", std::move(allowed), meaning);
  f.read = [=](const toml::node& node, RunConfig& c) {
    const double v = read_number(node, expected);
    in_range(v);
    get(c) = v;
  };
  f.check = [=](const RunConfig& c) { in_range(get(c)); };
  f.write = [=](const RunConfig& c) { return toml_float(get(c)); };
  return f;
}

enum class Empty { allowed, refused };

template <class Get>
Field string_key(std::string_view section, std::string_view name, Get get, Empty empty,
                 std::string_view meaning) {
  const std::string expected = empty == Empty::allowed ? "a string" : "a non-empty string";
  const auto check = [=](const std::string& v) {
    if (empty == Empty::refused && v.empty()) {
      throw ValueProblem{fmt::format("got \"\", expected {}", expected)};
    }
  };
  Field f = make_field(section, name, "string", empty == Empty::allowed ? "any string" : "a non-empty string", meaning);
  f.bare_string = true;
  f.read = [=](const toml::node& node, RunConfig& c) {
    const std::string& v = read_string(node, expected);
    check(v);
    get(c) = v;
  };
  f.check = [=](const RunConfig& c) { check(get(c)); };
  f.write = [=](const RunConfig& c) { return toml_quote(get(c)); };
  return f;
}

template <class Get>
Field bool_key(std::string_view section, std::string_view name, Get get, std::string_view meaning) {
  Field f = make_field(section, name, "boolean", "true | false", meaning);
  f.read = [=](const toml::node& node, RunConfig& c) {
    if (const auto* b = node.as_boolean()) {
      get(c) = b->get();
      return;
    }
    wrong(node, "true or false");
  };
  f.check = [](const RunConfig&) {};
  f.write = [=](const RunConfig& c) { return std::string(get(c) ? "true" : "false"); };
  return f;
}

template <class E>
E read_enum(const toml::node& node) {
  const auto& names = enum_names<E>::values;
  const std::string expected = "one of " + join(names, ", ");
  const std::string& text = read_string(node, expected);
  if (auto value = enum_from_string<E>(text)) return *value;
  std::string problem = fmt::format("got {}, expected {}", toml_quote(text), expected);
  if (auto guess = closest(text, names); !guess.empty()) {
    problem += fmt::format(" (did you mean \"{}\"?)", guess);
  }
  throw ValueProblem{std::move(problem)};
}

template <class E, class Get>
Field enum_key(std::string_view section, std::string_view name, Get get, std::string_view meaning) {
  Field f = make_field(section, name, "string", join(enum_names<E>::values, " | "), meaning);
  f.read = [=](const toml::node& node, RunConfig& c) { get(c) = read_enum<E>(node); };
  f.check = [=](const RunConfig& c) {
    const auto index = static_cast<std::size_t>(get(c));
    if (index >= enum_names<E>::values.size()) {
      throw ValueProblem{fmt::format("holds enumerator {}, which has no name", index)};
    }
  };
  f.write = [=](const RunConfig& c) { return toml_quote(to_string(get(c))); };
  return f;
}

// ---- seeds: the full uint64 range (TOML integers stop at 2^63 - 1) -------------------------

template <class Get>
Field seed_key(std::string_view section, std::string_view name, Get get, std::string_view meaning) {
  const std::string expected =
      "an integer from 0 to 18446744073709551615 (as a string above 9223372036854775807)";
  Field f = make_field(section, name, "integer", "0 to 2^64 - 1 (a string of digits above 2^63 - 1)", meaning);
  f.read = [=](const toml::node& node, RunConfig& c) {
    if (const auto* integer = node.as_integer()) {
      if (integer->get() < 0) throw ValueProblem{fmt::format("got {}, expected {}", integer->get(), expected)};
      get(c) = static_cast<std::uint64_t>(integer->get());
      return;
    }
    if (const auto* text = node.as_string()) {
      const std::string digits(trim(text->get()));
      std::uint64_t v = 0;
      const char* last = digits.data() + digits.size();
      if (auto [end, error] = std::from_chars(digits.data(), last, v);
          !digits.empty() && error == std::errc{} && end == last) {
        get(c) = v;
        return;
      }
      throw ValueProblem{fmt::format("got {}, expected {}", render(node), expected)};
    }
    wrong(node, expected);
  };
  f.check = [](const RunConfig&) {};
  f.write = [=](const RunConfig& c) {
    const std::uint64_t seed = get(c);
    return seed <= static_cast<std::uint64_t>(int64_max) ? std::to_string(seed) : toml_quote(std::to_string(seed));
  };
  return f;
}

// ---- network.width: "infinite" or a number of units ------------------------------------------

constexpr std::int64_t max_width = 1 << 20;

Field width_key(std::string_view meaning) {
  const std::string expected = fmt::format("\"infinite\" or an integer from 1 to {}", max_width);
  Field f = make_field("network", "width", "string or integer", fmt::format("\"infinite\" | 1 to {}", max_width),
                       meaning);
  f.read = [=](const toml::node& node, RunConfig& c) {
    if (const auto* text = node.as_string()) {
      if (without_spaces(text->get()) == "infinite") {
        c.network.width = 0;
        return;
      }
      if (auto v = integer_from_text(text->get()); v && *v >= 1 && *v <= max_width) {
        c.network.width = *v;
        return;
      }
      throw ValueProblem{fmt::format("got {}, expected {}", render(node), expected)};
    }
    const std::int64_t v = read_integer(node, expected);
    if (v < 1 || v > max_width) throw ValueProblem{fmt::format("got {}, expected {}", v, expected)};
    c.network.width = v;
  };
  f.check = [=](const RunConfig& c) {
    if (c.network.width < 0 || c.network.width > max_width) {
      throw ValueProblem{fmt::format("got {}, expected {}", c.network.width, expected)};
    }
  };
  f.write = [](const RunConfig& c) {
    return c.network.infinite_width() ? toml_quote("infinite") : std::to_string(c.network.width);
  };
  return f;
}

// ---- network.heads: "1/sqrt(K)" | "sum" | "mean" ---------------------------------------------

Field heads_key(std::string_view meaning) {
  constexpr std::string_view expected = R"x("1/sqrt(K)", "sum" or "mean")x";
  Field f = make_field("network", "heads", "string", R"x("1/sqrt(K)" | "sum" | "mean")x", meaning);
  f.read = [=](const toml::node& node, RunConfig& c) {
    const std::string text = without_spaces(read_string(node, expected));
    const auto combination = finite::head_combination_from_string(text);
    if (!combination) throw ValueProblem{fmt::format("got {}, expected {}", render(node), expected)};
    c.network.heads = *combination;
  };
  f.check = [](const RunConfig&) {};
  f.write = [](const RunConfig& c) { return toml_quote(finite::to_string(c.network.heads)); };
  return f;
}

// ---- network.alpha -----------------------------------------------------------------------------

constexpr std::string_view alpha_expected =
    R"x(a number > 0, "1/sqrt(L)", or "L^-G" with G a number > 0)x";

void check_alpha(const BranchScale& alpha) {
  if (alpha.rule == AlphaRule::inverse_sqrt_depth) return;
  if (!(std::isfinite(alpha.value) && alpha.value > 0.0)) {
    throw ValueProblem{fmt::format("got {}, expected {}", toml_quote(to_string(alpha)), alpha_expected)};
  }
}

BranchScale alpha_from_text(std::string_view raw) {
  const std::string text = without_spaces(raw);
  if (text == "1/sqrt(L)") return {AlphaRule::inverse_sqrt_depth, 0.5};
  std::string_view exponent;
  if (text.starts_with("L^(-") && text.ends_with(")")) {
    exponent = std::string_view(text).substr(4, text.size() - 5);
  } else if (text.starts_with("L^-")) {
    exponent = std::string_view(text).substr(3);
  }
  if (!exponent.empty()) {
    if (auto g = number_from_text(exponent); g && std::isfinite(*g) && *g > 0.0) {
      return {AlphaRule::power, *g};
    }
  } else if (auto v = number_from_text(text); v && std::isfinite(*v) && *v > 0.0) {
    return {AlphaRule::constant, *v};
  }
  throw ValueProblem{fmt::format("got {}, expected {}", toml_quote(raw), alpha_expected)};
}

Field alpha_key(std::string_view meaning) {
  Field f = make_field("network", "alpha", "float or string", R"x(a number > 0 | "1/sqrt(L)" | "L^-G" (G > 0))x",
          meaning);
  f.read = [](const toml::node& node, RunConfig& c) {
    BranchScale alpha;
    if (const auto* text = node.as_string()) {
      alpha = alpha_from_text(text->get());
    } else if (node.is_number()) {
      alpha = {AlphaRule::constant, read_number(node, alpha_expected)};
      if (!(std::isfinite(alpha.value) && alpha.value > 0.0)) {
        throw ValueProblem{fmt::format("got {}, expected {}", render(node), alpha_expected)};
      }
    } else {
      wrong(node, alpha_expected);
    }
    c.network.alpha = alpha;
  };
  f.check = [](const RunConfig& c) { check_alpha(c.network.alpha); };
  f.write = [](const RunConfig& c) {
    return c.network.alpha.rule == AlphaRule::constant ? toml_float(c.network.alpha.value)
                                                       : toml_quote(to_string(c.network.alpha));
  };
  return f;
}

// ---- depth.schedule ------------------------------------------------------------------------------

const std::string& schedule_expected() {
  static const std::string text = fmt::format(
      R"(an array of depths such as [1, 10, 100], a string "1,10,100", or "log:START:STOP:COUNT"; )"
      "depths are integers from 1 to {} in increasing order",
      DepthConfig::max_depth);
  return text;
}

/// The most depths a log schedule may ask for (as kernels::DepthSchedule allows).
constexpr std::int64_t max_log_count = 10'000'000;

struct ScheduleProblem {
  std::string detail;
};

std::int64_t depth_from_text(std::string_view token) {
  const auto v = integer_from_text(token);
  if (!v) throw ScheduleProblem{fmt::format("'{}' is not an integer", trim(token))};
  return *v;
}

void check_depth(std::int64_t depth) {
  if (depth < 1 || depth > DepthConfig::max_depth) {
    throw ScheduleProblem{fmt::format("depth {} is not between 1 and {}", depth, DepthConfig::max_depth)};
  }
}

std::string canonical_list(const std::vector<std::int64_t>& depths) {
  if (depths.empty()) throw ScheduleProblem{"it names no depth"};
  std::string out;
  for (std::size_t i = 0; i < depths.size(); ++i) {
    check_depth(depths[i]);
    if (i > 0 && depths[i] <= depths[i - 1]) {
      throw ScheduleProblem{fmt::format("depths must increase, but {} follows {}", depths[i], depths[i - 1])};
    }
    if (i > 0) out += ',';
    out += std::to_string(depths[i]);
  }
  return out;
}

/// The canonical form of a schedule string (see DepthConfig::schedule). Throws ScheduleProblem.
std::string canonical_schedule(std::string_view raw) {
  const std::string text = without_spaces(raw);
  if (text.starts_with("log:")) {
    const auto parts = split(text, ':');
    if (parts.size() != 4) throw ScheduleProblem{"a log schedule has the form log:START:STOP:COUNT"};
    const std::int64_t start = depth_from_text(parts[1]);
    const std::int64_t stop = depth_from_text(parts[2]);
    const std::int64_t count = depth_from_text(parts[3]);
    check_depth(start);
    check_depth(stop);
    if (start > stop) throw ScheduleProblem{fmt::format("START {} is larger than STOP {}", start, stop)};
    if (count < 1 || (start < stop && count < 2)) {
      throw ScheduleProblem{start < stop ? fmt::format("COUNT {} must be at least 2 when START < STOP", count)
                                         : fmt::format("COUNT {} must be at least 1", count)};
    }
    if (count > max_log_count) {
      throw ScheduleProblem{fmt::format("COUNT {} is more than {}", count, max_log_count)};
    }
    return fmt::format("log:{}:{}:{}", start, stop, count);
  }
  if (text.empty()) throw ScheduleProblem{"it names no depth"};
  std::vector<std::int64_t> depths;
  for (auto token : split(text, ',')) depths.push_back(depth_from_text(token));
  return canonical_list(depths);
}

Field schedule_key(std::string_view meaning) {
  Field f = make_field("depth", "schedule", "array of integers or string",
          fmt::format(R"([L1, L2, ...] | "L1,L2,..." | "log:START:STOP:COUNT"; 1 <= L <= {}, increasing)",
                      DepthConfig::max_depth),
          meaning);
  f.read = [](const toml::node& node, RunConfig& c) {
    try {
      if (const auto* text = node.as_string()) {
        c.depth.schedule = canonical_schedule(text->get());
      } else if (node.is_number()) {  // one depth, e.g. --set depth.schedule=1000
        c.depth.schedule = canonical_list({read_integer(node, "an integer")});
      } else if (const auto* array = node.as_array()) {
        std::vector<std::int64_t> depths;
        for (const auto& element : *array) {
          try {
            depths.push_back(read_integer(element, "an integer"));
          } catch (const ValueProblem&) {
            throw ScheduleProblem{fmt::format("{} is not an integer", render(element))};
          }
        }
        c.depth.schedule = canonical_list(depths);
      } else {
        wrong(node, schedule_expected());
      }
    } catch (const ScheduleProblem& problem) {
      throw ValueProblem{fmt::format("got {} ({}); expected {}", render(node), problem.detail, schedule_expected())};
    }
  };
  f.check = [](const RunConfig& c) {
    try {
      (void)canonical_schedule(c.depth.schedule);
    } catch (const ScheduleProblem& problem) {
      throw ValueProblem{fmt::format("got {} ({}); expected {}", toml_quote(c.depth.schedule), problem.detail,
                                     schedule_expected())};
    }
  };
  f.write = [](const RunConfig& c) {
    const std::string& s = c.depth.schedule;
    if (s.starts_with("log:")) return toml_quote(s);
    std::string out = "[";
    for (auto token : split(s, ',')) {
      if (out.size() > 1) out += ", ";
      out += trim(token);
    }
    return out + "]";
  };
  return f;
}

// ---- depth.kinds ---------------------------------------------------------------------------------

const std::string& kinds_expected() {
  static const std::string text =
      "a non-empty array of distinct kernel kinds from " + join(enum_names<KernelKind>::values, ", ");
  return text;
}

void check_kinds(const std::vector<KernelKind>& kinds, std::string_view given) {
  if (kinds.empty()) throw ValueProblem{fmt::format("got {}, expected {}", given, kinds_expected())};
  for (std::size_t i = 0; i < kinds.size(); ++i) {
    if (std::find(kinds.begin(), kinds.begin() + static_cast<std::ptrdiff_t>(i), kinds[i]) !=
        kinds.begin() + static_cast<std::ptrdiff_t>(i)) {
      throw ValueProblem{fmt::format("got {} (\"{}\" appears twice), expected {}", given, to_string(kinds[i]),
                                     kinds_expected())};
    }
  }
}

std::string write_kinds(const std::vector<KernelKind>& kinds) {
  std::string out = "[";
  for (auto kind : kinds) {
    if (out.size() > 1) out += ", ";
    out += toml_quote(to_string(kind));
  }
  return out + "]";
}

Field kinds_key(std::string_view meaning) {
  Field f = make_field("depth", "kinds", "array of strings",
          "non-empty, distinct, each " + join(enum_names<KernelKind>::values, " | "), meaning);
  f.read = [](const toml::node& node, RunConfig& c) {
    std::vector<KernelKind> kinds;
    if (const auto* array = node.as_array()) {
      for (const auto& element : *array) {
        try {
          kinds.push_back(read_enum<KernelKind>(element));
        } catch (const ValueProblem& problem) {
          throw ValueProblem{fmt::format("in {}: {}", render(node), problem.text)};
        }
      }
    } else if (const auto* text = node.as_string()) {  // "ntk" or "nngp,ntk" (handy with --set)
      for (auto token : split(text->get(), ',')) {
        kinds.push_back(read_enum<KernelKind>(toml::value<std::string>(std::string(trim(token)))));
      }
    } else {
      wrong(node, kinds_expected());
    }
    check_kinds(kinds, render(node));
    c.depth.kinds = std::move(kinds);
  };
  f.check = [](const RunConfig& c) { check_kinds(c.depth.kinds, write_kinds(c.depth.kinds)); };
  f.write = [](const RunConfig& c) { return write_kinds(c.depth.kinds); };
  return f;
}

// ---- output.kernels: true, false, or the depths whose matrices are written ----------------------

const std::string& kernel_depths_expected() {
  static const std::string text = fmt::format(
      "true (every recorded depth), false (none) or an array of recorded depths such as [1, 1000] (integers "
      "from 1 to {})",
      DepthConfig::max_depth);
  return text;
}

std::string write_kernel_depths(const KernelDepths& kernels) {
  if (kernels.listed.empty()) return kernels.every ? "true" : "false";
  std::string out = "[";
  for (std::int64_t depth : kernels.listed) {
    if (out.size() > 1) out += ", ";
    out += std::to_string(depth);
  }
  return out + "]";
}

/// Listed depths must be recorded: a depth the sweep never stops at would silently give no matrix.
void check_kernel_depths_recorded(const RunConfig& c) {
  if (c.output.kernels.listed.empty()) return;
  std::vector<std::int64_t> recorded;
  try {
    const auto schedule = kernels::DepthSchedule::parse(c.depth.schedule);
    recorded.assign(schedule.depths().begin(), schedule.depths().end());
  } catch (const std::invalid_argument&) {
    return;  // depth.schedule reports its own problem
  }
  for (std::int64_t depth : c.output.kernels.listed) {
    const auto at = std::lower_bound(recorded.begin(), recorded.end(), depth);
    if (at != recorded.end() && *at == depth) continue;
    std::string nearest;
    if (at != recorded.begin()) nearest = std::to_string(*(at - 1));
    if (at != recorded.end()) nearest += (nearest.empty() ? "" : " and ") + std::to_string(*at);
    throw ValueProblem{fmt::format(
        "got {}, but depth {} is not recorded by depth.schedule = {} (the nearest recorded: {}); list only "
        "depths of the schedule, or use true (every depth) or false (none)",
        write_kernel_depths(c.output.kernels), depth, toml_quote(c.depth.schedule), nearest)};
  }
}

// A set of integers given as an array or as one number (`--set key=3`): each element checked by
// `element` (returns the integer or throws ValueProblem), sorted, repeats merged (order and
// repeats carry no meaning for the keys that use it).
template <class Element>
std::vector<std::int64_t> read_integer_set(const toml::node& node, std::string_view expected, Element element) {
  std::vector<std::int64_t> values;
  if (const auto* array = node.as_array()) {
    for (const auto& item : *array) values.push_back(element(item));
  } else if (node.is_number()) {
    values.push_back(element(node));
  } else {
    wrong(node, expected);
  }
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  return values;
}

Field kernel_depths_key(std::string_view meaning) {
  Field f = make_field("output", "kernels", "boolean or array of integers",
                       "true | false | [L1, L2, ...], depths of depth.schedule", meaning);
  f.read = [](const toml::node& node, RunConfig& c) {
    if (const auto* b = node.as_boolean()) {
      c.output.kernels = b->get() ? KernelDepths::all() : KernelDepths::none();
      return;
    }
    // One depth too, e.g. --set output.kernels=1000; the matrices are written in depth order.
    c.output.kernels = KernelDepths::only(read_integer_set(node, kernel_depths_expected(), [&](const toml::node& element) {
      std::int64_t depth = 0;
      try {
        depth = read_integer(element, "an integer");
      } catch (const ValueProblem&) {
        throw ValueProblem{fmt::format("got {} ({} is not an integer), expected {}", render(node), render(element),
                                       kernel_depths_expected())};
      }
      if (depth < 1 || depth > DepthConfig::max_depth) {
        throw ValueProblem{fmt::format("got {} (depth {} is out of range), expected {}", render(node), depth,
                                       kernel_depths_expected())};
      }
      return depth;
    }));
  };
  f.check = [](const RunConfig& c) { check_kernel_depths_recorded(c); };
  f.write = [](const RunConfig& c) { return write_kernel_depths(c.output.kernels); };
  return f;
}

// ---- parallel.grid -------------------------------------------------------------------------------

const std::string& grid_expected() {
  static const std::string text =
      fmt::format("[0, 0] (automatic) or [rows, cols] with rows and cols from 1 to {}", int32_max);
  return text;
}

void check_grid(const std::array<std::int64_t, 2>& grid, std::string_view given) {
  const bool automatic = grid[0] == 0 && grid[1] == 0;
  const auto ok = [](std::int64_t v) { return v >= 1 && v <= int32_max; };
  if (!automatic && !(ok(grid[0]) && ok(grid[1]))) {
    throw ValueProblem{fmt::format("got {}, expected {}", given, grid_expected())};
  }
  // MPI counts ranks in an int: a grid with more cells can never be started, and its cell
  // count wraps around in BLACS (Cblacs_gridinit crashed on [65536, 65536]).
  const std::int64_t cells = checked_multiply(grid[0], grid[1], "parallel.grid rows x cols");
  if (cells > int32_max) {
    throw ValueProblem{fmt::format("got {}: rows x cols = {} ranks, more than an MPI run can have ({}); choose a "
                                   "grid with rows x cols at most the number of MPI ranks, or [0, 0] for automatic",
                                   given, cells, int32_max)};
  }
}

Field grid_key(std::string_view meaning) {
  Field f = make_field("parallel", "grid", "array of 2 integers",
          R"([0, 0] = automatic | [rows, cols], both >= 1 ("auto" = [0, 0]))", meaning);
  f.read = [](const toml::node& node, RunConfig& c) {
    std::array<std::int64_t, 2> grid{0, 0};
    if (const auto* text = node.as_string(); text && trim(text->get()) == "auto") {
      c.parallel.grid = grid;
      return;
    }
    const auto* array = node.as_array();
    if (array == nullptr) wrong(node, grid_expected());
    if (array->size() != 2 || !(*array)[0].is_number() || !(*array)[1].is_number()) {
      throw ValueProblem{fmt::format("got {}, expected {}", render(node), grid_expected())};
    }
    for (std::size_t i = 0; i < 2; ++i) {
      try {
        grid[i] = read_integer((*array)[i], "an integer");
      } catch (const ValueProblem&) {
        throw ValueProblem{fmt::format("got {}, expected {}", render(node), grid_expected())};
      }
    }
    check_grid(grid, render(node));
    c.parallel.grid = grid;
  };
  f.check = [](const RunConfig& c) {
    check_grid(c.parallel.grid, fmt::format("[{}, {}]", c.parallel.grid[0], c.parallel.grid[1]));
  };
  f.write = [](const RunConfig& c) { return fmt::format("[{}, {}]", c.parallel.grid[0], c.parallel.grid[1]); };
  return f;
}

// ---- parallel.memory_per_rank ----------------------------------------------------------------------

Field memory_key(std::string_view meaning) {
  Field f = make_field("parallel", "memory_per_rank", "string", R"("" = detect | a size: "4GiB", "512MiB", "1.5G")",
                       meaning);
  f.bare_string = true;
  const auto check = [](const std::string& v) {
    if (!v.empty() && !parse_byte_size(v)) {
      throw ValueProblem{fmt::format("got {}, expected {}", toml_quote(v), byte_size_expected())};
    }
  };
  f.read = [=](const toml::node& node, RunConfig& c) {
    const std::string& v = read_string(node, byte_size_expected());
    check(v);
    c.parallel.memory_per_rank = v;
  };
  f.check = [=](const RunConfig& c) { check(c.parallel.memory_per_rank); };
  f.write = [](const RunConfig& c) { return toml_quote(c.parallel.memory_per_rank); };
  return f;
}

// ---- arrays of numbers (analysis.ridge, analysis.times) --------------------------------------

std::string write_numbers(const std::vector<double>& values) {
  std::string out = "[";
  for (double v : values) {
    if (out.size() > 1) out += ", ";
    out += toml_float(v);
  }
  return out + "]";
}

/// An array of finite numbers >= 0 (a single number is taken as a one-element array). The
/// values keep their order: results are stored in the order given.
template <class Get>
Field number_list_key(std::string_view section, std::string_view name, Get get, Empty empty,
                      std::string_view meaning) {
  const std::string expected =
      empty == Empty::allowed ? "an array of finite numbers >= 0" : "a non-empty array of finite numbers >= 0";
  const auto check = [=](const std::vector<double>& values) {
    if (empty == Empty::refused && values.empty()) throw ValueProblem{fmt::format("got [], expected {}", expected)};
    for (double v : values) {
      if (!(std::isfinite(v) && v >= 0)) {
        throw ValueProblem{fmt::format("got {} in {}, expected {}", toml_float(v), write_numbers(values), expected)};
      }
    }
  };
  Field f = make_field(section, name, "array of floats",
                       empty == Empty::allowed ? "each >= 0, finite; [] = none" : "non-empty, each >= 0, finite",
                       meaning);
  f.read = [=](const toml::node& node, RunConfig& c) {
    std::vector<double> values;
    if (const auto* array = node.as_array()) {
      for (const auto& element : *array) values.push_back(read_number(element, expected));
    } else if (node.is_number()) {
      values.push_back(read_number(node, expected));
    } else {
      wrong(node, expected);
    }
    check(values);
    get(c) = std::move(values);
  };
  f.check = [=](const RunConfig& c) { check(get(c)); };
  f.write = [=](const RunConfig& c) { return write_numbers(get(c)); };
  return f;
}

// ---- montecarlo.export: the networks whose parameters the result gets ----------------------------

std::string write_network_numbers(const std::vector<std::int64_t>& networks) {
  std::string out = "[";
  for (std::int64_t s : networks) out += (out.size() > 1 ? ", " : "") + std::to_string(s);
  return out + "]";
}

/// Network numbers s, each below montecarlo.samples (a network that is never drawn cannot be
/// exported); order and repeats carry no meaning, so they are sorted and merged.
Field export_networks_key(std::string_view meaning) {
  Field f = make_field("montecarlo", "export", "array of integers",
                       "[] = none, or network numbers 0 to montecarlo.samples - 1", meaning);
  f.read = [](const toml::node& node, RunConfig& c) {
    const std::string expected = "an array of network numbers >= 0 such as [0, 1]";
    // One network too, e.g. --set montecarlo.export=0.
    c.montecarlo.export_networks = read_integer_set(node, expected, [&](const toml::node& element) {
      const std::int64_t s = read_integer(element, expected);
      if (s < 0) throw ValueProblem{fmt::format("got {}, expected {}", render(node), expected)};
      return s;
    });
  };
  f.check = [](const RunConfig& c) {
    const auto& networks = c.montecarlo.export_networks;
    if (!networks.empty() && networks.back() >= c.montecarlo.samples) {
      throw ValueProblem{fmt::format("got {}, but montecarlo.samples = {} draws networks 0 to {} only",
                                     write_network_numbers(networks), c.montecarlo.samples, c.montecarlo.samples - 1)};
    }
  };
  f.write = [](const RunConfig& c) { return write_network_numbers(c.montecarlo.export_networks); };
  return f;
}

// ---- data.preprocessing: an ordered list of steps ----------------------------------------------

const std::string& steps_expected() {
  static const std::string text =
      "an array of preprocessing steps from " + join(enum_names<PreprocessingStep>::values, ", ") + " ([] = none)";
  return text;
}

std::string write_steps(const std::vector<PreprocessingStep>& steps) {
  std::string out = "[";
  for (auto step : steps) {
    if (out.size() > 1) out += ", ";
    out += toml_quote(to_string(step));
  }
  return out + "]";
}

Field preprocessing_key(std::string_view meaning) {
  Field f = make_field("data", "preprocessing", "array of strings",
                       "[] | steps from " + join(enum_names<PreprocessingStep>::values, " | ") + ", in order", meaning);
  f.read = [](const toml::node& node, RunConfig& c) {
    std::vector<PreprocessingStep> steps;
    const auto add = [&](const toml::node& element) {
      try {
        steps.push_back(read_enum<PreprocessingStep>(element));
      } catch (const ValueProblem& problem) {
        throw ValueProblem{fmt::format("in {}: {}", render(node), problem.text)};
      }
    };
    if (const auto* array = node.as_array()) {
      for (const auto& element : *array) add(element);
    } else if (const auto* text = node.as_string()) {  // "center,sphere" (handy with --set); "none" = []
      if (trim(text->get()) != "none" && !trim(text->get()).empty()) {
        for (auto token : split(text->get(), ',')) add(toml::value<std::string>(std::string(trim(token))));
      }
    } else {
      wrong(node, steps_expected());
    }
    c.data.preprocessing = std::move(steps);
  };
  f.check = [](const RunConfig&) {};
  f.write = [](const RunConfig& c) { return write_steps(c.data.preprocessing); };
  return f;
}

// ---- data.interval: [a, b] with a < b ----------------------------------------------------------

Field interval_key(std::string_view meaning) {
  static constexpr std::string_view expected = "[a, b] with finite numbers a < b";
  Field f = make_field("data", "interval", "array of 2 floats", "[a, b], finite, a < b", meaning);
  const auto check = [](const std::array<double, 2>& v, std::string_view given) {
    if (!(std::isfinite(v[0]) && std::isfinite(v[1]) && v[0] < v[1])) {
      throw ValueProblem{fmt::format("got {}, expected {}", given, expected)};
    }
  };
  f.read = [=](const toml::node& node, RunConfig& c) {
    const auto* array = node.as_array();
    if (array == nullptr || array->size() != 2 || !(*array)[0].is_number() || !(*array)[1].is_number()) {
      wrong(node, expected);
    }
    const std::array<double, 2> v{read_number((*array)[0], expected), read_number((*array)[1], expected)};
    check(v, render(node));
    c.data.interval = v;
  };
  f.check = [=](const RunConfig& c) {
    check(c.data.interval, fmt::format("[{}, {}]", toml_float(c.data.interval[0]), toml_float(c.data.interval[1])));
  };
  f.write = [](const RunConfig& c) {
    return fmt::format("[{}, {}]", toml_float(c.data.interval[0]), toml_float(c.data.interval[1]));
  };
  return f;
}

// ---- THE TABLE ---------------------------------------------------------------------------------

const std::vector<Section>& section_table() {
  static const std::vector<Section> table{
      {"data", "Where the input points come from."},
      {"network", "The network whose kernels are computed (docs/kernels.md)."},
      {"montecarlo", "Finite network.width: how many random networks are averaged (docs/kernels.md)."},
      {"training", "Finite network.width: gradient descent on each network, beside its linearization (docs/kernels.md)."},
      {"depth", "Which depths are recorded, and which kernels."},
      {"parallel", "How matrices are distributed over the MPI ranks (BLACS grid, block-cyclic blocks)."},
      {"output", "What is written to the result file."},
      {"analysis", "Spectra, kernel regression and depth diagnostics at every recorded depth (docs/analysis.md)."},
      {"checkpoint", "When the depth sweep saves its state so that a stopped run resumes (docs/checkpoints.md)."},
  };
  return table;
}

std::vector<Field> make_fields() {
  std::vector<Field> f;
  // [data]
  f.push_back(enum_key<DataSource>(
      "data", "source", DEEPNTK_MEMBER(data.source),
      "sphere: n_train + n_test points drawn uniformly on the unit sphere S^(dim-1) from "
      "`seed`. sine: 1-D regression y = sin(x) on `interval` (docs/data.md). hdf5: points read from "
      "the datasets named below in the file `path`. idx: MNIST-format files in the directory `path`. "
      "cifar10: CIFAR-10 binary batches in the directory `path`."));
  f.push_back(row_count_key("data", "n_train", DEEPNTK_MEMBER(data.n_train), 1,
                            "Number of training points; the train kernels are n_train x n_train. "
                            "sphere, sine: 1024 unless set. hdf5, idx, cifar10: n_train rows of x_train chosen by "
                            "`subset`; \"all\" (every row, the default for these sources) unless set."));
  f.push_back(row_count_key("data", "n_test", DEEPNTK_MEMBER(data.n_test), 0,
                            "Number of held-out test points (0 = none); test x train kernels are "
                            "computed for them. sphere, sine: 256 unless set. hdf5, idx, cifar10: n_test rows "
                            "of x_test chosen by `subset`; \"all\" (every row, the default) unless set."));
  f.push_back(integer_key("data", "dim", DEEPNTK_MEMBER(data.dim), 1, int32_max,
                          "Input dimension d of generated points (sphere: points on S^(d-1)). "
                          "The other sources ignore it: d is the number of columns of the data."));
  f.push_back(seed_key("data", "seed", DEEPNTK_MEMBER(data.seed), "Seed of the random generator for generated data and for the random and balanced "
                       "subsets of a file source; the same seed gives the same points on any number of ranks."));
  f.push_back(string_key("data", "path", DEEPNTK_MEMBER(data.path), Empty::allowed,
                         "hdf5: the input file; idx, cifar10: the directory holding the files (docs/data.md). "
                         "Required for these sources."));
  f.push_back(string_key("data", "x_train", DEEPNTK_MEMBER(data.x_train), Empty::refused,
                         "hdf5: dataset in `path` with the training inputs (one row per point); idx: the "
                         "images file in `path`; cifar10: comma-separated batch files in `path` (docs/data.md)."));
  f.push_back(string_key("data", "y_train", DEEPNTK_MEMBER(data.y_train), Empty::refused,
                         "hdf5: dataset in `path` with the training targets or labels; idx: the labels file "
                         "in `path`."));
  f.push_back(string_key("data", "x_test", DEEPNTK_MEMBER(data.x_test), Empty::refused,
                         "As x_train, for the test inputs."));
  f.push_back(string_key("data", "y_test", DEEPNTK_MEMBER(data.y_test), Empty::refused,
                         "As y_train, for the test targets or labels."));
  f.push_back(enum_key<TargetKind>(
      "data", "targets", DEEPNTK_MEMBER(data.targets),
      "Regression targets. values: sphere: the synthetic teacher y = sqrt(d) <a, x> + d x_0 x_1 "
      "(docs/analysis.md); hdf5: y_train / y_test as stored (1-D or points x outputs), none if the "
      "file has no y_train; sine: sin(x). onehot (hdf5, idx, cifar10; required by idx and cifar10 unless "
      "none): integer class labels 0..C-1 as one-hot rows, with accuracy. none: kernels only, no regression."));
  f.push_back(bool_key("data", "center_targets", DEEPNTK_MEMBER(data.center_targets),
                       "onehot only: subtract the uniform mean 1/C from every one-hot entry (1 - 1/C "
                       "on the label, -1/C elsewhere)."));
  f.push_back(enum_key<SubsetRule>(
      "data", "subset", DEEPNTK_MEMBER(data.subset),
      "Which rows of a file source are used (train and test separately): first: the first n rows; "
      "random: n rows drawn without replacement with `seed` (test rows with seed + 1); balanced: as "
      "random, but n / C of every class (class labels needed). Generated data ignore it."));
  f.push_back(preprocessing_key(
      "Preprocessing of the inputs, applied in order, statistics from the train points: center "
      "(subtract the column means), standardize (and divide by the column standard deviations), bias "
      "(append a constant feature 1), sphere (scale every point to norm 1)."));
  f.push_back(integer_key("data", "classes", DEEPNTK_MEMBER(data.classes), 0, int32_max,
                          "Number of classes C of class labels; a label < 0 or >= C is an error. 0: the "
                          "format's count (cifar10: 10), else 1 + the largest label."));
  f.push_back(float_key("data", "noise", DEEPNTK_MEMBER(data.noise), 0.0, Bound::inclusive,
                        "sine: standard deviation of the Gaussian noise added to the train targets."));
  f.push_back(interval_key("sine: the interval [a, b] of x."));
  // [network]
  f.push_back(enum_key<Architecture>(
      "network", "architecture", DEEPNTK_MEMBER(network.architecture),
      "mlp: fully connected, L hidden layers. resnet: L residual blocks with branch scale alpha. "
      "shortcut: an mlp trunk with a read-out head every readout_every layers."));
  f.push_back(enum_key<Activation>("network", "activation", DEEPNTK_MEMBER(network.activation),
                                   "The nonlinearity."));
  f.push_back(float_key("network", "sw2", DEEPNTK_MEMBER(network.sw2), 0.0, Bound::exclusive,
                        "Weight variance sigma_w^2 (NTK parameterization)."));
  f.push_back(float_key("network", "sb2", DEEPNTK_MEMBER(network.sb2), 0.0, Bound::inclusive,
                        "Bias variance sigma_b^2."));
  f.push_back(alpha_key(
      "Residual branch scale (resnet only). \"1/sqrt(L)\": depth-scaled, the kernel has a limit "
      "as L grows; a number: a constant alpha; \"L^-G\": alpha = L^(-G), e.g. \"L^-0.25\"."));
  f.push_back(integer_key("network", "readout_every", DEEPNTK_MEMBER(network.readout_every), 1,
                          DepthConfig::max_depth,
                          "h: a read-out head on layers h, 2h, ..., the output averages them "
                          "(shortcut only, and then every recorded depth must be at least h; ignored "
                          "otherwise)."));
  f.push_back(heads_key(
      "How the shortcut network's K = L / h heads make its output, c(K) times their sum: \"1/sqrt(K)\" "
      "(the kernels are the mean over heads), \"sum\" (K times that mean), \"mean\" (that mean over K). "
      "Shortcut only."));
  f.push_back(width_key(
      "Units per hidden layer. \"infinite\": the analytic infinite-width kernels. A number: the mean "
      "empirical NTK and feature kernel of [montecarlo] samples random networks of that width, with "
      "their standard errors (docs/kernels.md, Finite-width networks)."));
  f.push_back(enum_key<finite::Parameterization>(
      "network", "parameterization", DEEPNTK_MEMBER(network.parameterization),
      "Finite width only: which parameters the NTK differentiates with respect to. ntk: the standard "
      "normal W, b of h = sqrt(sw2/fan_in) W a + sqrt(sb2) b (the analytic NTK's); standard: W with "
      "variance sw2/fan_in and b with variance sb2 of h = W a + b (an NTK that grows with the width)."));
  // [montecarlo]
  f.push_back(integer_key("montecarlo", "samples", DEEPNTK_MEMBER(montecarlo.samples), 2, int32_max,
                          "Random networks averaged at every recorded depth (finite network.width only)."));
  f.push_back(seed_key("montecarlo", "seed", DEEPNTK_MEMBER(montecarlo.seed),
                       "Network s is drawn from (seed, s), parameter by parameter, so the networks are the "
                       "same on any number of ranks, and the networks of two depths share their common "
                       "layers (finite network.width only)."));
  f.push_back(bool_key("montecarlo", "compare", DEEPNTK_MEMBER(montecarlo.compare),
                       "Compare the Monte-Carlo kernels with the analytic infinite-width kernels of the same "
                       "network at every recorded depth (reference_distance, z statistics); costs an exact "
                       "sweep of the train kernel (finite network.width only)."));
  f.push_back(export_networks_key(
      "Networks s whose parameters are written into the result at every recorded depth, under "
      "/networks/<L>/<s> (docs/output-format.md), to rebuild them elsewhere; [] = none (finite "
      "network.width only)."));
  // [training]
  f.push_back(integer_key("training", "steps", DEEPNTK_MEMBER(training.steps), 0, int32_max,
                          "Full-batch gradient-descent steps on the squared loss for each of the networks at every "
                          "recorded depth (finite network.width only, one target column); 0: no training."));
  f.push_back(float_key("training", "learning_rate", DEEPNTK_MEMBER(training.learning_rate), 0.0, Bound::exclusive,
                        "eta of theta <- theta - eta M grad L with L = 1/(2n) sum (F - y)^2 (M: the "
                        "parameterization's metric; docs/kernels.md). Too large a value diverges: the run "
                        "stops naming the step."));
  f.push_back(integer_key("training", "records", DEEPNTK_MEMBER(training.records), 2, 10000,
                          "Steps at which the losses and the relative NTK change are recorded: step 0, the last "
                          "step and the ones between spaced evenly in log(step)."));
  // [depth]
  f.push_back(schedule_key(
      "Depths L at which kernels are recorded: an array, a comma-separated string, or "
      "\"log:START:STOP:COUNT\" (COUNT depths spaced evenly in log L from START to STOP, rounded "
      "to integers)."));
  f.push_back(kinds_key("Kernels computed at every recorded depth: nngp (the Gaussian-process "
                        "kernel) and/or ntk (the neural tangent kernel)."));
  // [parallel]
  f.push_back(grid_key("BLACS process grid [rows, cols]; rows x cols must not exceed the number of "
                       "MPI ranks (extra ranks hold no data). [0, 0] picks the most square shape."));
  f.push_back(integer_key("parallel", "block_size", DEEPNTK_MEMBER(parallel.block_size), 0, int32_max,
                          "Row and column block size of the 2-D block-cyclic distribution. 0 = automatic: 64, "
                          "or less when n_train is too small for every rank of the grid to get a block of the "
                          "train kernel. A set size that leaves ranks idle gets a warning naming one that does "
                          "not. A set size above max(n_train, d) is used as max(n_train, d): a larger block holds no more "
                          "data, it only enlarges ScaLAPACK's workspaces."));
  f.push_back(memory_key("Memory one rank may use, e.g. \"4GiB\". \"\" = detect: SLURM_MEM_PER_CPU, else "
                         "SLURM_MEM_PER_NODE / ranks on the node, else MemAvailable / ranks on the node. `deepntk "
                         "run` refuses a run whose plan (`deepntk plan`) needs more, naming a rank count that fits."));
  // [output]
  f.push_back(string_key("output", "path", DEEPNTK_MEMBER(output.path), Empty::refused,
                         "Result file (HDF5). An existing file is not overwritten unless --force "
                         "is given; --output PATH overrides this key."));
  f.push_back(kernel_depths_key(
      "Which recorded depths get their kernel matrices (train x train, test x train) written: true: "
      "every depth; false: none; an array such as [1, 1000]: those depths (each must be in "
      "depth.schedule). Diagonals, spectra, regression and diagnostics are written at every depth."));
  f.push_back(bool_key("output", "eigenvalues", DEEPNTK_MEMBER(output.eigenvalues),
                       "Compute and write the eigenvalues of every train x train kernel."));
  f.push_back(bool_key("output", "gaps", DEEPNTK_MEMBER(output.gaps),
                       "Also write 1 - normalized NNGP for every pair (train_gap, test_gap), accurate "
                       "where 1 - K(x,x')/sqrt(K(x,x) K(x',x')) computed from the stored kernel loses "
                       "its digits (deep networks, near-duplicate inputs)."));
  // [analysis]
  f.push_back(number_list_key(
      "analysis", "ridge", DEEPNTK_MEMBER(analysis.ridge), Empty::allowed,
      "Ridge parameters lambda of the kernel regression, each giving test predictions "
      "Kt (K + lambda I)^-1 Y; 0 is the infinite-time NTK predictor. [] = no ridge regression."));
  f.push_back(enum_key<RidgeScale>(
      "analysis", "ridge_scale", DEEPNTK_MEMBER(analysis.ridge_scale),
      "relative: lambda is multiplied by trace(K)/n of each kernel (the same meaning at every "
      "depth); absolute: lambda in the true units of the kernel."));
  f.push_back(number_list_key(
      "analysis", "times", DEEPNTK_MEMBER(analysis.times), Empty::allowed,
      "Gradient-flow times t (true kernel units, MSE loss, learning rate 1) at which test "
      "predictions of the linearized network are computed; [] = none."));
  f.push_back(enum_key<FallbackKind>(
      "analysis", "fallback", DEEPNTK_MEMBER(analysis.fallback),
      "When a Cholesky solve finds K + lambda I not positive definite or too ill-conditioned: "
      "spectral (eigendecomposition, pseudo-inverse on the numerical range), jitter (add growing "
      "multiples of trace(K)/n to the diagonal), none (stop the run). A warning names depth, "
      "kernel and minor; the record is stored."));
  f.push_back(bool_key("analysis", "diagnostics", DEEPNTK_MEMBER(analysis.diagnostics),
                       "Depth diagnostics of every kernel: normalized off-diagonal min/mean/max, "
                       "distances to 11^T and to the best (1 - c) I + c 11^T, predictor weight row "
                       "sums."));
  f.push_back(bool_key("analysis", "eigenvectors", DEEPNTK_MEMBER(analysis.eigenvectors),
                       "Also write all eigenvectors of every train kernel (n x n per depth and "
                       "kernel; computed with PDSYEVD, with the residual ||K V - V Lambda|| / ||K||)."));
  f.push_back(enum_key<SpectrumMethod>(
      "analysis", "spectrum", DEEPNTK_MEMBER(analysis.spectrum),
      "How output.eigenvalues are computed: all (every eigenpair, PDSYEVD, with the residual "
      "||K V - V Lambda|| / ||K||), values (eigenvalues only, PDSYEVR without vectors), top (the "
      "analysis.top_k largest eigenpairs, PDSYEVR, with their residual). A full decomposition "
      "that the regression needs anyway is reused."));
  f.push_back(integer_key("analysis", "top_k", DEEPNTK_MEMBER(analysis.top_k), 1, int32_max,
                          "Number of largest eigenpairs for analysis.spectrum = \"top\" (capped at n)."));
  // [checkpoint]
  f.push_back(integer_key("checkpoint", "every_layers", DEEPNTK_MEMBER(checkpoint.every_layers), 0, int64_max,
                          "Write a checkpoint every this many layer steps of the depth sweep; 0 = not by "
                          "layers. SIGTERM and SIGUSR1 always write one."));
  f.push_back(float_key("checkpoint", "every_seconds", DEEPNTK_MEMBER(checkpoint.every_seconds), 0.0,
                        Bound::inclusive,
                        "Write a checkpoint when this many wall-clock seconds have passed since the last "
                        "one (or the start); 0 = not by time."));
  f.push_back(string_key("checkpoint", "path", DEEPNTK_MEMBER(checkpoint.path), Empty::allowed,
                         "Checkpoint directory; \"\" = the result path with \".checkpoint\" appended. "
                         "Removed after a successful run."));
  return f;
}

#undef DEEPNTK_MEMBER

}  // namespace

// ---- public-to-src/app accessors ------------------------------------------------------------------

std::string Field::key() const { return fmt::format("{}.{}", section, name); }

std::span<const Section> sections() { return section_table(); }

std::span<const Field> fields() {
  static const std::vector<Field> table = make_fields();
  return table;
}

const Field* find_field(std::string_view key) {
  for (const auto& field : fields()) {
    if (key.size() == field.section.size() + 1 + field.name.size() && key.starts_with(field.section) &&
        key[field.section.size()] == '.' && key.ends_with(field.name)) {
      return &field;
    }
  }
  return nullptr;
}

const Section* find_section(std::string_view name) {
  for (const auto& section : sections()) {
    if (section.name == name) return &section;
  }
  return nullptr;
}

std::string toml_quote(std::string_view text) {
  std::string out = "\"";
  for (char ch : text) {
    switch (ch) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\f': out += "\\f"; break;
      case '\r': out += "\\r"; break;
      default:
        if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) {
          out += fmt::format("\\u{:04X}", static_cast<unsigned>(static_cast<unsigned char>(ch)));
        } else {
          out += ch;
        }
    }
  }
  return out + "\"";
}

std::string toml_float(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  std::string text = fmt::format("{}", value);  // shortest text that reads back exactly
  if (text.find_first_of(".eE") == std::string::npos) text += ".0";
  return text;
}

std::string_view type_phrase(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a float";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::array: return "an array";
    case toml::node_type::table: return "a table";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    case toml::node_type::none: break;
  }
  return "nothing";
}

namespace {
std::string render_full(const toml::node& node) {
  if (const auto* v = node.as_string()) return toml_quote(v->get());
  if (const auto* v = node.as_integer()) return std::to_string(v->get());
  if (const auto* v = node.as_floating_point()) return toml_float(v->get());
  if (const auto* v = node.as_boolean()) return v->get() ? "true" : "false";
  if (const auto* array = node.as_array()) {
    std::string out = "[";
    for (const auto& element : *array) {
      if (out.size() > 1) out += ", ";
      out += render_full(element);
    }
    return out + "]";
  }
  if (const auto* table = node.as_table()) {
    std::string out = "{";
    for (const auto& [key, value] : *table) {
      out += fmt::format("{}{} = {}", out.size() > 1 ? ", " : " ", key.str(), render_full(value));
    }
    return out + " }";
  }
  return std::string(type_phrase(node));
}
}  // namespace

std::string render(const toml::node& node) {
  std::string text = render_full(node);
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return text;
}

}  // namespace detail

// ---- the public schema view ------------------------------------------------------------------------

std::span<const SectionDescription> describe_sections() {
  static const std::vector<SectionDescription> table = [] {
    std::vector<SectionDescription> out;
    for (const auto& s : detail::sections()) out.push_back({std::string(s.name), std::string(s.meaning)});
    return out;
  }();
  return table;
}

std::span<const KeyDescription> describe_keys() {
  static const std::vector<KeyDescription> table = [] {
    const RunConfig defaults{};
    std::vector<KeyDescription> out;
    for (const auto& f : detail::fields()) {
      out.push_back({f.key(), std::string(f.section), std::string(f.name), f.type, f.write(defaults),
                     f.allowed, std::string(f.meaning)});
    }
    return out;
  }();
  return table;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // Optimal string alignment: Levenshtein plus adjacent transpositions.
  const std::size_t n = a.size();
  const std::size_t m = b.size();
  std::vector<std::size_t> d((n + 1) * (m + 1));
  const auto at = [&](std::size_t i, std::size_t j) -> std::size_t& { return d[i * (m + 1) + j]; };
  for (std::size_t i = 0; i <= n; ++i) at(i, 0) = i;
  for (std::size_t j = 0; j <= m; ++j) at(0, j) = j;
  for (std::size_t i = 1; i <= n; ++i) {
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      at(i, j) = std::min({at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        at(i, j) = std::min(at(i, j), at(i - 2, j - 2) + 1);
      }
    }
  }
  return at(n, m);
}

std::string suggest_key(std::string_view key) {
  // Three ways to miss a key: a typo in it ("network.sw"), the right name in the wrong section
  // ("network.n_train"), or a name without its section ("sw2" at the top level).
  const std::size_t dot = key.rfind('.');
  const std::string_view name = dot == std::string_view::npos ? key : key.substr(dot + 1);
  std::string best;
  std::size_t best_score = std::numeric_limits<std::size_t>::max();
  const auto consider = [&](std::string_view given, std::string_view candidate, std::string_view suggestion,
                            std::size_t penalty) {
    const std::size_t d = edit_distance(given, candidate);
    const std::size_t limit = candidate.size() <= 4 ? 1 : candidate.size() <= 8 ? 2 : 3;
    if (d <= limit && 2 * d + penalty < best_score) {
      best_score = 2 * d + penalty;
      best = std::string(suggestion);
    }
  };
  for (const auto& f : detail::fields()) {
    const std::string full = f.key();
    consider(key, full, full, 0);
    consider(name, f.name, full, 1);
  }
  if (dot == std::string_view::npos) {
    for (const auto& s : detail::sections()) consider(key, s.name, s.name, 0);
  }
  return best;
}

}  // namespace deepntk::app
