#pragma once
// The files a `deepntk run` reads, and the rule that its result never replaces one of them.
//
// `--output` naming the input (data.path) with `--force` used to replace the user's data with
// the result, exit 0, no word. The result is published by rename() over the old file, so any
// file the run reads, and any file of a checkpoint directory, is refused as the output, with
// or without --force. Files are compared by device and inode (stat), not by name: a symlink, a
// hard link, `./a/../a` or another spelling of the same file are all caught.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "deepntk/app/config.hpp"

namespace deepntk::app {

/// One file the run reads, and what it is, for the message ("data.path", "the configuration
/// file", "data.x_train").
struct RunInputFile {
  std::filesystem::path path;
  std::string role;
};

/// Every file `deepntk run` with `config` may read: the configuration file (if any) and the
/// data files of data.source (hdf5: data.path; idx and cifar10: the files named by data.x_train
/// etc. or the format's standard names inside the directory data.path, compressed or not).
/// Local: looks at the file system of the calling process only.
[[nodiscard]] std::vector<RunInputFile> run_input_files(const RunConfig& config,
                                                        const std::optional<std::filesystem::path>& config_file);

/// Why the result may not be written to `output`, or nullopt: it is (the same file as) one of
/// `inputs`, or it lies in a checkpoint directory (`checkpoint`, this run's, or any directory
/// holding a deepntk state.h5, another run's). The message names both and the way out;
/// --force does not override it. Local.
[[nodiscard]] std::optional<std::string> output_conflict(const std::filesystem::path& output,
                                                         const std::filesystem::path& checkpoint,
                                                         const std::vector<RunInputFile>& inputs);

}  // namespace deepntk::app
