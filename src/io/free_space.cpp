#include "deepntk/io/free_space.hpp"

#include "deepntk/core/quoted_path.hpp"

#include <sys/statvfs.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <system_error>

#include "deepntk/mpi/error.hpp"

namespace deepntk::io {

namespace {

namespace fs = std::filesystem;

fs::path directory_of(const fs::path& file) {
  return file.has_parent_path() ? file.parent_path() : fs::path(".");
}

// The longest mount point in /proc/self/mountinfo that contains `directory` (field 5 of each
// line). Falls back to the directory itself where /proc is not mounted.
fs::path mount_point_of(const fs::path& directory) {
  std::error_code ec;
  const fs::path canonical = fs::weakly_canonical(fs::absolute(directory, ec), ec);
  const std::string target = canonical.empty() ? directory.string() : canonical.string();
  std::ifstream mounts("/proc/self/mountinfo");
  std::string best;
  for (std::string line; std::getline(mounts, line);) {
    std::istringstream fields(line);
    std::string id, parent, device, root, point;
    if (!(fields >> id >> parent >> device >> root >> point)) continue;
    const bool contains = point == "/" || target == point || target.starts_with(point + "/");
    if (contains && point.size() > best.size()) best = point;
  }
  return best.empty() ? directory : fs::path(best);
}

// Below this a file system counts as full when a write has failed: HDF5 writes in pieces of
// at least a few kB, and after ENOSPC the partial writes have used up what was left.
constexpr std::int64_t full_threshold = std::int64_t{1} << 20;

}  // namespace

std::optional<FreeSpace> free_space(const fs::path& directory) {
  struct statvfs info {};
  if (::statvfs(directory.c_str(), &info) != 0) return std::nullopt;
  FreeSpace space;
  space.available = static_cast<std::int64_t>(info.f_bavail) * static_cast<std::int64_t>(info.f_frsize);
  space.mount_point = mount_point_of(directory);
  return space;
}

std::string format_byte_count(std::int64_t bytes) {
  const char* const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB"};
  if (bytes < 1024) return std::to_string(bytes) + " B";
  double value = static_cast<double>(bytes) / 1024.0;
  int unit = 0;
  while (value >= 1024.0 && unit < 4) {
    value /= 1024.0;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, "%.1f %s", value, units[unit]);
  return text;
}

std::string no_space_message(const fs::path& file, std::int64_t needed, const FreeSpace& space) {
  std::string message = "cannot write " + quoted(file) + ": no space left on device (";
  if (needed > 0) message += "need " + format_byte_count(needed) + ", ";
  message += format_byte_count(space.available) + " free on " + space.mount_point.string() + ")";
  return message;
}

std::optional<std::string> space_shortfall(const fs::path& file, std::int64_t needed) {
  static const bool skip = [] {
    const char* value = std::getenv("DEEPNTK_TEST_SKIP_SPACE_CHECK");
    return value != nullptr && std::string_view(value) == "1";
  }();
  if (skip || needed <= 0) return std::nullopt;
  const auto space = free_space(directory_of(file));
  if (!space || space->available >= needed) return std::nullopt;
  return no_space_message(file, needed, *space);
}

void require_free_space(const mpi::Communicator& comm, const fs::path& file, std::int64_t needed) {
  std::optional<std::string> refusal;
  if (comm.is_root()) refusal = space_shortfall(file, needed);
  mpi::raise_if_any(comm.handle(), refusal);
}

std::string explain_write_failure(const fs::path& reported, const fs::path& written, std::string_view error) {
  const auto space = free_space(directory_of(written));
  if (space && space->available < full_threshold) return no_space_message(reported, 0, *space);
  return std::string(error);
}

}  // namespace deepntk::io
