#include "deepntk/app/run_files.hpp"

#include "deepntk/core/quoted_path.hpp"

#include <sys/stat.h>

#include <array>
#include <fstream>
#include <system_error>

namespace deepntk::app {

namespace fs = std::filesystem;

namespace {

// A file named in the configuration: relative names are inside the directory data.path (as
// the readers resolve them, app/load_dataset.cpp).
fs::path in_directory(const std::string& directory, const std::string& name) {
  return fs::path(name).is_absolute() ? fs::path(name) : fs::path(directory) / name;
}

// The comma-separated names of a CIFAR-10 key.
std::vector<std::string> split_names(const std::string& list) {
  std::vector<std::string> names;
  std::size_t begin = 0;
  while (begin <= list.size()) {
    const std::size_t comma = std::min(list.find(',', begin), list.size());
    if (comma > begin) names.push_back(list.substr(begin, comma - begin));
    begin = comma + 1;
  }
  return names;
}

struct FileIdentity {
  dev_t device;
  ino_t inode;
};

// stat() follows symlinks: a link to an input is that input.
std::optional<FileIdentity> identity(const fs::path& path) {
  struct stat status {};
  if (::stat(path.c_str(), &status) != 0) return std::nullopt;
  return FileIdentity{status.st_dev, status.st_ino};
}

bool same_file(const std::optional<FileIdentity>& a, const std::optional<FileIdentity>& b) {
  return a && b && a->device == b->device && a->inode == b->inode;
}

// A deepntk checkpoint directory holds state.h5 (docs/checkpoints.md); a file of that name
// that is an HDF5 file (its 8-byte signature) is taken as one. A checkpoint killed before its
// first state has only parts, which are not trusted and are removed by the next run anyway.
bool holds_checkpoint_state(const fs::path& directory) {
  std::ifstream state(directory / "state.h5", std::ios::binary);
  std::array<char, 8> signature{};
  if (!state.read(signature.data(), signature.size())) return false;
  constexpr std::array<char, 8> hdf5{'\x89', 'H', 'D', 'F', '\r', '\n', '\x1a', '\n'};
  return signature == hdf5;
}

}  // namespace

std::vector<RunInputFile> run_input_files(const RunConfig& config, const std::optional<fs::path>& config_file) {
  std::vector<RunInputFile> files;
  if (config_file) files.push_back({*config_file, "the configuration file"});
  const DataConfig& data = config.data;
  const DataConfig defaults;
  const auto named = [&](const std::string& value, const std::string& key) {
    files.push_back({in_directory(data.path, value), "data." + key + " (in data.path)"});
  };
  switch (data.source) {
    case DataSource::hdf5: files.push_back({data.path, "the input file data.path"}); break;
    case DataSource::idx: {
      // The configured names, and MNIST's standard names plain and gzipped (what the reader
      // falls back to for a key left at its default).
      named(data.x_train, "x_train");
      named(data.y_train, "y_train");
      named(data.x_test, "x_test");
      named(data.y_test, "y_test");
      for (const char* standard : {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                                   "t10k-labels-idx1-ubyte"}) {
        for (const char* suffix : {"", ".gz"}) {
          files.push_back({in_directory(data.path, std::string(standard) + suffix), "an IDX file in data.path"});
        }
      }
      break;
    }
    case DataSource::cifar10: {
      for (const auto& name : split_names(data.x_train)) named(name, "x_train");
      for (const auto& name : split_names(data.x_test)) named(name, "x_test");
      std::error_code ec;
      for (const auto& entry : fs::directory_iterator(data.path, ec)) {
        const auto name = entry.path().filename().string();
        if ((name.starts_with("data_batch_") && name.ends_with(".bin")) || name == "test_batch.bin") {
          files.push_back({entry.path(), "a CIFAR-10 batch in data.path"});
        }
      }
      break;
    }
    default: break;  // generated points: no files
  }
  return files;
}

std::optional<std::string> output_conflict(const fs::path& output, const fs::path& checkpoint,
                                           const std::vector<RunInputFile>& inputs) {
  const std::string tail = "; --force does not override that: choose another --output";
  const auto target = identity(output);
  for (const auto& input : inputs) {
    if (same_file(target, identity(input.path))) {
      std::string message = "--output " + quoted(output) + " is " + input.role;
      if (input.path != output) message += " " + quoted(input.path);
      return message + ", which this run reads; the result would replace it" + tail;
    }
  }
  std::error_code ec;
  const fs::path directory = output.has_parent_path() ? output.parent_path() : fs::path(".");
  // The checkpoint directory may not exist yet: then only the same spelled path can clash.
  if (fs::weakly_canonical(output, ec) == fs::weakly_canonical(checkpoint, ec)) {
    return "--output " + quoted(output) + " is also this run's checkpoint.path" + tail;
  }
  if (same_file(identity(directory), identity(checkpoint))) {
    return "--output " + quoted(output) + " is inside this run's checkpoint directory " + quoted(checkpoint) +
           ", which is removed when the run ends" + tail;
  }
  if (holds_checkpoint_state(directory)) {
    return "--output " + quoted(output) + " is inside the checkpoint directory " + quoted(directory) +
           " of another run (it holds state.h5); writing there could destroy that run's checkpoint" + tail;
  }
  return std::nullopt;
}

}  // namespace deepntk::app
