#pragma once
// Progress of a run on rank 0: which phase, layer, next recorded depth, rate and ETA.
//
// On a terminal it is one line that updates in place (at most five times a second); when
// standard output is not a terminal (a SLURM log, a pipe) it is a plain line every
// `plain_interval` seconds, so a batch log shows the run moving without being flooded.
// Nothing at all with --quiet. Other ranks hold a silent reporter: callers need no rank checks.

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

namespace deepntk::app {

class ProgressReporter {
 public:
  using Clock = std::chrono::steady_clock;

  struct Options {
    bool enabled = true;            ///< false on ranks other than 0 and with --quiet
    bool terminal = false;          ///< update one line in place (stdout is a tty)
    double plain_interval = 30.0;   ///< seconds between plain lines when not a terminal
    std::FILE* stream = stdout;
  };

  explicit ProgressReporter(Options options);
  /// The options for this process: enabled on rank 0 unless quiet, terminal from isatty(stdout).
  [[nodiscard]] static Options for_rank(bool is_root, bool quiet);

  /// The sweep stands at `layers_done` of `layers_total` layer steps, `pairs` kernel entries per
  /// layer step over all ranks; `next_depth` is the next recorded depth. `other_seconds` is the
  /// time spent outside the sweep so far and `depths_done` / `depths_total` count recorded
  /// depths, so the ETA can include the per-depth analysis still to come. The ETA reads
  /// "calibrating" until a slice after the first one has been timed.
  struct SweepPoint {
    std::int64_t layers_done = 0, layers_total = 0;
    double pairs = 0;
    std::int64_t next_depth = 0;
    double sweep_seconds = 0;     ///< spent in the sweep so far (this invocation)
    std::int64_t sweep_layers = 0;  ///< layer steps done in this invocation
    double analysis_seconds = 0;  ///< spent on recorded depths so far (this invocation)
    /// Recorded depths done in all (a resumed run counts the earlier run's), analysed by this
    /// invocation (the ones analysis_seconds covers), and in the schedule.
    std::int64_t depths_done = 0, depths_analysed = 0, depths_total = 0;
    /// The expected cost of the layer steps done and of all of them, in any unit
    /// (SweepCostProfile); negative: every layer step costs the same.
    double cost_done = -1, cost_total = -1;
  };
  void sweep(const SweepPoint& point);

  /// A phase at a recorded depth, e.g. ("spectrum", "ntk", 1000).
  void phase(std::string_view phase, std::string_view kind, std::int64_t depth);

  /// A line that must stand on its own (finishes an updating line first).
  void line(const std::string& text);

  /// Ends an updating line so that what follows starts on a fresh line.
  void finish();

  /// Seconds as h:mm:ss (or "?" when not finite).
  [[nodiscard]] static std::string format_duration(double seconds);

 private:
  void emit(const std::string& text, bool force);
  /// Seconds still to go, or NaN while the rates are not yet known (calibrating).
  [[nodiscard]] double remaining_seconds(const SweepPoint& point, double cost_per_second);

  Options options_;
  // Warm-up left out of the rates: the first slice of an invocation pays for first touches of
  // the state arrays and cold caches, and the first analysed depth for the libraries' first
  // calls and workspace allocations; extrapolating either over the whole run made the first
  // ETA several times too long. Rates count only what came after them.
  struct SweepMark {
    double seconds = 0;
    double cost = 0;
    std::int64_t layers = 0;
  };
  std::optional<SweepMark> sweep_warmup_;
  std::optional<double> first_analysis_seconds_;
  Clock::time_point last_emit_{};
  bool emitted_once_ = false;
  std::size_t last_width_ = 0;  // of the updating line, to blank what a shorter line leaves
};

}  // namespace deepntk::app
