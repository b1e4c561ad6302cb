#pragma once
// One HDF5 file opened by every rank of a communicator through MPI-IO.
//
// Every method is collective: all ranks of the communicator call it, in the same order, with
// the same arguments (parallel HDF5 requires this of every call that changes the file's
// structure, and deepntk opens files with collective metadata reads too, so it holds for
// queries as well). Errors that ranks can see differently (a file that exists, a directory
// that is missing) are agreed on first, so all ranks throw the same mpi::CollectiveError
// together and nobody is left waiting.
//
// Object paths inside the file are absolute and '/'-separated: "/kernels/ntk/10/train".

#include <hdf5.h>

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "deepntk/io/hdf5_handle.hpp"
#include "deepntk/io/unwind_agreement.hpp"
#include "deepntk/mpi/communicator.hpp"

namespace deepntk::io {

/// What File::create does when the file already exists.
enum class IfExists { fail, truncate };

class File {
 public:
  /// Creates `path` on every rank of `comm` (which must outlive the file). Throws
  /// mpi::CollectiveError if it exists and `if_exists` is fail, or if it cannot be created.
  [[nodiscard]] static File create(const mpi::Communicator& comm, const std::filesystem::path& path,
                                   IfExists if_exists = IfExists::fail);
  /// Opens an existing HDF5 file read-only. Throws mpi::CollectiveError naming the file if it
  /// is missing or not an HDF5 file (truncated, another format).
  [[nodiscard]] static File open_read_only(const mpi::Communicator& comm, const std::filesystem::path& path);

  /// Closes collectively (see unwind_agreement.hpp for what happens while unwinding).
  ~File();
  File(File&&) noexcept = default;
  File& operator=(File&&) noexcept = default;
  File(const File&) = delete;
  File& operator=(const File&) = delete;

  [[nodiscard]] hid_t id() const noexcept { return id_.get(); }
  [[nodiscard]] bool is_open() const noexcept { return id_.valid(); }
  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }
  [[nodiscard]] const mpi::Communicator& communicator() const noexcept { return comm_; }
  [[nodiscard]] bool read_only() const noexcept { return read_only_; }

  /// True if an object (group, dataset, ...) exists at `object`. "/" always exists.
  [[nodiscard]] bool exists(std::string_view object) const;
  /// True if `object` exists and is a group / a dataset.
  [[nodiscard]] bool is_group(std::string_view object) const;
  [[nodiscard]] bool is_dataset(std::string_view object) const;

  /// Creates the group `group` and any missing parents; does nothing if it exists already
  /// (like h5py's require_group). Throws if something other than a group is in the way.
  void require_group(std::string_view group);

  /// Opens a dataset; throws mpi::CollectiveError "dataset '<path>' not found in <file>" if
  /// it is missing.
  [[nodiscard]] DatasetId open_dataset(std::string_view dataset) const;

  /// Writes everything HDF5 caches to the file (collective).
  void flush();
  /// Closes now and reports failure (closing flushes: a full disk shows up here).
  void close();

  /// "'<object>' in '<file>'", for messages.
  [[nodiscard]] std::string describe(std::string_view object) const;

  /// The name failed writes are reported under (no space left ...): path() unless set, e.g.
  /// the final name of a file written under a temporary one (AtomicOutput).
  [[nodiscard]] const std::filesystem::path& reported_path() const noexcept;
  void report_as(std::filesystem::path name) { reported_path_ = std::move(name); }

  /// Runs `prepare` on every rank when the file is closed while unwinding, after all ranks
  /// arrived and before the collective close (which every rank then starts only once all
  /// have prepared). AtomicOutput uses it to free the disk space of a temporary that is going
  /// to be deleted: the close flushes metadata, and if that flush fails on a full disk on some
  /// ranks only, the ranks wait in different collectives for ever.
  void before_unwind_close(std::function<void()> prepare) { before_unwind_close_ = std::move(prepare); }

 private:
  File(const mpi::Communicator& comm, std::filesystem::path path, bool read_only);

  mpi::Communicator comm_;
  std::filesystem::path path_;
  std::filesystem::path reported_path_;
  bool read_only_ = false;
  std::function<void()> before_unwind_close_;
  std::optional<UnwindAgreement> unwind_;
  FileId id_;
};

/// Throws std::invalid_argument unless `object` is an absolute path with non-empty components
/// ("/a/b", not "a/b", "/a//b" or "/a/").
void validate_object_path(std::string_view object);

}  // namespace deepntk::io
