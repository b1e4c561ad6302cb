#pragma once
// IDX files, the format of MNIST and Fashion-MNIST: a 4-byte magic number 00 00 TT NN (TT the
// element type, NN the number of dimensions), NN big-endian 32-bit extents, then the elements
// big-endian in row-major order. Read through zlib, so the file may be gzipped or not.
//
// A header can claim anything (4294967295 x 28 x 28 in a 1 KB file), so nothing the size of
// the data is allocated before the file is known to hold that much data: a plain file's size
// is compared with the header, a gzipped file is decompressed once through a fixed buffer and
// its length counted (the gzip trailer's ISIZE is only the length mod 2^32, and only of the last
// member, so it cannot prove a length). All sizes are formed with core/checked_arithmetic.hpp.

#include <cstdint>
#include <string>
#include <vector>

#include "deepntk/data/example_pool.hpp"

namespace deepntk::data {

/// What an IDX file's header says, checked against the file.
struct IdxHeader {
  std::vector<std::int64_t> shape;  // slowest first
  std::uint8_t type = 0x08;         // 0x08 ubyte, 0x09 sbyte, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64
  std::int64_t header_bytes = 0;    // 4 + 4 * dimensions: where the elements start
  std::int64_t element_count = 0;   // product of the extents
  std::int64_t element_bytes = 0;   // bytes per element
  std::int64_t row_elements = 0;    // product of the extents after the first (a row's features)
};

/// Reads the header of an IDX file (plain or gzipped) and checks that the file holds exactly
/// the data it claims (gzipped: by decompressing through a fixed 64 KiB buffer), without
/// allocating anything of the data's size. Throws std::invalid_argument naming the file for a
/// missing file, a wrong magic number, extents whose product does not fit 64 bits, or a file
/// shorter or longer than its header says.
[[nodiscard]] IdxHeader read_idx_header(const std::string& path);

struct IdxArray {
  std::vector<std::int64_t> shape;  // slowest first
  std::uint8_t type = 0x08;         // as IdxHeader::type
  std::vector<unsigned char> bytes; // the elements as stored (big-endian)

  [[nodiscard]] std::int64_t element_count() const;
  /// Element `flat` (row-major) as a double.
  [[nodiscard]] double value(std::int64_t flat) const;
};

/// Reads a whole IDX file (plain or gzipped), after read_idx_header's checks. Throws
/// std::invalid_argument as read_idx_header does.
[[nodiscard]] IdxArray read_idx(const std::string& path);

/// Images (n x ...) and their labels (n): a pool of n rows of the image's remaining extents
/// flattened. Unsigned-byte images become pixel / 255. Labels must be integers; throws
/// std::invalid_argument when the counts differ or a file is not what it should be. The
/// labels are read whole; the images stay in the file and only the rows the pool is asked
/// for are read (plain files by seeking, gzipped files by decompressing forward to them, so
/// rows asked for in increasing order cost one pass at most).
[[nodiscard]] ExamplePool idx_pool(const std::string& images_path, const std::string& labels_path);

}  // namespace deepntk::data
