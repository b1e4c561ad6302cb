#include "deepntk/app/run_lock.hpp"

#include "deepntk/core/quoted_path.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <optional>
#include <sstream>

#include "deepntk/mpi/error.hpp"

namespace deepntk::app {

namespace fs = std::filesystem;

namespace {

std::string host_name() {
  std::array<char, 256> name{};
  if (::gethostname(name.data(), name.size() - 1) != 0) return "unknown";
  return name.data();
}

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::array<char, 32> text{};
  std::strftime(text.data(), text.size(), "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  return text.data();
}

// What the holder wrote (key=value lines), as "pid P on host H, since T".
std::string describe_holder(int fd) {
  std::array<char, 1024> buffer{};
  const ssize_t got = ::pread(fd, buffer.data(), buffer.size() - 1, 0);
  std::string host, pid, since;
  std::istringstream lines(std::string(buffer.data(), got > 0 ? static_cast<std::size_t>(got) : 0));
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("host=")) host = line.substr(5);
    if (line.starts_with("pid=")) pid = line.substr(4);
    if (line.starts_with("since=")) since = line.substr(6);
  }
  // The holder writes its name straight after locking; a reader may come in between.
  if (host.empty() || pid.empty()) return "which has not yet written its host and pid";
  return "pid " + pid + " on host " + host + (since.empty() ? "" : ", since " + since);
}

bool same_inode(int fd, const fs::path& path) {
  struct stat open_file {}, named {};
  if (::fstat(fd, &open_file) != 0 || ::stat(path.c_str(), &named) != 0) return false;
  return open_file.st_dev == named.st_dev && open_file.st_ino == named.st_ino;
}

struct Attempt {
  int fd = -1;
  std::optional<std::string> refusal;
  std::optional<std::string> warning;
};

// Rank 0: lock `file` without waiting.
Attempt take(const fs::path& file, const std::string& subject, const std::string& way_out) {
  Attempt out;
  // A run that ends unlinks its lock file; one that started to lock the old file just then
  // holds a lock nobody else can see. Locking is only valid while the name is that file.
  for (int attempt = 0; attempt < 8; ++attempt) {
    const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
      out.refusal = "cannot create the lock file " + quoted(file) + " for " + subject + ": " + std::strerror(errno);
      return out;
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const int code = errno;
      if (code == EWOULDBLOCK) {
        out.refusal = subject + " is in use by another deepntk run (" + describe_holder(fd) + "); " + way_out;
      } else {
        // ENOSYS, ENOLCK, EOPNOTSUPP: a file system without flock() (Lustre without -o flock).
        out.warning = "cannot lock " + quoted(file) + " (" + std::strerror(code) +
                      "): this file system does not support flock(); make sure no other deepntk run uses " +
                      subject + " at the same time";
      }
      ::close(fd);
      return out;
    }
    if (!same_inode(fd, file)) {
      ::close(fd);
      continue;
    }
    const std::string text = "host=" + host_name() + "\npid=" + std::to_string(::getpid()) + "\nsince=" + utc_now() +
                             "\n";
    // Informational only (the lock is the flock): a short write just makes the message vaguer.
    if (::ftruncate(fd, 0) == 0) static_cast<void>(::pwrite(fd, text.data(), text.size(), 0));
    out.fd = fd;
    return out;
  }
  out.warning = "cannot lock " + quoted(file) + ": it keeps being replaced; running without a lock";
  return out;
}

}  // namespace

fs::path RunLock::output_lock_path(const fs::path& output) {
  const fs::path directory = output.has_parent_path() ? output.parent_path() : fs::path(".");
  std::string name(".");  // appended: GCC 12 warns falsely (-Wrestrict) on "." + std::string
  name += output.filename().string();
  name += ".lock";
  return directory / name;
}

RunLock::RunLock(const mpi::Communicator& world, fs::path file, std::string subject, std::string way_out, bool remove)
    : file_(std::move(file)), remove_(remove) {
  std::optional<std::string> refusal;
  if (world.is_root()) {
    const Attempt attempt = take(file_, subject, way_out);
    fd_ = attempt.fd;
    refusal = attempt.refusal;
    if (attempt.warning) {
      std::fprintf(stderr, "deepntk: warning: %s\n", attempt.warning->c_str());
      std::fflush(stderr);
    }
  }
  mpi::raise_if_any(world.handle(), refusal);
}

RunLock::~RunLock() {
  if (fd_ < 0) return;
  // Unlink only our own file: a checkpoint's lock goes with its directory, and a name that
  // now is another file belongs to someone else.
  if (remove_ && same_inode(fd_, file_)) ::unlink(file_.c_str());
  ::close(fd_);  // releases the flock
}

}  // namespace deepntk::app
