#pragma once
// Checkpoints of `deepntk run`: what a stopped run (a signal, a time limit, a crash, kill -9)
// leaves behind so that running the same command again ends with the same result file.
//
// The checkpoint is a directory (default <output.path>.checkpoint, docs/checkpoints.md):
//   state.h5          the run's fingerprint, how many recorded depths are complete, and the
//                     depth sweep's state at a layer boundary (checkpoint_state.hpp), if any;
//   depth-NNNNNN.h5   everything produced at recorded depth number NNNNNN (kernels, spectra,
//                     regression, one diagnostics row, the summary figures), in the result's
//                     own layout.
// Every file is written under a temporary name, flushed, renamed and its directory flushed
// (io::AtomicOutput), so a crash at any moment leaves the previous version intact; parts are
// never modified once written. The result file itself is only assembled at the end, from the
// parts (io::merge_file_tree), and published atomically; then the directory is removed.
// HDF5 files open for writing are not crash-safe, which is why no finished depth lives only
// in a file still being written.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "deepntk/app/checkpoint_state.hpp"
#include "deepntk/app/config.hpp"
#include "deepntk/app/run_files.hpp"
#include "deepntk/app/run_lock.hpp"
#include "deepntk/app/run_pipeline.hpp"
#include "deepntk/io/atomic_output.hpp"
#include "deepntk/kernels/depth_sweep.hpp"
#include "deepntk/mpi/communicator.hpp"

namespace deepntk::app {

/// The checkpoint directory of a run: checkpoint.path, or output.path + ".checkpoint".
[[nodiscard]] std::filesystem::path checkpoint_directory(const RunConfig& config);

/// Collective. Refuses early (mpi::CollectiveError) what would make the final publish fail or
/// destroy something: an output that is one of `inputs` or lies in a checkpoint directory
/// (app/run_files.hpp, also with `overwrite`), an existing result without `overwrite`, a
/// missing or unwritable output directory. `checkpoint` is this run's checkpoint directory.
void check_output_destination(const mpi::Communicator& world, const std::filesystem::path& path, bool overwrite,
                              const std::filesystem::path& checkpoint, const std::vector<RunInputFile>& inputs);

class RunCheckpoint {
 public:
  /// Collective. Creates the directory, or opens an existing one: with `fresh`, discards its
  /// contents; otherwise it must belong to a run with the same `fingerprint`, else
  /// mpi::CollectiveError naming `--fresh`.
  RunCheckpoint(const mpi::Communicator& world, const RunConfig& config, std::string fingerprint, bool fresh);

  [[nodiscard]] const std::filesystem::path& directory() const noexcept { return directory_; }

  /// Collective. Restores `sweep` from the saved state (redistributed to `layout`'s grid) if
  /// there is one and returns true. Remembers `layout` for the checkpoints to come.
  bool resume(kernels::KernelProducer& sweep, std::span<const kernels::PairBlock> blocks, SweepLayout layout);
  /// Recorded depths whose results are complete in the checkpoint (they come first).
  [[nodiscard]] std::int64_t depths_done() const noexcept { return depths_done_; }
  /// Collective: the summary lines of the depths done before this process started.
  [[nodiscard]] std::vector<RunSummary::DepthLine> earlier_lines(const std::vector<KernelKind>& kinds) const;

  /// Layer steps until a checkpoint by checkpoint.every_layers is due (a bound for the next
  /// KernelProducer::advance); a large number when checkpoints are not by layers.
  [[nodiscard]] std::int64_t layers_until_due(const kernels::KernelProducer& sweep) const;
  /// Collective, between two slices of the sweep. The ranks agree whether a signal arrived on
  /// any of them and whether a checkpoint is due; if so the state is saved. After a signal,
  /// throws RunInterrupted on every rank.
  void at_layer_boundary(const kernels::KernelProducer& sweep);

  /// Collective: the file that receives everything of recorded depth number `index`.
  [[nodiscard]] std::unique_ptr<io::AtomicOutput> open_depth_part(std::int64_t index);
  /// Collective: stores the depth's summary lines in the part and publishes it.
  void close_depth_part(io::AtomicOutput& part, std::span<const RunSummary::DepthLine> lines);

  /// Rank 0: the disk space the assembled result needs (the parts' total; 0 on other ranks),
  /// for io::AtomicOutput's check before the result is written.
  [[nodiscard]] std::int64_t assembly_bytes() const;

  /// Collective: copies every finished depth into `result` and writes the concatenated
  /// /diagnostics tables.
  void assemble(io::File& result, const std::vector<KernelKind>& kinds) const;
  /// Collective: removes the checkpoint (after the result is published).
  void remove();

 private:
  void save(const kernels::KernelProducer* sweep);
  // Rank 0's estimates of the disk space a save / a part needs (checked before writing).
  [[nodiscard]] std::int64_t state_bytes(const kernels::SweepState& state) const;
  [[nodiscard]] std::int64_t part_bytes(std::int64_t index) const;
  [[nodiscard]] std::filesystem::path part_path(std::int64_t index) const;

  mpi::Communicator world_;
  std::filesystem::path directory_;
  std::string fingerprint_;
  std::string configuration_;
  std::int64_t every_layers_ = 0;
  double every_seconds_ = 0;
  bool gaps_ = false;  // output.gaps: parts hold 1 - normalized NNGP matrices
  std::int64_t depths_done_ = 0;
  std::int64_t depths_before_ = 0;  // depths done when this process started
  std::int64_t saved_layer_ = 0;    // work_done at the last saved state
  std::chrono::steady_clock::time_point saved_at_;
  SweepLayout layout_;
  std::optional<RunLock> lock_;  // held from the start; released when the checkpoint object goes
};

}  // namespace deepntk::app
