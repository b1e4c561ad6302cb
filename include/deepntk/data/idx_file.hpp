#pragma once
// IDX files, the format of MNIST and Fashion-MNIST: a 4-byte magic number 00 00 TT NN (TT the
// element type, NN the number of dimensions), NN big-endian 32-bit extents, then the elements
// big-endian in row-major order. Read through zlib, so the file may be gzipped or not.

#include <cstdint>
#include <string>
#include <vector>

#include "deepntk/data/example_pool.hpp"

namespace deepntk::data {

struct IdxArray {
  std::vector<std::int64_t> shape;  // slowest first
  std::uint8_t type = 0x08;         // 0x08 ubyte, 0x09 sbyte, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64
  std::vector<unsigned char> bytes; // the elements as stored (big-endian)

  [[nodiscard]] std::int64_t element_count() const;
  /// Element `flat` (row-major) as a double.
  [[nodiscard]] double value(std::int64_t flat) const;
};

/// Reads an IDX file (plain or gzipped). Throws std::invalid_argument naming the file for a
/// missing file, a wrong magic number, or a file shorter or longer than its header says.
[[nodiscard]] IdxArray read_idx(const std::string& path);

/// Images (n x ...) and their labels (n): a pool of n rows of the image's remaining extents
/// flattened. Unsigned-byte images become pixel / 255. Labels must be integers; throws
/// std::invalid_argument when the counts differ or a file is not what it should be.
[[nodiscard]] ExamplePool idx_pool(const std::string& images_path, const std::string& labels_path);

}  // namespace deepntk::data
