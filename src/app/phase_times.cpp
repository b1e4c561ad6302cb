#include "deepntk/app/phase_times.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace deepntk::app {

PhaseTimes::Scope::Scope(PhaseTimes& times, std::string_view phase)
    : times_(times), phase_(phase), start_(Clock::now()) {}

PhaseTimes::Scope::~Scope() {
  times_.add(phase_, std::chrono::duration<double>(Clock::now() - start_).count());
}

void PhaseTimes::add(std::string_view phase, double seconds) {
  const auto found = std::find_if(entries_.begin(), entries_.end(), [&](const auto& e) { return e.first == phase; });
  if (found != entries_.end()) {
    found->second += seconds;
  } else {
    entries_.emplace_back(std::string(phase), seconds);
  }
}

double PhaseTimes::seconds(std::string_view phase) const {
  for (const auto& [name, value] : entries_) {
    if (name == phase) return value;
  }
  return 0.0;
}

double PhaseTimes::sum() const {
  double total = 0;
  for (const auto& entry : entries_) total += entry.second;
  return total;
}

std::string PhaseTimes::format(double total) const {
  std::string out;
  for (const auto& [name, value] : entries_) {
    out += fmt::format("  {:<16} {:>9.2f} s  {:>5.1f} %\n", name, value, total > 0 ? 100.0 * value / total : 0.0);
  }
  const double other = total - sum();
  if (other > 0.005) out += fmt::format("  {:<16} {:>9.2f} s  {:>5.1f} %\n", "other", other, 100.0 * other / total);
  return out;
}

}  // namespace deepntk::app
