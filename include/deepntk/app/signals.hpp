#pragma once
// SIGTERM / SIGUSR1 as a request to stop at the next layer boundary with a checkpoint.
//
// SLURM (and most batch systems) warn a job before its time limit with one of these signals;
// a long depth sweep should then save its state and leave instead of being killed. The handler
// only records which signal arrived (async-signal-safe: one store to a lock-free atomic); the
// sweep loop polls pending() between slices and the ranks agree on it (a signal may reach only
// some ranks), see checkpoint.hpp.
//
// Exit code: a run stopped this way ends with RunInterrupted, which main() turns into the
// message "deepntk: interrupted by SIGTERM; checkpoint written to PATH; run the same command
// again to resume" (rank 0) and exit status 3 on every rank.

#include <csignal>
#include <stdexcept>
#include <string>

namespace deepntk::app {

/// Installs the handlers for its lifetime and restores the previous ones afterwards.
class InterruptSignals {
 public:
  InterruptSignals();
  ~InterruptSignals();
  InterruptSignals(const InterruptSignals&) = delete;
  InterruptSignals& operator=(const InterruptSignals&) = delete;

  /// The signal number received since installation (the last one if several), or 0.
  [[nodiscard]] static int pending() noexcept;
  /// Forgets a received signal (tests; a new run in the same process).
  static void clear() noexcept;

 private:
  struct sigaction previous_term_ {};
  struct sigaction previous_usr1_ {};
};

/// "SIGTERM", "SIGUSR1", or "signal N".
[[nodiscard]] std::string signal_name(int signal_number);

/// Thrown on every rank together after the checkpoint is written (main(): exit status 3).
class RunInterrupted : public std::runtime_error {
 public:
  RunInterrupted(int signal_number, const std::string& checkpoint_path);
  [[nodiscard]] int signal_number() const noexcept { return signal_; }

 private:
  int signal_;
};

/// The exit status of an interrupted run.
inline constexpr int interrupted_exit_code = 3;

}  // namespace deepntk::app
