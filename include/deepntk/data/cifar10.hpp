#pragma once
// CIFAR-10 binary batches (cifar-10-batches-bin): records of 1 label byte (0..9) and 3072 pixel
// bytes (1024 red, 1024 green, 1024 blue, each 32 x 32 row-major), nothing else in the file.

#include <string>
#include <vector>

#include "deepntk/data/example_pool.hpp"

namespace deepntk::data {

inline constexpr std::int64_t cifar10_pixels = 3072;
inline constexpr std::int64_t cifar10_record = 1 + cifar10_pixels;

/// The number of records in the batch file `path` (its size / 3073), from its size alone.
/// Throws std::invalid_argument naming the file for a missing file or a size that is not a
/// multiple of 3073 bytes.
[[nodiscard]] std::int64_t cifar10_records(const std::string& path);

/// The records of `paths`, in order, as one pool of 3072 features (pixel / 255) with labels.
/// The labels are read (through a fixed buffer); the pixels stay in the files and only the rows
/// the pool is asked for are read. Throws std::invalid_argument as cifar10_records does.
[[nodiscard]] ExamplePool cifar10_pool(const std::vector<std::string>& paths);

}  // namespace deepntk::data
