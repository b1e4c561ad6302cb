#include "deepntk/app/checkpoint_hash.hpp"

#include <fmt/format.h>

#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

#include "deepntk/kernels/sweep_state.hpp"
#include "deepntk/version.hpp"

namespace deepntk::app {

namespace {

// FNV-1a: a fingerprint against accidents (another configuration, other data), not an
// adversary; 64 bits make an accidental collision negligible.
class Fnv1a {
 public:
  void add(std::span<const unsigned char> bytes) {
    for (unsigned char b : bytes) {
      state_ ^= b;
      state_ *= 0x100000001b3ULL;
    }
  }
  void add(std::string_view text) {
    add_length(text.size());
    add(std::span(reinterpret_cast<const unsigned char*>(text.data()), text.size()));
  }
  void add(std::span<const double> values) {
    add_length(values.size());
    add(std::span(reinterpret_cast<const unsigned char*>(values.data()), values.size_bytes()));
  }
  void add(std::int64_t value) {
    unsigned char bytes[sizeof value];
    std::memcpy(bytes, &value, sizeof value);
    add(std::span<const unsigned char>(bytes));
  }
  [[nodiscard]] std::uint64_t value() const noexcept { return state_; }

 private:
  // Lengths first, so that moving bytes between fields changes the fingerprint.
  void add_length(std::size_t n) { add(static_cast<std::int64_t>(n)); }
  std::uint64_t state_ = 0xcbf29ce484222325ULL;
};

void add_points(Fnv1a& hash, const data::PointSet& points) {
  hash.add(points.count);
  hash.add(points.dimension);
  hash.add(std::span<const double>(points.values));
}

}  // namespace

std::string result_determining_configuration(const RunConfig& config) {
  RunConfig c = config;
  const RunConfig defaults;
  c.output.path = defaults.output.path;
  c.parallel = defaults.parallel;
  c.checkpoint = defaults.checkpoint;
  return to_toml(c);
}

std::string result_fingerprint(const RunConfig& config, const data::Dataset& dataset) {
  Fnv1a hash;
  hash.add(std::string_view(deepntk::version()));
  hash.add(kernels::SweepState::current_format);
  hash.add(std::string_view(result_determining_configuration(config)));
  add_points(hash, dataset.train);
  add_points(hash, dataset.test);
  for (const auto* y : {&dataset.y_train, &dataset.y_test}) {
    hash.add(static_cast<std::int64_t>(y->has_value()));
    if (*y) add_points(hash, **y);
  }
  hash.add(dataset.classes);
  return fmt::format("{:016x}", hash.value());
}

}  // namespace deepntk::app
