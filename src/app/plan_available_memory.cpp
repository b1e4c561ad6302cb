#include "deepntk/app/plan_available_memory.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "deepntk/core/counted.hpp"

namespace deepntk::app {
namespace {

std::string lower(std::string_view text) {
  std::string out;
  for (char c : text) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::optional<double> leading_number(std::string_view text, std::size_t& used) {
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{}) return std::nullopt;
  used = static_cast<std::size_t>(end - text.data());
  return value;
}

// SLURM's memory variables are in MiB (SLURM calls them MB).
std::optional<std::int64_t> slurm_mebibytes(const EnvironmentLookup& environment, const char* name) {
  const auto text = environment(name);
  if (!text) return std::nullopt;
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (error != std::errc{} || end != text->data() + text->size() || value <= 0) return std::nullopt;
  return value << 20;
}

std::optional<std::int64_t> mem_available(const std::filesystem::path& meminfo) {
  std::ifstream in(meminfo);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.starts_with("MemAvailable:")) continue;
    std::istringstream fields(line.substr(13));
    std::int64_t kib = 0;
    std::string unit;
    if (fields >> kib >> unit && unit == "kB" && kib > 0) return kib * 1024;
  }
  return std::nullopt;
}

std::string ranks_phrase(int ranks_on_node) {
  return counted(ranks_on_node, "rank") + " on this node";
}

}  // namespace

std::optional<std::int64_t> parse_byte_size(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  std::size_t used = 0;
  const auto number = leading_number(text, used);
  if (!number || !std::isfinite(*number) || *number <= 0) return std::nullopt;
  std::string_view rest = text.substr(used);
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  const std::string unit = lower(rest);
  double factor = 0;
  const struct {
    const char* name;
    double factor;
  } units[] = {{"", 1},           {"b", 1},           {"k", 0x1p10},      {"kib", 0x1p10}, {"m", 0x1p20},
               {"mib", 0x1p20},   {"g", 0x1p30},      {"gib", 0x1p30},    {"t", 0x1p40},   {"tib", 0x1p40},
               {"kb", 1e3},       {"mb", 1e6},        {"gb", 1e9},        {"tb", 1e12}};
  for (const auto& u : units) {
    if (unit == u.name) factor = u.factor;
  }
  if (factor == 0) return std::nullopt;
  const double bytes = std::floor(*number * factor);
  if (!(bytes >= 1) || bytes > 0x1p62) return std::nullopt;
  return static_cast<std::int64_t>(bytes);
}

std::string byte_size_expected() {
  return "\"\" (detect) or a size such as \"4GiB\", \"512MiB\", \"1.5G\" (K, M, G, T and KiB ... TiB are powers of "
         "1024; KB ... TB powers of 1000)";
}

EnvironmentLookup process_environment() {
  return [](const char* name) -> std::optional<std::string> {
    const char* value = std::getenv(name);
    if (value == nullptr || *value == '\0') return std::nullopt;
    return std::string(value);
  };
}

AvailableMemory available_memory(std::string_view configured, int ranks_on_node, const EnvironmentLookup& environment,
                                 const std::filesystem::path& meminfo) {
  ranks_on_node = std::max(ranks_on_node, 1);
  if (!configured.empty()) {
    const auto bytes = parse_byte_size(configured);
    if (!bytes) return {std::nullopt, "parallel.memory_per_rank is not a size"};  // validated earlier
    return {bytes, "parallel.memory_per_rank"};
  }
  if (const auto per_cpu = slurm_mebibytes(environment, "SLURM_MEM_PER_CPU")) {
    std::int64_t cpus = 1;
    if (const auto text = environment("SLURM_CPUS_PER_TASK")) {
      std::int64_t value = 0;
      const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
      if (error == std::errc{} && value > 0) cpus = value;
    }
    return {*per_cpu * cpus, cpus == 1 ? "SLURM_MEM_PER_CPU"
                                       : fmt::format("SLURM_MEM_PER_CPU x SLURM_CPUS_PER_TASK = {}", cpus)};
  }
  if (const auto per_node = slurm_mebibytes(environment, "SLURM_MEM_PER_NODE")) {
    return {*per_node / ranks_on_node, "SLURM_MEM_PER_NODE / " + ranks_phrase(ranks_on_node)};
  }
  if (const auto free = mem_available(meminfo)) {
    return {*free / ranks_on_node, "MemAvailable in " + meminfo.string() + " / " + ranks_phrase(ranks_on_node)};
  }
  return {std::nullopt, "no parallel.memory_per_rank, no SLURM memory limit, no MemAvailable"};
}

}  // namespace deepntk::app
