// Progress lines and the per-phase timing table: what a user sees in a terminal or a SLURM log.

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "deepntk/app/phase_times.hpp"
#include "deepntk/app/progress.hpp"
#include "deepntk/app/sweep_cost_profile.hpp"
#include "deepntk/kernels/depth_schedule.hpp"

using deepntk::app::PhaseTimes;
using deepntk::app::ProgressReporter;

namespace {

// Everything written to a temporary stream, as text.
struct CapturedStream {
  std::FILE* file = std::tmpfile();
  ~CapturedStream() { std::fclose(file); }
  std::string text() const {
    std::fflush(file);
    std::rewind(file);
    std::string out;
    for (int c = std::fgetc(file); c != EOF; c = std::fgetc(file)) out.push_back(static_cast<char>(c));
    return out;
  }
};

// The first slice: one layer in 3 s, most of it warm-up (first touches, cold caches).
ProgressReporter::SweepPoint first_slice() {
  return {.layers_done = 1, .layers_total = 10, .pairs = 100, .next_depth = 10, .sweep_seconds = 3.0,
          .sweep_layers = 1, .analysis_seconds = 0, .depths_done = 0, .depths_analysed = 0, .depths_total = 2};
}

ProgressReporter::SweepPoint halfway() {
  // 5 of 10 layers after 3.8 s of sweep: 4 layers in the 0.8 s after the first slice (5 layers/s:
  // 1 s to go), one of two depths analysed in 2 s (one more to come: 2 s): ETA 3 s. The overall
  // rate (5 layers in 3.8 s) would say 5.8 s.
  return {.layers_done = 5, .layers_total = 10, .pairs = 100, .next_depth = 10, .sweep_seconds = 3.8,
          .sweep_layers = 5, .analysis_seconds = 2.0, .depths_done = 1, .depths_analysed = 1, .depths_total = 2};
}

// A reporter past its first slice, so later points have a rate for the ETA.
void warm_up(ProgressReporter& progress) { progress.sweep(first_slice()); }

}  // namespace

BOOST_AUTO_TEST_CASE(durations_read_as_hours_minutes_seconds) {
  BOOST_TEST(ProgressReporter::format_duration(3725.4) == "1:02:05");
  BOOST_TEST(ProgressReporter::format_duration(59.6) == "0:01:00");
  BOOST_TEST(ProgressReporter::format_duration(std::numeric_limits<double>::quiet_NaN()) == "?");
  BOOST_TEST(ProgressReporter::format_duration(-1) == "?");
}

BOOST_AUTO_TEST_CASE(plain_lines_carry_layer_rate_and_eta) {
  CapturedStream out;
  ProgressReporter progress({.enabled = true, .terminal = false, .plain_interval = 0, .stream = out.file});
  warm_up(progress);
  progress.sweep(halfway());
  const std::string text = out.text();
  BOOST_TEST(text == "deepntk: sweep: layer 1/10 (10.0 %), next depth 10, 33.3 pair-layers/s, depths 0/2, ETA calibrating\n"
                     "deepntk: sweep: layer 5/10 (50.0 %), next depth 10, 500 pair-layers/s, depths 1/2, ETA 0:00:03\n");
}

BOOST_AUTO_TEST_CASE(a_resumed_run_has_no_analysis_cost_to_extrapolate_yet) {
  CapturedStream out;
  ProgressReporter progress({.enabled = true, .terminal = false, .plain_interval = 0, .stream = out.file});
  auto point = halfway();
  point.analysis_seconds = 0;  // depth 1 was analysed before the restart, none since
  point.depths_analysed = 0;
  warm_up(progress);
  progress.sweep(point);
  BOOST_TEST(out.text().find("depths 1/2, ETA 0:00:01\n") != std::string::npos, out.text());
}

BOOST_AUTO_TEST_CASE(the_first_analysed_depth_is_warm_up_once_a_second_is_timed) {
  CapturedStream out;
  ProgressReporter progress({.enabled = true, .terminal = false, .plain_interval = 0, .stream = out.file});
  warm_up(progress);
  auto point = halfway();  // 1 s of sweep to go
  point.depths_total = 4;
  point.analysis_seconds = 8.0;  // the first depth: libraries' first calls, workspaces
  progress.sweep(point);
  point.depths_done = point.depths_analysed = 2;
  point.analysis_seconds = 10.0;  // the second took 2 s: two more to come, 4 s, not 2 x 5 s
  progress.sweep(point);
  BOOST_TEST(out.text().find("depths 1/4, ETA 0:00:25\n") != std::string::npos, out.text());
  BOOST_TEST(out.text().find("depths 2/4, ETA 0:00:05\n") != std::string::npos, out.text());
}

BOOST_AUTO_TEST_CASE(with_a_cost_profile_the_eta_follows_the_expected_cost_not_the_layer_count) {
  // The first layer cost 4 units, layers 2-5 two more in 0.8 s (2.5 units/s); the 5 layers to
  // go cost 10 units: 4 s of sweep, plus 2 s for the last depth. Counting layers would say 3 s.
  CapturedStream out;
  ProgressReporter progress({.enabled = true, .terminal = false, .plain_interval = 0, .stream = out.file});
  auto first = first_slice();
  first.cost_done = 4, first.cost_total = 16;
  progress.sweep(first);
  auto point = halfway();
  point.cost_done = 6, point.cost_total = 16;
  progress.sweep(point);
  BOOST_TEST(out.text().find("depths 1/2, ETA 0:00:06\n") != std::string::npos, out.text());
}

BOOST_AUTO_TEST_CASE(a_calibrated_profile_grows_with_the_work_and_extrapolates) {
  using namespace deepntk::kernels;
  // Four points, two nearly parallel: 16 pairs through an mlp ReLU sweep to depth 2000.
  const std::vector<double> k0{1, 1, 1, 1}, gap{0, 0.5, 1e-4, 1, 0.5, 0, 0.3, 0.7, 1e-4, 0.3, 0, 0.9, 1, 0.7, 0.9, 0};
  const std::vector<std::int64_t> ids{0, 1, 2, 3};
  const PairBlock block{.rows = 4, .cols = 4, .row_k0_diag = k0, .col_k0_diag = k0, .input_gap = gap,
                        .row_ids = ids, .col_ids = ids, .symmetric = true};
  const NetworkSpec spec{};
  const auto schedule = DepthSchedule::parse("log:1:2000:8");
  const auto profile = deepntk::app::SweepCostProfile::calibrate(spec, schedule, block, 10.0);
  BOOST_TEST(profile.cost_at(0) == 0.0);
  double previous = 0;
  for (std::int64_t w = 100; w <= 2000; w += 100) {
    BOOST_TEST(profile.cost_at(w) >= previous);
    previous = profile.cost_at(w);
  }
  BOOST_TEST(profile.cost_at(2000) > 0.0);
  // A budget too small for the whole sweep: the rest is extrapolated, still increasing.
  const auto cut = deepntk::app::SweepCostProfile::calibrate(spec, DepthSchedule::parse("log:1:1000000:4"), block, 1e-4);
  BOOST_TEST(cut.cost_at(1'000'000) > cut.cost_at(500'000));
  BOOST_TEST(cut.cost_at(500'000) > 0.0);
  // The uniform profile counts layer steps.
  BOOST_TEST(deepntk::app::SweepCostProfile().cost_at(42) == 42.0);
}

BOOST_AUTO_TEST_CASE(plain_lines_are_spaced_by_the_interval) {
  CapturedStream out;
  ProgressReporter progress({.enabled = true, .terminal = false, .plain_interval = 3600, .stream = out.file});
  progress.sweep(first_slice());
  progress.sweep(halfway());            // within the interval: not shown
  progress.phase("spectrum", "ntk", 10);  // neither
  progress.line("depth 10 done");       // standalone lines always are
  BOOST_TEST(out.text() == "deepntk: sweep: layer 1/10 (10.0 %), next depth 10, 33.3 pair-layers/s, depths 0/2, "
                           "ETA calibrating\ndeepntk: depth 10 done\n");
}

BOOST_AUTO_TEST_CASE(a_terminal_line_updates_in_place_and_is_ended_before_other_output) {
  CapturedStream out;
  ProgressReporter progress({.enabled = true, .terminal = true, .plain_interval = 0, .stream = out.file});
  progress.phase("spectrum", "nngp", 1000);
  std::this_thread::sleep_for(std::chrono::milliseconds(250));  // past the 0.2 s refresh limit
  progress.phase("regression", "ntk", 7);
  progress.line("depth 7 done");
  const std::string first = "deepntk: depth 1000: spectrum (nngp)";
  const std::string second = "deepntk: depth 7: regression (ntk)";
  // The shorter second line blanks what is left of the first one.
  const std::string expected = "\r" + first + "\r" + second + std::string(first.size() - second.size(), ' ') +
                               "\ndeepntk: depth 7 done\n";
  BOOST_TEST(out.text() == expected);
}

BOOST_AUTO_TEST_CASE(a_disabled_reporter_prints_nothing) {
  CapturedStream out;
  ProgressReporter progress({.enabled = false, .terminal = true, .plain_interval = 0, .stream = out.file});
  progress.sweep(halfway());
  progress.phase("spectrum", "ntk", 1);
  progress.line("depth 1 done");
  progress.finish();
  BOOST_TEST(out.text().empty());
}

BOOST_AUTO_TEST_CASE(phase_times_accumulate_in_first_use_order) {
  PhaseTimes times;
  times.add("sweep", 2.0);
  times.add("spectrum", 1.0);
  times.add("sweep", 0.5);
  BOOST_TEST(times.entries().size() == 2u);
  BOOST_TEST(times.entries()[0].first == "sweep");
  BOOST_TEST(times.seconds("sweep") == 2.5);
  BOOST_TEST(times.seconds("never") == 0.0);
  BOOST_TEST(times.sum() == 3.5);
  {
    const auto scope = times.measure("io");
  }
  BOOST_TEST(times.entries().back().first == "io");
  BOOST_TEST(times.seconds("io") >= 0.0);
  const std::string table = times.format(5.0);
  BOOST_TEST(table.find("sweep") < table.find("spectrum"));
  BOOST_TEST(table.find("50.0 %") != std::string::npos);  // sweep: 2.5 of 5 s
  BOOST_TEST(table.find("other") != std::string::npos);   // 1.5 s not in any phase
}
