#pragma once
// Wall-clock time per phase of a run (inputs, sweep, kernel output, spectrum, regression, ...),
// for the timing summary printed at the end and stored under /timing.
//
// Times are rank 0's wall clock. Every phase is collective, so a rank that finishes early waits
// in the next collective call and the sum over phases is the run's wall time on any rank; what
// rank 0 measures is what the user waits for.

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace deepntk::app {

class PhaseTimes {
 public:
  using Clock = std::chrono::steady_clock;

  /// Adds the time from construction to destruction to one phase.
  class Scope {
   public:
    Scope(PhaseTimes& times, std::string_view phase);
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    PhaseTimes& times_;
    std::string phase_;
    Clock::time_point start_;
  };

  [[nodiscard]] Scope measure(std::string_view phase) { return Scope(*this, phase); }
  void add(std::string_view phase, double seconds);
  /// Adds the time since `start` (for a phase that spans declarations a scope cannot hold).
  void add_since(std::string_view phase, Clock::time_point start) {
    add(phase, std::chrono::duration<double>(Clock::now() - start).count());
  }

  /// Seconds of one phase (0 if it never ran).
  [[nodiscard]] double seconds(std::string_view phase) const;
  /// Phases in the order they first ran, with their accumulated seconds.
  [[nodiscard]] const std::vector<std::pair<std::string, double>>& entries() const noexcept { return entries_; }
  [[nodiscard]] double sum() const;

  /// A small table, one line per phase with its share of `total` seconds.
  [[nodiscard]] std::string format(double total) const;

 private:
  std::vector<std::pair<std::string, double>> entries_;
};

}  // namespace deepntk::app
