#pragma once
// An advisory lock that keeps two `deepntk run`s off the same output or checkpoint directory.
//
// Without it, a second run on the same output resumed the first one's live checkpoint and
// deleted its temporaries in flight. Rank 0 takes an exclusive flock() on a small lock file
// for the run's lifetime and writes its host and pid into it, so a second run is refused at
// once by name. The kernel drops a flock() when its process dies, also by kill -9: a lock
// file left by a dead run is taken over, never an obstacle to the resume.
//
// File systems: local ones and NFS (the Linux client maps flock() to NLM/NFSv4 byte-range
// locks, which every client sees) work. Lustre honours flock() across nodes only when mounted
// with `-o flock`; with `localflock` the lock is per node, and without either flock() fails
// with ENOSYS: then rank 0 warns once and the run goes on unlocked (docs/checkpoints.md).

#include <filesystem>
#include <string>

#include "deepntk/mpi/communicator.hpp"

namespace deepntk::app {

class RunLock {
 public:
  /// Collective. Rank 0 creates `file` if needed and locks it without waiting. If another
  /// process holds it, every rank throws mpi::CollectiveError "<subject> is in use by another
  /// deepntk run (pid P on host H, since T); <way_out>". `remove` says whether the file is
  /// deleted when the lock is released (a lock file of its own beside the output).
  RunLock(const mpi::Communicator& world, std::filesystem::path file, std::string subject, std::string way_out,
          bool remove);
  /// Releases the lock (not collective: rank 0 only holds anything).
  ~RunLock();
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;
  RunLock(RunLock&&) = delete;
  RunLock& operator=(RunLock&&) = delete;

  /// The name of the lock file inside a checkpoint directory (app/checkpoint.cpp counts it
  /// as one of its own files).
  static constexpr const char* checkpoint_lock_name = "lock";
  /// The lock file of an output path: ".<name>.lock" beside it.
  [[nodiscard]] static std::filesystem::path output_lock_path(const std::filesystem::path& output);

 private:
  std::filesystem::path file_;
  int fd_ = -1;
  bool remove_ = false;
};

}  // namespace deepntk::app
