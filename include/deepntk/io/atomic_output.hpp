#pragma once
// A result file that appears under its final name complete or not at all.
//
// The file is written under a hidden temporary name in the final file's directory (the
// same file system, so the final rename is atomic). commit() closes it on every rank, has
// rank 0 flush it to disk and move it to the final name, and flushes the directory entry.
// Destroyed without commit (an exception, a failed run), it deletes the temporary, so a
// failure never leaves a half-written file under the name the user asked for, and never
// touches a file that was already there.
//
// Collective: construct and commit on every rank of the communicator. The destructor is
// not collective (rank 0 removes the temporary), so it is safe on any error path.

#include <filesystem>
#include <optional>

#include "deepntk/io/file.hpp"
#include "deepntk/mpi/communicator.hpp"

namespace deepntk::io {

class AtomicOutput {
 public:
  /// Checks the destination and creates the temporary file. Throws mpi::CollectiveError
  /// "<path> exists; pass --force to overwrite or choose another --output" if the final file
  /// exists and `overwrite` is false, a message naming the directory if it is missing or not
  /// writable, and "cannot write <path>: no space left on device (need X, Y free on <fs>)" if
  /// `expected_bytes` (what the caller is about to write; 0 = unknown) do not fit. The old
  /// file stays until commit(), so a replacement needs all of its own size.
  ///
  /// Disk full: a write that fails on a full disk is reported by that name, and on the way
  /// out the temporary is emptied (every rank agreeing first) before the collective close, so
  /// the close's metadata flush has room and all ranks leave it together.
  AtomicOutput(const mpi::Communicator& comm, std::filesystem::path final_path, bool overwrite,
               std::int64_t expected_bytes = 0);
  ~AtomicOutput();
  AtomicOutput(const AtomicOutput&) = delete;
  AtomicOutput& operator=(const AtomicOutput&) = delete;
  AtomicOutput(AtomicOutput&&) = delete;
  AtomicOutput& operator=(AtomicOutput&&) = delete;

  /// The file to write into (open until commit()).
  [[nodiscard]] File& file();
  [[nodiscard]] const std::filesystem::path& final_path() const noexcept { return final_path_; }
  [[nodiscard]] const std::filesystem::path& temporary_path() const noexcept { return temporary_path_; }
  [[nodiscard]] bool committed() const noexcept { return committed_; }

  /// Closes the file on all ranks, flushes it, and moves it to the final name. First checks
  /// that HDF5's cached metadata fits on the disk (else no space left, before the close). Without
  /// `overwrite`, a file that appeared under the final name meanwhile is not replaced (the
  /// commit fails and the temporary is removed).
  void commit();

 private:
  mpi::Communicator comm_;
  std::filesystem::path final_path_;
  std::filesystem::path temporary_path_;
  bool overwrite_ = false;
  bool committed_ = false;
  std::optional<File> file_;
};

/// Why an existing `path` must not be replaced even with --force, or nullopt: a file without
/// any write permission bit (chmod a-w, which root's access() ignores) or one this user may
/// not write (access(), which also sees chattr +i). A write-protected result is the user
/// saying "keep this"; replacing it by rename would be allowed by the directory, so ask.
[[nodiscard]] std::optional<std::string> write_protection(const std::filesystem::path& path);

/// The message for an existing output that may not be replaced (shared with the CLI).
[[nodiscard]] std::string existing_output_message(const std::filesystem::path& path);

}  // namespace deepntk::io
