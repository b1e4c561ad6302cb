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
  /// exists and `overwrite` is false, and a message naming the directory if it is missing
  /// or not writable.
  AtomicOutput(const mpi::Communicator& comm, std::filesystem::path final_path, bool overwrite);
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

  /// Closes the file on all ranks, flushes it, and moves it to the final name. Without
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

/// The message for an existing output that may not be replaced (shared with the CLI).
[[nodiscard]] std::string existing_output_message(const std::filesystem::path& path);

}  // namespace deepntk::io
