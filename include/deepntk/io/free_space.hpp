#pragma once
// Disk space: refusing a write that cannot fit before it starts, and naming a full disk as
// such when a write fails anyway.
//
// A parallel HDF5 file whose writes fail half way is dangerous to close: its metadata flush
// can fail on some ranks and not on others, and the ranks then wait in different collectives
// for ever. So deepntk checks the free space against what it is about to write (a checkpoint
// part, the sweep state, the assembled result) and refuses with
//   cannot write '<file>': no space left on device (need 12.0 MiB, 3.1 MiB free on /scratch)
// before anything is written. Another process can still fill the disk meanwhile; the write
// then fails inside HDF5 with a message that does not say why ("file write failed"), and
// explain_write_failure() recognizes the full file system afterwards.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "deepntk/mpi/communicator.hpp"

namespace deepntk::io {

struct FreeSpace {
  std::int64_t available = 0;        ///< bytes an unprivileged write may still use (statvfs f_bavail)
  std::filesystem::path mount_point; ///< where the file system holding the path is mounted
};

/// The free space of the file system holding `directory`; nullopt if statvfs fails.
[[nodiscard]] std::optional<FreeSpace> free_space(const std::filesystem::path& directory);

/// "cannot write '<file>': no space left on device (need X, Y free on <mount>)"; without
/// "need X" when `needed` is 0 (unknown).
[[nodiscard]] std::string no_space_message(const std::filesystem::path& file, std::int64_t needed,
                                           const FreeSpace& space);

/// Rank 0's test: the message above if `needed` bytes do not fit next to `file` (whose
/// directory must exist), nullopt if they do or the free space cannot be determined.
/// The environment variable DEEPNTK_TEST_SKIP_SPACE_CHECK=1 turns the test off, so tests can
/// reach the real out-of-space failure inside HDF5 (docs/checkpoints.md).
[[nodiscard]] std::optional<std::string> space_shortfall(const std::filesystem::path& file, std::int64_t needed);

/// Collective: throws mpi::CollectiveError (space_shortfall's message) on every rank if
/// `needed` bytes do not fit next to `file`.
void require_free_space(const mpi::Communicator& comm, const std::filesystem::path& file, std::int64_t needed);

/// The message for a write to `written` (reported to the user as `reported`) that failed with
/// `error`: no_space_message if the file system is (nearly) full now, else `error` unchanged.
[[nodiscard]] std::string explain_write_failure(const std::filesystem::path& reported,
                                                const std::filesystem::path& written, std::string_view error);

/// "1.50 GiB", "512.0 KiB", "800 B" (binary units, as df -h).
[[nodiscard]] std::string format_byte_count(std::int64_t bytes);

}  // namespace deepntk::io
