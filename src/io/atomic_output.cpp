#include "deepntk/io/atomic_output.hpp"

#include "deepntk/core/quoted_path.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <stdexcept>
#include <string>
#include <system_error>

#include "deepntk/io/free_space.hpp"
#include "deepntk/mpi/error.hpp"

namespace deepntk::io {

namespace {

std::filesystem::path directory_of(const std::filesystem::path& path) {
  return path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
}

std::string errno_text(int code) { return std::strerror(code); }

// Rank 0: checks the destination and reserves a fresh temporary name next to it. Creating
// the placeholder is also the honest writability test (access() says yes to root even on a
// read-only mount, and says nothing about quotas).
std::filesystem::path reserve_temporary(const std::filesystem::path& final_path, bool overwrite,
                                        std::int64_t expected_bytes) {
  std::error_code ec;
  const auto directory = directory_of(final_path);
  if (final_path.filename().empty()) {
    throw std::invalid_argument("output path " + quoted(final_path) + " names a directory, not a file");
  }
  if (std::filesystem::is_directory(final_path, ec)) {
    throw std::invalid_argument("output path " + quoted(final_path) +
                                " is a directory; choose a file name for --output");
  }
  if (!overwrite && std::filesystem::exists(final_path, ec)) {
    throw std::invalid_argument(existing_output_message(final_path));
  }
  if (const auto protection = write_protection(final_path)) throw std::invalid_argument(*protection);
  if (!std::filesystem::exists(directory, ec)) {
    throw std::invalid_argument("output directory " + quoted(directory) + " does not exist");
  }
  if (!std::filesystem::is_directory(directory, ec)) {
    throw std::invalid_argument("output directory " + quoted(directory) + " is not a directory");
  }
  if (const auto shortfall = space_shortfall(final_path, expected_bytes)) throw std::runtime_error(*shortfall);
  std::random_device entropy;
  for (int attempt = 0; attempt < 16; ++attempt) {
    std::string name(".");
    name += final_path.filename().string();
    name += ".partial-" + std::to_string(::getpid()) + "-" + std::to_string(entropy() % 1000000);
    const auto candidate = directory / name;
    const int fd = ::open(candidate.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd >= 0) {
      ::close(fd);
      return candidate;
    }
    if (errno != EEXIST) {
      throw std::runtime_error("cannot write to output directory " + quoted(directory) + ": " + errno_text(errno));
    }
  }
  throw std::runtime_error("cannot find a free temporary file name in output directory " + quoted(directory));
}

void fsync_path(const std::filesystem::path& path, int flags, bool must_succeed) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) {
    if (must_succeed) throw std::runtime_error("cannot open " + quoted(path) + " to flush it: " + errno_text(errno));
    return;
  }
  const int result = ::fsync(fd);
  const int saved = errno;
  ::close(fd);
  // Some file systems refuse fsync on directories (EINVAL); that only weakens durability.
  if (result != 0 && must_succeed) {
    throw std::runtime_error("cannot flush " + quoted(path) + " to disk: " + errno_text(saved));
  }
}

// Rank 0, after every rank closed the file: make it durable, then give it its final name.
void publish(const std::filesystem::path& temporary, const std::filesystem::path& final_path, bool overwrite) {
  fsync_path(temporary, O_RDONLY, true);
  auto move_over = [&] {
    if (::rename(temporary.c_str(), final_path.c_str()) != 0) {
      throw std::runtime_error("cannot move " + quoted(temporary) + " to " + quoted(final_path) + ": " +
                               errno_text(errno));
    }
  };
  if (overwrite) {
    move_over();
  } else if (::link(temporary.c_str(), final_path.c_str()) == 0) {
    // link() refuses an existing target atomically, unlike rename().
    ::unlink(temporary.c_str());
  } else if (errno == EEXIST) {
    throw std::runtime_error(existing_output_message(final_path));
  } else {
    // No hard links on this file system: check, then rename (a small race, documented).
    std::error_code ec;
    if (std::filesystem::exists(final_path, ec)) throw std::runtime_error(existing_output_message(final_path));
    move_over();
  }
  fsync_path(directory_of(final_path), O_RDONLY | O_DIRECTORY, false);
}

}  // namespace

std::optional<std::string> write_protection(const std::filesystem::path& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::is_regular_file(status)) return std::nullopt;
  const auto writable = std::filesystem::perms::owner_write | std::filesystem::perms::group_write |
                        std::filesystem::perms::others_write;
  const bool no_write_bits = (status.permissions() & writable) == std::filesystem::perms::none;
  if (!no_write_bits && ::access(path.c_str(), W_OK) == 0) return std::nullopt;
  const std::string why = no_write_bits ? "it is read-only" : "it is write-protected (" + errno_text(errno) + ")";
  return "cannot replace " + quoted(path) + ": " + why +
         "; --force does not override that: make it writable (chmod u+w) or choose another --output";
}

std::string existing_output_message(const std::filesystem::path& path) {
  return path.string() + " exists; pass --force to overwrite or choose another --output";
}

AtomicOutput::AtomicOutput(const mpi::Communicator& comm, std::filesystem::path final_path, bool overwrite,
                           std::int64_t expected_bytes)
    : comm_(comm), final_path_(std::move(final_path)), overwrite_(overwrite) {
  std::optional<std::string> refusal;
  std::string temporary;
  if (comm_.is_root()) {
    try {
      temporary = reserve_temporary(final_path_, overwrite_, expected_bytes).string();
    } catch (const std::exception& e) {
      refusal = e.what();
    }
  }
  mpi::raise_if_any(comm_.handle(), refusal);
  temporary_path_ = comm_.broadcast(temporary);
  try {
    // The placeholder rank 0 created is ours: truncate it.
    file_.emplace(File::create(comm_, temporary_path_, IfExists::truncate));
    file_->report_as(final_path_);
    // The temporary is deleted after a failure; emptying it first gives the collective close
    // room for its metadata on a full disk (see File::before_unwind_close).
    file_->before_unwind_close([this] {
      if (comm_.is_root()) static_cast<void>(::truncate(temporary_path_.c_str(), 0));
    });
  } catch (...) {
    if (comm_.is_root()) {
      std::error_code ec;
      std::filesystem::remove(temporary_path_, ec);
    }
    throw;
  }
}

AtomicOutput::~AtomicOutput() {
  // The file first (while its temporary still has a name to empty; see File::~File for how
  // it closes on error paths), then the temporary.
  file_.reset();
  if (committed_ || !comm_.is_root()) return;
  // Not collective on purpose: this runs on error paths where other ranks may be elsewhere.
  // Unlinking a file other ranks still have open is fine on POSIX file systems.
  std::error_code ec;
  std::filesystem::remove(temporary_path_, ec);
}

File& AtomicOutput::file() {
  if (!file_ || !file_->is_open()) {
    throw std::logic_error("AtomicOutput::file(): " + quoted(final_path_) + " is already committed");
  }
  return *file_;
}

void AtomicOutput::commit() {
  if (committed_ || !file_) throw std::logic_error("AtomicOutput::commit() called twice for " + quoted(final_path_));
  // The close writes HDF5's cached metadata. If that failed on a full disk on some ranks
  // only, they would wait in different collectives; so the room is agreed on first, and a
  // shortfall leaves through the destructor's safe path (the temporary emptied, then closed).
  std::optional<std::string> no_room;
  if (comm_.is_root()) {
    std::size_t max_size = 0, min_clean = 0, cached = 0;
    int entries = 0;
    if (H5Fget_mdc_size(file_->id(), &max_size, &min_clean, &cached, &entries) >= 0) {
      constexpr std::int64_t headroom = 64 * 1024;  // superblock, free-space info, rounding
      no_room = space_shortfall(final_path_, static_cast<std::int64_t>(cached) + headroom);
    }
  }
  mpi::raise_if_any(comm_.handle(), no_room);
  file_->close();  // collective; a flush failure (disk full) surfaces here on every rank
  file_.reset();
  std::optional<std::string> error;
  if (comm_.is_root()) {
    try {
      publish(temporary_path_, final_path_, overwrite_);
    } catch (const std::exception& e) {
      error = e.what();
    }
  }
  mpi::raise_if_any(comm_.handle(), error);
  committed_ = true;
}

}  // namespace deepntk::io
