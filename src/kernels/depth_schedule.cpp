#include "deepntk/kernels/depth_schedule.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace deepntk::kernels {

namespace {

[[noreturn]] void fail(std::string_view text, const std::string& why) {
  throw std::invalid_argument("depth schedule \"" + std::string(text) + "\": " + why);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// A depth written as an integer ("1000", "1_000") or in exponent form ("1e6", "2.5e3"); the
// value must be integral: silently rounding "10.5" would record a depth nobody asked for.
std::int64_t parse_depth(std::string_view whole, std::string_view item, const char* what) {
  item = trim(item);
  if (item.empty()) fail(whole, std::string("empty ") + what);
  std::string digits;
  for (char c : item) {
    if (c != '_') digits.push_back(c);
  }
  bool plain = !digits.empty() && std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
  const std::string quoted = std::string(what) + " '" + std::string(item) + "'";
  if (plain) {
    if (digits.size() > 13) fail(whole, quoted + " is too large (at most 10^12)");
    return std::stoll(digits);
  }
  bool numeric = std::all_of(digits.begin(), digits.end(), [](char c) {
    return (c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-';
  });
  if (!numeric || digits.empty()) fail(whole, quoted + " is not a number");
  std::size_t used = 0;
  double v = 0.0;
  try {
    v = std::stod(digits, &used);
  } catch (const std::exception&) {
    fail(whole, quoted + " is not a number");
  }
  if (used != digits.size()) fail(whole, quoted + " is not a number");
  if (!std::isfinite(v) || v != std::floor(v)) fail(whole, quoted + " is not an integer");
  if (v < -1e12 || v > 1e12) fail(whole, quoted + " is out of range (at most 10^12)");
  return static_cast<std::int64_t>(v);
}

void check_range(std::string_view whole, std::int64_t d) {
  if (d < 1 || d > DepthSchedule::max_allowed_depth) {
    fail(whole, "depth " + std::to_string(d) + " is outside [1, " + std::to_string(DepthSchedule::max_allowed_depth) + "]");
  }
}

}  // namespace

DepthSchedule::DepthSchedule(std::vector<std::int64_t> depths) : depths_(std::move(depths)) {
  if (depths_.empty()) throw std::invalid_argument("depth schedule: no depths given; expected at least one depth >= 1");
  for (std::int64_t d : depths_) {
    if (d < 1 || d > max_allowed_depth) {
      throw std::invalid_argument("depth schedule: depth " + std::to_string(d) + " is outside [1, " +
                                  std::to_string(max_allowed_depth) + "]");
    }
  }
  std::sort(depths_.begin(), depths_.end());
  depths_.erase(std::unique(depths_.begin(), depths_.end()), depths_.end());
}

DepthSchedule DepthSchedule::log_spaced(std::int64_t start, std::int64_t stop, std::int64_t count) {
  const std::string text = "log:" + std::to_string(start) + ":" + std::to_string(stop) + ":" + std::to_string(count);
  check_range(text, start);
  check_range(text, stop);
  if (stop < start) fail(text, "STOP must be >= START");
  if (count < 1) fail(text, "COUNT must be >= 1");
  if (count == 1 && stop != start) fail(text, "COUNT must be >= 2 when START < STOP (both ends are always included)");
  if (count > 10'000'000) fail(text, "COUNT must be at most 10^7");
  std::vector<std::int64_t> out;
  out.reserve(static_cast<std::size_t>(count));
  out.push_back(start);
  const double a = std::log(static_cast<double>(start));
  const double b = std::log(static_cast<double>(stop));
  for (std::int64_t k = 1; k + 1 < count; ++k) {
    const double t = static_cast<double>(k) / static_cast<double>(count - 1);
    out.push_back(std::llround(std::exp(a + (b - a) * t)));
  }
  out.push_back(stop);
  return DepthSchedule(std::move(out));
}

DepthSchedule DepthSchedule::parse(std::string_view text) {
  const std::string_view body = trim(text);
  if (body.empty()) fail(text, "empty; expected \"1,2,5,10\" or \"log:START:STOP:COUNT\"");
  if (body.substr(0, 4) == "log:") {
    std::vector<std::string_view> parts;
    std::string_view rest = body.substr(4);
    for (;;) {
      const auto colon = rest.find(':');
      parts.push_back(rest.substr(0, colon));
      if (colon == std::string_view::npos) break;
      rest.remove_prefix(colon + 1);
    }
    if (parts.size() != 3) fail(text, "expected log:START:STOP:COUNT, e.g. log:1:1e6:25");
    const std::int64_t start = parse_depth(text, parts[0], "START");
    const std::int64_t stop = parse_depth(text, parts[1], "STOP");
    const std::int64_t count = parse_depth(text, parts[2], "COUNT");
    check_range(text, start);
    check_range(text, stop);
    if (stop < start) fail(text, "STOP must be >= START");
    if (count < 1) fail(text, "COUNT must be >= 1");
    if (count == 1 && stop != start) fail(text, "COUNT must be >= 2 when START < STOP (both ends are always included)");
    return log_spaced(start, stop, count);
  }
  std::vector<std::int64_t> depths;
  std::string_view rest = body;
  for (;;) {
    const auto comma = rest.find(',');
    const std::int64_t d = parse_depth(text, rest.substr(0, comma), "depth");
    check_range(text, d);
    depths.push_back(d);
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return DepthSchedule(std::move(depths));
}

}  // namespace deepntk::kernels
