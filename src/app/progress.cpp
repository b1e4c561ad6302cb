#include "deepntk/app/progress.hpp"

#include <cmath>
#include <limits>
#include <cstdlib>
#include <string_view>
#include <utility>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <fmt/format.h>

namespace deepntk::app {

ProgressReporter::ProgressReporter(Options options) : options_(options) {}

namespace {

// Whether the person running us sees standard output on a terminal. Under Open MPI's mpirun a
// rank's stdout is always a pseudo-terminal (mpirun relays it), even when mpirun itself writes
// to a pipe or a SLURM log, so for a launched rank the answer is mpirun's: its stdout, seen
// through /proc/<parent>/fd/1, must be a character device other than the null device.
bool output_is_terminal() {
  if (::isatty(::fileno(stdout)) != 1) return false;
  if (std::getenv("OMPI_COMM_WORLD_SIZE") == nullptr) return true;  // not launched by mpirun
  struct stat target {};
  const std::string parent_stdout = "/proc/" + std::to_string(::getppid()) + "/fd/1";
  if (::stat(parent_stdout.c_str(), &target) != 0) return false;
  return S_ISCHR(target.st_mode) && major(target.st_rdev) != 1;  // major 1: /dev/null and friends
}

}  // namespace

ProgressReporter::Options ProgressReporter::for_rank(bool is_root, bool quiet) {
  Options options;
  options.enabled = is_root && !quiet;
  // DEEPNTK_PROGRESS=line|plain overrides the guess (e.g. a launcher that hides the terminal).
  const char* forced = std::getenv("DEEPNTK_PROGRESS");
  const std::string_view mode = forced != nullptr ? forced : "";
  options.terminal = options.enabled && (mode == "line" || (mode != "plain" && output_is_terminal()));
  return options;
}

std::string ProgressReporter::format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const auto total = static_cast<std::int64_t>(std::llround(seconds));
  return fmt::format("{}:{:02}:{:02}", total / 3600, (total / 60) % 60, total % 60);
}

namespace {

// Expected cost of the layer steps done and of all: the profile's, or the layer count.
std::pair<double, double> sweep_costs(const ProgressReporter::SweepPoint& p) {
  if (p.cost_done >= 0 && p.cost_total >= 0) return {p.cost_done, p.cost_total};
  return {static_cast<double>(p.layers_done), static_cast<double>(p.layers_total)};
}

}  // namespace

double ProgressReporter::remaining_seconds(const SweepPoint& p, double cost_per_second) {
  // Seen on every call (each analysed depth is followed by one), so the mark is the first's.
  if (p.depths_analysed >= 1 && !first_analysis_seconds_) first_analysis_seconds_ = p.analysis_seconds;
  if (!(cost_per_second > 0)) return std::numeric_limits<double>::quiet_NaN();
  const auto [done, total] = sweep_costs(p);
  double eta = (total - done) / cost_per_second;
  // The recorded depths still to analyse, at the cost per depth of those analysed after the
  // first one (the first alone while it is the only one).
  const std::int64_t depths_left = p.depths_total - p.depths_done;
  if (depths_left > 0 && p.depths_analysed >= 1) {
    const double per_depth = p.depths_analysed >= 2 ? (p.analysis_seconds - *first_analysis_seconds_) /
                                                          static_cast<double>(p.depths_analysed - 1)
                                                    : p.analysis_seconds;
    eta += per_depth * static_cast<double>(depths_left);
  }
  return eta;
}

void ProgressReporter::sweep(const SweepPoint& p) {
  if (!options_.enabled) return;
  // The rate after the first slice of this invocation, in expected cost per second (layers
  // per second without a profile); until a later slice is timed the ETA is unknown.
  double layers_per_second = p.sweep_seconds > 0 ? static_cast<double>(p.sweep_layers) / p.sweep_seconds : 0;
  const double cost_done = sweep_costs(p).first;
  double cost_per_second = 0;
  if (!sweep_warmup_) {
    sweep_warmup_ = SweepMark{p.sweep_seconds, cost_done, p.sweep_layers};
  } else if (cost_done > sweep_warmup_->cost && p.sweep_seconds > sweep_warmup_->seconds) {
    const double seconds = p.sweep_seconds - sweep_warmup_->seconds;
    cost_per_second = (cost_done - sweep_warmup_->cost) / seconds;
    layers_per_second = static_cast<double>(p.sweep_layers - sweep_warmup_->layers) / seconds;
  }
  const double eta = remaining_seconds(p, cost_per_second);
  const std::string eta_text = std::isfinite(eta) ? format_duration(eta) : std::string("calibrating");
  const double percent = p.layers_total > 0 ? 100.0 * static_cast<double>(p.layers_done) / static_cast<double>(p.layers_total) : 100.0;
  emit(fmt::format("sweep: layer {}/{} ({:.1f} %), next depth {}, {:.3g} pair-layers/s, depths {}/{}, ETA {}",
                   p.layers_done, p.layers_total, percent, p.next_depth, layers_per_second * p.pairs, p.depths_done,
                   p.depths_total, eta_text),
       false);
}

void ProgressReporter::phase(std::string_view phase, std::string_view kind, std::int64_t depth) {
  if (!options_.enabled) return;
  emit(fmt::format("depth {}: {} ({})", depth, phase, kind), false);
}

void ProgressReporter::line(const std::string& text) {
  if (!options_.enabled) return;
  finish();
  std::fprintf(options_.stream, "deepntk: %s\n", text.c_str());
  std::fflush(options_.stream);
}

void ProgressReporter::finish() {
  if (!options_.enabled || !options_.terminal || last_width_ == 0) return;
  std::fputc('\n', options_.stream);
  std::fflush(options_.stream);
  last_width_ = 0;
}

void ProgressReporter::emit(const std::string& text, bool force) {
  const auto now = Clock::now();
  const double since = std::chrono::duration<double>(now - last_emit_).count();
  const double interval = options_.terminal ? 0.2 : options_.plain_interval;
  if (!force && emitted_once_ && since < interval) return;
  emitted_once_ = true;
  last_emit_ = now;
  const std::string shown = "deepntk: " + text;
  if (options_.terminal) {
    // Carriage return and blanks over the rest of a longer previous line: no terminal codes,
    // so the line reads the same in `script` logs and dumb terminals.
    const std::size_t pad = last_width_ > shown.size() ? last_width_ - shown.size() : 0;
    std::fprintf(options_.stream, "\r%s%*s", shown.c_str(), static_cast<int>(pad), "");
    last_width_ = shown.size();
  } else {
    std::fprintf(options_.stream, "%s\n", shown.c_str());
  }
  std::fflush(options_.stream);
}

}  // namespace deepntk::app
