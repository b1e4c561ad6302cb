#include "deepntk/data/cifar10.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <stdexcept>

#include <fmt/format.h>

#include "deepntk/core/checked_arithmetic.hpp"

namespace deepntk::data {

namespace {

// An open file descriptor, closed when the owner goes.
class Descriptor {
 public:
  explicit Descriptor(const std::string& path) : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
    if (fd_ < 0) throw std::invalid_argument(fmt::format("{}: cannot read the CIFAR-10 batch: {}", path, std::strerror(errno)));
  }
  ~Descriptor() { ::close(fd_); }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  [[nodiscard]] int get() const noexcept { return fd_; }

 private:
  int fd_;
};

// Reads exactly `size` bytes at `offset`.
void read_at(const Descriptor& file, unsigned char* out, std::size_t size, std::int64_t offset, const std::string& path) {
  std::size_t done = 0;
  while (done < size) {
    const ssize_t got = ::pread(file.get(), out + done, size - done, static_cast<off_t>(offset) + static_cast<off_t>(done));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {
      throw std::invalid_argument(fmt::format("{}: cannot read {} bytes at byte {} ({}); the file is damaged or changed "
                                              "while being read",
                                              path, size, offset, got < 0 ? std::strerror(errno) : "end of file"));
    }
    done += static_cast<std::size_t>(got);
  }
}

// The batch files, read when a row is asked for: the pool keeps only the labels (a byte of every
// 3073), so memory follows the rows a run uses, not the size of the files.
struct Batches {
  std::vector<std::string> paths;
  std::vector<std::unique_ptr<Descriptor>> files;
  std::vector<std::int64_t> first_row;  // row of the whole pool where each file starts

  void copy(std::int64_t row, std::span<double> out) const {
    const auto file = static_cast<std::size_t>(std::upper_bound(first_row.begin(), first_row.end(), row) -
                                               first_row.begin() - 1);
    unsigned char pixels[cifar10_pixels];
    // Within the file's size, checked when the pool was made.
    read_at(*files[file], pixels, sizeof pixels, (row - first_row[file]) * cifar10_record + 1, paths[file]);
    for (std::size_t k = 0; k < static_cast<std::size_t>(cifar10_pixels); ++k) out[k] = pixels[k] / 255.0;
  }
};

}  // namespace

std::int64_t cifar10_records(const std::string& path) {
  std::error_code error;
  const auto size = std::filesystem::file_size(path, error);
  if (error) throw std::invalid_argument(fmt::format("{}: cannot read the CIFAR-10 batch: {}", path, error.message()));
  if (size % cifar10_record != 0) {
    throw std::invalid_argument(fmt::format(
        "{}: size {} bytes is not a multiple of {} (1 label byte + {} pixel bytes per image); not a CIFAR-10 binary "
        "batch, or truncated",
        path, size, cifar10_record, cifar10_pixels));
  }
  return checked_cast<std::int64_t>(size / cifar10_record, "CIFAR-10 records");
}

ExamplePool cifar10_pool(const std::vector<std::string>& paths) {
  auto batches = std::make_shared<Batches>();
  ExamplePool pool;
  pool.name = paths.empty() ? std::string("(no file)") : paths.front();
  pool.dimension = cifar10_pixels;
  for (const auto& path : paths) {
    const std::int64_t records = cifar10_records(path);
    batches->paths.push_back(path);
    batches->files.push_back(std::make_unique<Descriptor>(path));
    batches->first_row.push_back(pool.count);
    // The label bytes, a block of records at a time through a fixed buffer.
    constexpr std::int64_t block = 64;
    std::vector<unsigned char> buffer(static_cast<std::size_t>(block * cifar10_record));
    for (std::int64_t r = 0; r < records; r += block) {
      const std::int64_t n = std::min(block, records - r);
      read_at(*batches->files.back(), buffer.data(), static_cast<std::size_t>(n * cifar10_record), r * cifar10_record,
              path);
      for (std::int64_t i = 0; i < n; ++i) pool.labels.push_back(buffer[static_cast<std::size_t>(i * cifar10_record)]);
    }
    pool.count = checked_add(pool.count, records, "the number of CIFAR-10 records");
  }
  pool.copy_row = [batches](std::int64_t row, std::span<double> out) { batches->copy(row, out); };
  return pool;
}

}  // namespace deepntk::data
