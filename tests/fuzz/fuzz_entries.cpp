#include "fuzz_entries.hpp"

#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <stdexcept>
#include <typeinfo>
#include <vector>

#include <fmt/format.h>

#include "deepntk/app/config.hpp"
#include "deepntk/data/cifar10.hpp"
#include "deepntk/data/idx_file.hpp"

namespace deepntk::fuzz {

namespace {

Outcome accepted() { return {Verdict::accepted, {}}; }
Outcome refused(const char* what) { return {Verdict::refused, what}; }
Outcome broken(std::string what) { return {Verdict::broken, std::move(what)}; }

// The readers take paths only, so the input goes to a file first: one per process and role,
// in /dev/shm when there is one (a memory file system: no disk traffic at thousands of runs
// per second), removed when the process ends normally.
class ScratchFile {
 public:
  explicit ScratchFile(std::string_view role) {
    const std::filesystem::path shm("/dev/shm");
    std::error_code error;
    const auto dir = std::filesystem::is_directory(shm, error) ? shm : std::filesystem::temp_directory_path();
    path_ = (dir / fmt::format("deepntk-fuzz-{}-{}", ::getpid(), role)).string();
  }
  ScratchFile(const ScratchFile&) = delete;
  ScratchFile& operator=(const ScratchFile&) = delete;
  ~ScratchFile() {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }

  const std::string& write(Bytes bytes) const {
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) throw std::runtime_error("cannot write the scratch file " + path_);
    return path_;
  }

 private:
  std::string path_;
};

// Runs one entry, turning any exception the entry did not classify into `broken`: an API
// that refuses an input must do it with its documented exception type, nothing else.
template <class Body>
Outcome guarded(Body&& body) {
  try {
    return body();
  } catch (const std::exception& error) {
    return broken(fmt::format("unexpected exception {}: {}", typeid(error).name(), error.what()));
  } catch (...) {
    return broken("an exception not derived from std::exception");
  }
}

// ---- config ---------------------------------------------------------------------------------

Outcome config_entry(Bytes input) {
  const std::string_view document(reinterpret_cast<const char*>(input.data()), input.size());
  app::RunConfig config;
  try {
    config = app::parse_config_string(document, "<fuzz>");
  } catch (const app::ConfigError& error) {
    return refused(error.what());
  }
  // A valid configuration must survive its own writer, with and without comments (the
  // header promises the exact round trip; run and resume rely on it through the fingerprint).
  for (const bool comments : {false, true}) {
    const std::string written = app::to_toml(config, app::TomlStyle{comments});
    app::RunConfig again;
    try {
      again = app::parse_config_string(written, "<to_toml>");
    } catch (const app::ConfigError& error) {
      return broken(fmt::format("to_toml (comments {}) wrote a document parse_config_string refuses: {}\n{}",
                                comments, error.what(), written));
    }
    if (!(again == config)) {
      return broken(fmt::format("parse_config_string(to_toml(c)) != c (comments {}); to_toml wrote:\n{}", comments,
                                written));
    }
  }
  return accepted();
}

// ---- IDX ------------------------------------------------------------------------------------

// The IDX element widths, written out here (not taken from the reader) so the check below
// is independent of the code it checks.
std::size_t idx_width(std::uint8_t type) {
  switch (type) {
    case 0x08: case 0x09: return 1;
    case 0x0B: return 2;
    case 0x0C: case 0x0D: return 4;
    case 0x0E: return 8;
    default: return 0;
  }
}

// A labels file of `rows` zeros, so every accepted image file also goes through idx_pool's
// row copies (with the fuzzed file as its own labels only 1-D files would).
std::vector<std::uint8_t> zero_labels(std::int64_t rows) {
  std::vector<std::uint8_t> file{0, 0, 0x08, 1};
  for (int shift = 24; shift >= 0; shift -= 8) file.push_back(static_cast<std::uint8_t>(rows >> shift));
  file.resize(file.size() + static_cast<std::size_t>(rows), 0);
  return file;
}

// Checks an idx_pool that was accepted against the array read_idx gave, then reads each row.
Outcome check_pool(const data::ExamplePool& pool, const data::IdxArray& images, std::uint64_t elements,
                   const char* labels) {
  if (pool.count != images.shape[0] || pool.labels.size() != static_cast<std::size_t>(pool.count)) {
    return broken(fmt::format("idx_pool ({} labels): {} rows and {} labels for an array of {} rows", labels,
                              pool.count, pool.labels.size(), images.shape[0]));
  }
  if (pool.dimension < 0 || static_cast<std::uint64_t>(pool.dimension) * static_cast<std::uint64_t>(pool.count) !=
                                elements) {
    return broken(fmt::format("idx_pool ({} labels): {} rows of {} features for {} elements", labels, pool.count,
                              pool.dimension, elements));
  }
  std::vector<double> row(static_cast<std::size_t>(pool.dimension));
  for (std::int64_t r = 0; r < pool.count; ++r) pool.copy_row(r, row);
  return accepted();
}

Outcome idx_entry(Bytes input) {
  static const ScratchFile images_file("images.idx");
  static const ScratchFile labels_file("labels.idx");
  const std::string& path = images_file.write(input);
  data::IdxArray array;
  try {
    array = data::read_idx(path);
  } catch (const std::invalid_argument& error) {
    return refused(error.what());
  }
  // What an accepted file promises: a known type, 1..255 extents of 32 bits, and exactly the
  // bytes the header declares.
  const std::size_t width = idx_width(array.type);
  if (width == 0) return broken(fmt::format("read_idx accepted the unknown element type 0x{:02X}", array.type));
  if (array.shape.empty() || array.shape.size() > 255) {
    return broken(fmt::format("read_idx accepted {} dimensions", array.shape.size()));
  }
  std::uint64_t elements = 1;
  bool overflow = false;
  for (const auto extent : array.shape) {
    if (extent < 0 || extent > std::numeric_limits<std::uint32_t>::max()) {
      return broken(fmt::format("read_idx returned the extent {}", extent));
    }
    overflow = overflow || __builtin_mul_overflow(elements, static_cast<std::uint64_t>(extent), &elements);
  }
  if (overflow || elements > array.bytes.size() / width || elements * width != array.bytes.size()) {
    return broken(fmt::format("read_idx accepted a header of extents [{}] ({} elements of {} bytes) with {} bytes "
                              "of data",
                              fmt::join(array.shape, ", "), overflow ? "more than 2^64" : fmt::to_string(elements),
                              width, array.bytes.size()));
  }
  double sum = 0;  // every element once; the sanitizers check the reads
  for (std::uint64_t i = 0; i < elements; ++i) sum += array.value(static_cast<std::int64_t>(i));
  static_cast<void>(sum);

  // The file as images with generated labels, and as its own labels.
  if (array.shape[0] <= (1 << 20)) {
    const std::string& labels = labels_file.write(zero_labels(array.shape[0]));
    try {
      const data::ExamplePool pool = data::idx_pool(path, labels);
      if (auto checked = check_pool(pool, array, elements, "generated"); checked.verdict == Verdict::broken) {
        return checked;
      }
    } catch (const std::invalid_argument&) {
      // Refusing a well-formed file with well-formed labels is not a crash; the reader tests
      // cover which files are valid images.
    }
  }
  try {
    const data::ExamplePool pool = data::idx_pool(path, path);
    return check_pool(pool, array, elements, "its own");
  } catch (const std::invalid_argument&) {
    return accepted();  // read_idx accepted it; as labels it may well be wrong
  }
}

// ---- CIFAR-10 -------------------------------------------------------------------------------

Outcome cifar10_entry(Bytes input) {
  static const ScratchFile batch_file("batch.bin");
  const std::string& path = batch_file.write(input);
  data::ExamplePool pool;
  try {
    pool = data::cifar10_pool({path});
  } catch (const std::invalid_argument& error) {
    return refused(error.what());
  }
  const auto record = static_cast<std::size_t>(data::cifar10_record);
  if (input.size() % record != 0 || pool.count != static_cast<std::int64_t>(input.size() / record) ||
      pool.labels.size() != static_cast<std::size_t>(pool.count) || pool.dimension != data::cifar10_pixels) {
    return broken(fmt::format("cifar10_pool accepted {} bytes as {} records of {} features with {} labels",
                              input.size(), pool.count, pool.dimension, pool.labels.size()));
  }
  std::vector<double> row(static_cast<std::size_t>(pool.dimension));
  for (std::int64_t r = 0; r < pool.count; ++r) {
    const std::uint8_t* stored = input.data() + static_cast<std::size_t>(r) * record;
    if (pool.labels[static_cast<std::size_t>(r)] != stored[0]) {
      return broken(fmt::format("cifar10_pool: record {} has label byte {} but the pool says {}", r, stored[0],
                                pool.labels[static_cast<std::size_t>(r)]));
    }
    pool.copy_row(r, row);
    for (std::size_t k = 0; k < row.size(); ++k) {
      if (row[k] != stored[1 + k] / 255.0) {
        return broken(fmt::format("cifar10_pool: record {} pixel {} is {} but the file holds {}", r, k, row[k],
                                  stored[1 + k]));
      }
    }
  }
  return accepted();
}

}  // namespace

Outcome run_config(Bytes input) { return guarded([&] { return config_entry(input); }); }
Outcome run_idx(Bytes input) { return guarded([&] { return idx_entry(input); }); }
Outcome run_cifar10(Bytes input) { return guarded([&] { return cifar10_entry(input); }); }

Entry find_entry(std::string_view target) {
  if (target == "config") return run_config;
  if (target == "idx") return run_idx;
  if (target == "cifar10") return run_cifar10;
  return nullptr;
}

}  // namespace deepntk::fuzz
