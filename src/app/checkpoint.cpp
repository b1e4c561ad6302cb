#include "deepntk/app/checkpoint.hpp"

#include "deepntk/core/quoted_path.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fmt/format.h>
#include <limits>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include "deepntk/app/checkpoint_hash.hpp"
#include "deepntk/app/kernel_analysis.hpp"
#include "deepntk/app/result_layout.hpp"
#include "deepntk/app/run_lock.hpp"
#include "deepntk/app/signals.hpp"
#include "deepntk/io/attributes.hpp"
#include "deepntk/io/checkpoint_merge.hpp"
#include "deepntk/io/file.hpp"
#include "deepntk/io/replicated_array.hpp"
#include "deepntk/mpi/agree.hpp"
#include "deepntk/mpi/error.hpp"

namespace deepntk::app {

namespace fs = std::filesystem;

namespace {

constexpr std::int64_t checkpoint_format = 1;
constexpr const char* state_name = "state.h5";
constexpr const char* summary_group = "/checkpoint_summary";

bool is_part_name(const std::string& name) {
  return name.size() == 15 && name.starts_with("depth-") && name.ends_with(".h5");
}
// io::AtomicOutput's temporaries: ".<name>.partial-<pid>-<n>".
bool is_temporary_name(const std::string& name) {
  return name.starts_with(".") && name.find(".partial-") != std::string::npos;
}
bool is_lock_name(const std::string& name) { return name == RunLock::checkpoint_lock_name; }
bool is_ours(const std::string& name) {
  return name == state_name || is_part_name(name) || is_temporary_name(name) || is_lock_name(name);
}

// Rank 0. Removes our files from `directory`: temporaries always, state and parts too if
// `everything`. Other files are left alone (checkpoint.path may name a directory the user
// also keeps other things in). The lock file stays while this run holds it (a new file under
// that name would let another run in), unless `lock_too` (the directory is going away).
void remove_our_files(const fs::path& directory, bool everything, bool lock_too = false) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(directory, ec)) {
    const std::string name = entry.path().filename().string();
    if (is_lock_name(name) && !lock_too) continue;
    if (is_temporary_name(name) || (everything && is_ours(name))) fs::remove(entry.path(), ec);
  }
}

// Test hook (docs/checkpoints.md): DEEPNTK_TEST_KILL_AT=<point>:<k> kills this process with
// SIGKILL the k-th time it reaches <point>, in the middle of writing a checkpoint file (its
// data written to the temporary, not yet closed and renamed). Points: state-write, part-write.
void test_kill_point(const std::string& point) {
  static const char* const wanted = std::getenv("DEEPNTK_TEST_KILL_AT");
  if (wanted == nullptr) return;
  static std::map<std::string, int> reached;
  if (wanted == point + ":" + std::to_string(++reached[point])) {
    std::fflush(nullptr);
    std::raise(SIGKILL);
  }
}

// The lines of the current configuration that the checkpoint's does not have: what changed.
std::string configuration_difference(const std::string& saved, const std::string& current) {
  std::vector<std::string> saved_lines;
  std::istringstream in(saved);
  for (std::string line; std::getline(in, line);) saved_lines.push_back(line);
  std::string section, out;
  std::istringstream now(current);
  for (std::string line; std::getline(now, line);) {
    if (line.starts_with("[")) section = line.substr(1, line.find(']') - 1);
    if (line.empty() || line.starts_with("[") || line.starts_with("#")) continue;
    if (std::find(saved_lines.begin(), saved_lines.end(), line) == saved_lines.end()) {
      out += (out.empty() ? "" : ", ") + section + "." + line;
    }
  }
  return out;
}

// Figures of one summary line, in a fixed order (the attribute "figures" of the part).
std::vector<double> figures_vector(const RunSummary::DepthLine& line) {
  const KernelFigures& f = line.figures;
  return {static_cast<double>(f.has_spectrum), f.lambda_min, f.lambda_max, f.condition, f.effective_rank,
          static_cast<double>(f.has_mse), f.mse, f.accuracy, static_cast<double>(f.fell_back),
          static_cast<double>(f.has_diagnostics), f.mean_offdiagonal, line.mean_normalized_offdiagonal};
}

RunSummary::DepthLine line_from(std::int64_t depth, std::string kind, const std::vector<double>& v) {
  RunSummary::DepthLine line;
  line.depth = depth;
  line.kind = std::move(kind);
  if (v.size() != 12) throw mpi::CollectiveError("checkpoint part: summary figures of an unknown format");
  KernelFigures& f = line.figures;
  f.has_spectrum = v[0] != 0;
  f.lambda_min = v[1];
  f.lambda_max = v[2];
  f.condition = v[3];
  f.effective_rank = v[4];
  f.has_mse = v[5] != 0;
  f.mse = v[6];
  f.accuracy = v[7];
  f.fell_back = v[8] != 0;
  f.has_diagnostics = v[9] != 0;
  f.mean_offdiagonal = v[10];
  line.mean_normalized_offdiagonal = v[11];
  return line;
}

// Rank 0: why no file can be created in `directory` (strerror), or nullopt. access() says yes
// to root even where the mode bits say no; creating a file is the honest test.
std::optional<std::string> unwritable(const fs::path& directory, const std::string& stem) {
  const fs::path probe = directory / fmt::format(".{}.probe-{}", stem, ::getpid());
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return std::string(std::strerror(errno));
  ::close(fd);
  ::unlink(probe.c_str());
  return std::nullopt;
}

std::string refuse_message(const fs::path& directory, const std::string& why) {
  return fmt::format(
      "checkpoint {} {}; run `deepntk run ... --fresh` to discard it and start from layer 0, or choose another "
      "checkpoint.path",
      quoted(directory), why);
}

}  // namespace

fs::path checkpoint_directory(const RunConfig& config) {
  if (!config.checkpoint.path.empty()) return config.checkpoint.path;
  return fs::path(config.output.path + ".checkpoint");
}

void check_output_destination(const mpi::Communicator& world, const fs::path& path, bool overwrite,
                              const fs::path& checkpoint, const std::vector<RunInputFile>& inputs) {
  std::optional<std::string> refusal;
  if (world.is_root()) {
    std::error_code ec;
    const fs::path directory = path.has_parent_path() ? path.parent_path() : fs::path(".");
    if (path.filename().empty() || fs::is_directory(path, ec)) {
      refusal = "output path " + quoted(path) + " is a directory; choose a file name for --output";
    } else if (auto conflict = output_conflict(path, checkpoint, inputs)) {
      refusal = std::move(conflict);
    } else if (!overwrite && fs::exists(path, ec)) {
      refusal = io::existing_output_message(path);
    } else if (const auto protection = io::write_protection(path)) {
      refusal = *protection;
    } else if (!fs::is_directory(directory, ec)) {
      refusal = "output directory " + quoted(directory) + " does not exist";
    } else if (auto why = unwritable(directory, path.filename().string())) {
      refusal = "cannot write to output directory " + quoted(directory) + ": " + *why;
    }
  }
  mpi::raise_if_any(world.handle(), refusal);
}

RunCheckpoint::RunCheckpoint(const mpi::Communicator& world, const RunConfig& config, std::string fingerprint,
                             bool fresh)
    : world_(world),
      directory_(checkpoint_directory(config)),
      fingerprint_(std::move(fingerprint)),
      configuration_(result_determining_configuration(config)),
      every_layers_(config.checkpoint.every_layers),
      every_seconds_(config.checkpoint.every_seconds),
      gaps_(config.output.gaps),
      saved_at_(std::chrono::steady_clock::now()) {
  // Rank 0 prepares the directory; the others learn whether there is a state to check.
  std::optional<std::string> error;
  std::int64_t has_state = 0;
  if (world_.is_root()) {
    std::error_code ec;
    if (!fs::exists(directory_, ec)) {
      if (!fs::create_directory(directory_, ec)) {
        error = "cannot create checkpoint directory " + quoted(directory_) + ": " + ec.message() +
                "; choose a writable checkpoint.path";
      }
    } else if (!fs::is_directory(directory_, ec)) {
      error = "checkpoint path " + quoted(directory_) + " exists and is not a directory; remove it or choose "
              "another checkpoint.path";
    } else if (auto why = unwritable(directory_, "checkpoint")) {
      error = "cannot write to checkpoint directory " + quoted(directory_) + ": " + *why +
              "; make it writable or choose another checkpoint.path";
    } else if (!fs::exists(directory_ / state_name, ec)) {
      for (const auto& entry : fs::directory_iterator(directory_, ec)) {
        if (!is_ours(entry.path().filename().string())) {
          error = quoted(directory_) + " exists and is not a deepntk checkpoint directory; remove it or choose "
                  "another checkpoint.path";
          break;
        }
      }
    }
  }
  mpi::raise_if_any(world_.handle(), error);
  // Before anything in the directory is touched: a run using it now keeps it (a second run
  // used to resume its live checkpoint and delete its temporaries in flight).
  lock_.emplace(world_, directory_ / RunLock::checkpoint_lock_name, "checkpoint directory " + quoted(directory_),
                "wait for it to finish, or choose another checkpoint.path", false);
  if (world_.is_root()) {
    std::error_code ec;
    remove_our_files(directory_, fresh);
    has_state = fs::exists(directory_ / state_name, ec) ? 1 : 0;
    // Parts without a state (killed before the first state was written): not trusted.
    if (!has_state) remove_our_files(directory_, true);
  }
  mpi::raise_if_any(world_.handle(), error);
  world_.broadcast(std::span<std::int64_t>(&has_state, 1));

  if (has_state == 0) {
    save(nullptr);
    return;
  }
  try {
    const auto state = io::File::open_read_only(world_, directory_ / state_name);
    const auto saved = io::read_attribute<std::string>(state, "/", "fingerprint");
    if (saved != fingerprint_) {
      const auto saved_configuration = io::read_attribute<std::string>(state, "/", "configuration");
      const auto changed = configuration_difference(saved_configuration, configuration_);
      throw mpi::CollectiveError(refuse_message(
          directory_, "belongs to another run (" +
                          (changed.empty() ? std::string("different input data or program version")
                                           : "configuration now has " + changed) +
                          ")"));
    }
    depths_done_ = io::read_attribute<std::int64_t>(state, "/", "depths_done");
    saved_layer_ = io::read_attribute<std::int64_t>(state, "/", "layer");
  } catch (const mpi::CollectiveError& e) {
    const std::string what = e.what();
    if (what.starts_with("checkpoint ")) throw;
    throw mpi::CollectiveError(refuse_message(directory_, "cannot be read (" + what + ")"));
  }
  depths_before_ = depths_done_;
}

bool RunCheckpoint::resume(kernels::KernelProducer& sweep, std::span<const kernels::PairBlock> blocks, SweepLayout layout) {
  layout_ = std::move(layout);
  if (depths_done_ == 0 && saved_layer_ == 0) return false;
  const auto state = io::File::open_read_only(world_, directory_ / state_name);
  auto saved = read_sweep_state(state, sweep, blocks, layout_);
  mpi::agree(world_.handle(), [&] { sweep.restore_state(saved); });
  if (sweep.save_state().counter("next_record") != depths_done_) {
    throw mpi::CollectiveError(refuse_message(directory_, "is inconsistent (sweep state and finished depths differ)"));
  }
  saved_at_ = std::chrono::steady_clock::now();
  return true;
}

std::vector<RunSummary::DepthLine> RunCheckpoint::earlier_lines(const std::vector<KernelKind>& kinds) const {
  std::vector<RunSummary::DepthLine> lines;
  for (std::int64_t i = 0; i < depths_before_; ++i) {
    const auto part = io::File::open_read_only(world_, part_path(i));
    for (const KernelKind kind : kinds) {
      const std::string group = std::string(summary_group) + "/" + std::string(to_string(kind));
      lines.push_back(line_from(io::read_attribute<std::int64_t>(part, group, "depth"), std::string(to_string(kind)),
                                io::read_attribute<std::vector<double>>(part, group, "figures")));
    }
  }
  return lines;
}

std::int64_t RunCheckpoint::layers_until_due(const kernels::KernelProducer& sweep) const {
  if (every_layers_ <= 0) return std::numeric_limits<std::int64_t>::max();
  return std::max<std::int64_t>(1, every_layers_ - (sweep.work_done() - saved_layer_));
}

void RunCheckpoint::at_layer_boundary(const kernels::KernelProducer& sweep) {
  // One small reduction per slice (the slices last ~0.1-1 s): a signal that reached only some
  // ranks, and each rank's clock, become one decision every rank takes together.
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - saved_at_).count();
  double local[2] = {static_cast<double>(InterruptSignals::pending()), elapsed};
  double agreed[2] = {0, 0};
  mpi::check(MPI_Allreduce(local, agreed, 2, MPI_DOUBLE, MPI_MAX, world_.handle()), "MPI_Allreduce");
  const int signal_number = static_cast<int>(agreed[0]);
  const bool moved = sweep.work_done() > saved_layer_;
  const bool due = moved && ((every_seconds_ > 0 && agreed[1] >= every_seconds_) ||
                             (every_layers_ > 0 && sweep.work_done() - saved_layer_ >= every_layers_));
  if (signal_number != 0 || due) save(&sweep);
  if (signal_number != 0) throw RunInterrupted(signal_number, directory_.string());
}

void RunCheckpoint::save(const kernels::KernelProducer* sweep) {
  std::optional<kernels::SweepState> state;
  if (sweep != nullptr) state = sweep->save_state();
  io::AtomicOutput output(world_, directory_ / state_name, true, state ? state_bytes(*state) : 0);
  io::File& file = output.file();
  io::write_attribute(file, "/", "fingerprint", std::string_view(fingerprint_));
  io::write_attribute(file, "/", "format", checkpoint_format);
  io::write_attribute(file, "/", "configuration", std::string_view(configuration_));
  io::write_attribute(file, "/", "depths_done", depths_done_);
  const std::int64_t layer = sweep != nullptr ? sweep->work_done() : 0;
  io::write_attribute(file, "/", "layer", layer);
  if (state) {
    if (state->counter("next_record") != depths_done_) {
      throw std::logic_error("checkpoint: the sweep has recorded depths whose parts are not written");
    }
    write_sweep_state(file, *state, layout_);
    test_kill_point("state-write");
  }
  output.commit();
  saved_layer_ = layer;
  saved_at_ = std::chrono::steady_clock::now();
}

fs::path RunCheckpoint::part_path(std::int64_t index) const {
  return directory_ / fmt::format("depth-{:06}.h5", index);
}

std::int64_t RunCheckpoint::state_bytes(const kernels::SweepState& state) const {
  // Each per-pair array is stored as a matrix shaped like its group's Gram matrix; every rank
  // holds one block per group with the same arrays, so rank 0's blocks tell the count.
  std::int64_t bytes = 0;
  for (const auto& group : layout_.groups) {
    for (const auto& block : state.blocks) {
      if (block.group != group.group) continue;
      bytes += static_cast<std::int64_t>(block.arrays.size()) * group.rows * group.cols * 8;
      break;
    }
  }
  return bytes;
}

std::int64_t RunCheckpoint::part_bytes(std::int64_t index) const {
  // A lower bound (what output.gaps surely writes), raised to the previous part's size: the
  // parts of one run hold the same datasets, so that is what the next one will take too.
  std::int64_t bytes = 0;
  if (gaps_) {
    for (const auto& group : layout_.groups) bytes += group.rows * group.cols * 8;
  }
  if (index > 0 && world_.is_root()) {
    std::error_code ec;
    const auto previous = fs::file_size(part_path(index - 1), ec);
    if (!ec) bytes = std::max(bytes, static_cast<std::int64_t>(previous));
  }
  return bytes;
}

std::int64_t RunCheckpoint::assembly_bytes() const {
  // The result holds every part's data once more (the parts stay until it is published).
  std::int64_t bytes = 0;
  if (world_.is_root()) {
    for (std::int64_t i = 0; i < depths_done_; ++i) {
      std::error_code ec;
      const auto size = fs::file_size(part_path(i), ec);
      if (!ec) bytes += static_cast<std::int64_t>(size);
    }
  }
  return bytes;
}

std::unique_ptr<io::AtomicOutput> RunCheckpoint::open_depth_part(std::int64_t index) {
  if (index != depths_done_) throw std::logic_error("checkpoint: depth parts must be written in order");
  return std::make_unique<io::AtomicOutput>(world_, part_path(index), true, part_bytes(index));
}

void RunCheckpoint::close_depth_part(io::AtomicOutput& part, std::span<const RunSummary::DepthLine> lines) {
  io::File& file = part.file();
  for (const auto& line : lines) {
    const std::string group = std::string(summary_group) + "/" + line.kind;
    file.require_group(group);
    io::write_attribute(file, group, "depth", line.depth);
    const auto figures = figures_vector(line);
    io::write_attribute(file, group, "figures", std::span<const double>(figures));
  }
  test_kill_point("part-write");
  part.commit();
  ++depths_done_;
}

void RunCheckpoint::assemble(io::File& result, const std::vector<KernelKind>& kinds) const {
  std::vector<DiagnosticsTable> diagnostics(kinds.size());
  const auto& columns = DiagnosticsTable::columns();
  for (std::int64_t i = 0; i < depths_done_; ++i) {
    const auto part = io::File::open_read_only(world_, part_path(i));
    io::merge_file_tree(part, result, {"diagnostics", std::string(summary_group).substr(1)});
    for (std::size_t k = 0; k < kinds.size(); ++k) {
      const std::string group = layout::diagnostics_group(to_string(kinds[k]));
      if (!part.exists(group)) continue;
      const auto depth = io::read_int64_array(part, group + "/depth", 1).values;
      std::vector<double> row;
      for (const auto& column : columns) {
        row.push_back(io::read_double_array(part, group + "/" + std::string(column), 1).values.at(0));
      }
      diagnostics[k].append(depth.at(0), row);
    }
  }
  for (std::size_t k = 0; k < kinds.size(); ++k) {
    if (!diagnostics[k].empty()) diagnostics[k].write(result, to_string(kinds[k]));
  }
}

void RunCheckpoint::remove() {
  if (world_.is_root()) {
    remove_our_files(directory_, true, true);
    std::error_code ec;
    fs::remove(directory_, ec);  // only if empty: other files in it are not ours
  }
  world_.barrier();
}

}  // namespace deepntk::app
