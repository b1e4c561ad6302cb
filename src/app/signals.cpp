#include "deepntk/app/signals.hpp"

#include <atomic>

namespace deepntk::app {

namespace {

// Lock-free, so storing to it from a handler is async-signal-safe.
std::atomic<int> received{0};
static_assert(std::atomic<int>::is_always_lock_free);

extern "C" void record_signal(int signal_number) { received.store(signal_number, std::memory_order_relaxed); }

struct sigaction install(int signal_number) {
  struct sigaction action {};
  action.sa_handler = record_signal;
  sigemptyset(&action.sa_mask);
  // Restart interrupted system calls: MPI and HDF5 are in the middle of I/O when it arrives.
  action.sa_flags = SA_RESTART;
  struct sigaction previous {};
  sigaction(signal_number, &action, &previous);
  return previous;
}

}  // namespace

InterruptSignals::InterruptSignals() : previous_term_(install(SIGTERM)), previous_usr1_(install(SIGUSR1)) {}

InterruptSignals::~InterruptSignals() {
  sigaction(SIGTERM, &previous_term_, nullptr);
  sigaction(SIGUSR1, &previous_usr1_, nullptr);
}

int InterruptSignals::pending() noexcept { return received.load(std::memory_order_relaxed); }

void InterruptSignals::clear() noexcept { received.store(0, std::memory_order_relaxed); }

std::string signal_name(int signal_number) {
  switch (signal_number) {
    case SIGTERM: return "SIGTERM";
    case SIGUSR1: return "SIGUSR1";
    case SIGINT: return "SIGINT";
    default: return "signal " + std::to_string(signal_number);
  }
}

RunInterrupted::RunInterrupted(int signal_number, const std::string& checkpoint_path)
    : std::runtime_error("interrupted by " + signal_name(signal_number) + "; checkpoint written to " +
                         checkpoint_path + "; run the same command again to resume"),
      signal_(signal_number) {}

}  // namespace deepntk::app
