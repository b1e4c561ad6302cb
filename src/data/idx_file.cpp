#include "deepntk/data/idx_file.hpp"

#include <zlib.h>

#include <bit>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <memory>
#include <stdexcept>

#include <fmt/format.h>

#include "deepntk/core/checked_arithmetic.hpp"

namespace deepntk::data {

namespace {

struct GzCloser {
  void operator()(gzFile_s* file) const { gzclose(file); }
};
using GzFile = std::unique_ptr<gzFile_s, GzCloser>;

std::int64_t element_size(std::uint8_t type) {
  switch (type) {
    case 0x08: case 0x09: return 1;
    case 0x0B: return 2;
    case 0x0C: case 0x0D: return 4;
    case 0x0E: return 8;
    default: return 0;
  }
}

const char* type_name(std::uint8_t type) {
  switch (type) {
    case 0x08: return "unsigned byte";
    case 0x09: return "signed byte";
    case 0x0B: return "int16";
    case 0x0C: return "int32";
    case 0x0D: return "float32";
    default: return "float64";
  }
}

std::string format_shape(const std::vector<std::int64_t>& shape) {
  std::string text;
  for (const auto extent : shape) text += (text.empty() ? "" : " x ") + std::to_string(extent);
  return text;
}

GzFile open(const std::string& path) {
  if (!std::filesystem::is_regular_file(path)) {
    throw std::invalid_argument(fmt::format("{}: no such IDX file", path));
  }
  GzFile file(gzopen(path.c_str(), "rb"));
  if (!file) throw std::invalid_argument(fmt::format("{}: cannot open the IDX file: {}", path, std::strerror(errno)));
  return file;
}

// Reads up to `size` bytes; returns how many there were (fewer only at the end of the data).
std::size_t read_some(gzFile_s* file, unsigned char* out, std::size_t size, const std::string& path,
                      const char* what) {
  std::size_t done = 0;
  while (done < size) {
    const auto chunk = static_cast<unsigned>(std::min<std::size_t>(size - done, 1u << 30));
    const int got = gzread(file, out + done, chunk);
    if (got < 0) {
      int code = 0;
      throw std::invalid_argument(fmt::format("{}: cannot read the {} ({}); the file is damaged", path, what,
                                              gzerror(file, &code)));
    }
    if (got == 0) break;
    done += static_cast<std::size_t>(got);
  }
  return done;
}

// Reads exactly `size` bytes, or says how many were there.
void read_exactly(gzFile_s* file, unsigned char* out, std::size_t size, const std::string& path, const char* what) {
  const std::size_t done = read_some(file, out, size, path, what);
  if (done < size) {
    throw std::invalid_argument(fmt::format("{}: the file is truncated: its {} needs {} bytes but only {} are there",
                                            path, what, size, done));
  }
}

template <class Unsigned>
Unsigned big_endian(const unsigned char* p) {
  Unsigned v = 0;
  for (std::size_t i = 0; i < sizeof(Unsigned); ++i) v = static_cast<Unsigned>((v << 8) | p[i]);
  return v;
}

double decode(std::uint8_t type, const unsigned char* p) {
  switch (type) {
    case 0x08: return p[0];
    case 0x09: return static_cast<std::int8_t>(p[0]);
    case 0x0B: return static_cast<std::int16_t>(big_endian<std::uint16_t>(p));
    case 0x0C: return static_cast<std::int32_t>(big_endian<std::uint32_t>(p));
    case 0x0D: return std::bit_cast<float>(big_endian<std::uint32_t>(p));
    default: return std::bit_cast<double>(big_endian<std::uint64_t>(p));
  }
}

// The magic number and the extents, with every size the rest of the reader uses; leaves `file`
// at the first element.
IdxHeader parse_header(gzFile_s* file, const std::string& path) {
  unsigned char magic[4];
  read_exactly(file, magic, 4, path, "magic number");
  if (magic[0] != 0 || magic[1] != 0 || element_size(magic[2]) == 0 || magic[3] == 0) {
    throw std::invalid_argument(fmt::format(
        "{}: wrong magic number 0x{:08X}: not an IDX file (IDX files start with 00 00 TT NN, TT the element type "
        "08/09/0B/0C/0D/0E and NN >= 1 dimensions, e.g. 0x00000803 for MNIST images, 0x00000801 for labels)",
        path, big_endian<std::uint32_t>(magic)));
  }
  IdxHeader header;
  header.type = magic[2];
  unsigned char extents[4 * 255];
  read_exactly(file, extents, 4u * magic[3], path, "header");
  for (std::size_t i = 0; i < magic[3]; ++i) header.shape.push_back(big_endian<std::uint32_t>(&extents[4 * i]));
  header.header_bytes = 4 + 4 * std::int64_t{magic[3]};
  header.element_bytes = element_size(header.type);
  // Up to 255 extents of up to 2^32 - 1 each: the products can overflow 64 bits.
  const auto what = fmt::format("{}: the IDX header's shape {}", path, format_shape(header.shape));
  header.element_count = 1;
  header.row_elements = 1;
  for (std::size_t k = 0; k < header.shape.size(); ++k) {
    header.element_count = checked_multiply(header.element_count, header.shape[k], what);
    if (k > 0) header.row_elements = checked_multiply(header.row_elements, header.shape[k], what);
  }
  // No value: nothing to use, and the extents are then bounded by nothing (the length check
  // holds for any row size times 0 rows), so a damaged header could claim rows of terabytes
  // (0 x 131200 x 4278257412, found by fuzz.idx): refused before a row-sized buffer exists.
  if (header.element_count == 0) {
    throw std::invalid_argument(fmt::format("{}: the IDX header's shape {} holds no values; use a file with at "
                                            "least one image (or label)",
                                            path, format_shape(header.shape)));
  }
  // The whole file's length must be a number too (it is compared with the file below).
  static_cast<void>(checked_add(header.header_bytes, checked_multiply(header.element_count, header.element_bytes, what),
                                what));
  return header;
}

std::string too_short(const std::string& path, const IdxHeader& header, std::int64_t data_bytes,
                      std::int64_t there) {
  return fmt::format(
      "{}: the file is truncated: its data needs {} bytes but only {} are there (the header claims {} {} "
      "values); the file is incomplete or its header is damaged",
      path, data_bytes, there, format_shape(header.shape), type_name(header.type));
}

std::string too_long(const std::string& path, const IdxHeader& header) {
  return fmt::format("{}: the file is longer than its header says ({} elements); it is not a valid IDX file", path,
                     header.element_count);
}

// Positions `file` at byte `offset` of the (decompressed) file: a seek for a plain file, a
// forward decompression for a gzipped one (backwards starts over; rows are asked for in order).
void seek(gzFile_s* file, std::int64_t offset, const std::string& path) {
  const auto target = checked_cast<z_off_t>(offset, "IDX file offset");
  if (gzseek(file, target, SEEK_SET) != target) {
    int code = 0;
    throw std::invalid_argument(fmt::format("{}: cannot reach byte {} ({}); the file is damaged or changed while "
                                            "being read",
                                            path, offset, gzerror(file, &code)));
  }
}

// The rows of an images file, read when asked for: a run uses a few thousand of Fashion-MNIST's
// 60000 images, and holding them all would cost the whole file per rank.
class IdxRows {
 public:
  IdxRows(std::string path, IdxHeader header)
      : path_(std::move(path)),
        header_(std::move(header)),
        file_(open(path_)),
        row_bytes_(header_.row_elements * header_.element_bytes) {}

  void copy(std::int64_t row, std::span<double> out, double divisor) {
    // row < count, so the offset is within the file length checked by parse_header, and so is
    // the row itself: the buffer is allocated only now. (A header of 0 images may claim rows of
    // any size, e.g. 0 x 131200 x 4278257412, whose buffer would be 561 TB: found by fuzz.idx.)
    if (buffer_.empty()) buffer_.resize(static_cast<std::size_t>(row_bytes_));
    const std::int64_t offset = header_.header_bytes + row * row_bytes_;
    if (offset != position_) seek(file_.get(), offset, path_);
    read_exactly(file_.get(), buffer_.data(), buffer_.size(), path_, "image");
    position_ = offset + row_bytes_;
    for (std::int64_t k = 0; k < header_.row_elements; ++k) {
      out[static_cast<std::size_t>(k)] = decode(header_.type, buffer_.data() + k * header_.element_bytes) / divisor;
    }
  }

 private:
  std::string path_;
  IdxHeader header_;
  GzFile file_;
  std::int64_t row_bytes_ = 0;
  std::int64_t position_ = -1;  // -1: unknown, seek first
  std::vector<unsigned char> buffer_;
};

}  // namespace

IdxHeader read_idx_header(const std::string& path) {
  const GzFile file = open(path);
  IdxHeader header = parse_header(file.get(), path);
  const std::int64_t data_bytes = header.element_count * header.element_bytes;  // checked in parse_header
  if (gzdirect(file.get()) == 1) {
    // Not gzipped: the file system knows the length.
    std::error_code error;
    const auto size = std::filesystem::file_size(path, error);
    if (error) throw std::invalid_argument(fmt::format("{}: cannot read the IDX file: {}", path, error.message()));
    const auto there = checked_cast<std::int64_t>(size, "IDX file size") - header.header_bytes;
    if (there < data_bytes) throw std::invalid_argument(too_short(path, header, data_bytes, there));
    if (there > data_bytes) throw std::invalid_argument(too_long(path, header));
    return header;
  }
  // Gzipped: count the decompressed bytes through a fixed buffer, stopping as soon as there is
  // more than the header claims.
  std::vector<unsigned char> buffer(64 * 1024);
  std::int64_t there = 0;
  while (there <= data_bytes) {
    const std::size_t got = read_some(file.get(), buffer.data(), buffer.size(), path, "data");
    if (got == 0) break;
    there += static_cast<std::int64_t>(got);
  }
  if (there < data_bytes) throw std::invalid_argument(too_short(path, header, data_bytes, there));
  if (there > data_bytes) throw std::invalid_argument(too_long(path, header));
  return header;
}

std::int64_t IdxArray::element_count() const {
  std::int64_t n = 1;
  for (const auto extent : shape) n = checked_multiply(n, extent, "IDX array shape");
  return n;
}

double IdxArray::value(std::int64_t flat) const {
  return decode(type, bytes.data() + static_cast<std::size_t>(flat * element_size(type)));
}

IdxArray read_idx(const std::string& path) {
  const IdxHeader header = read_idx_header(path);  // the file holds what it claims
  const GzFile file = open(path);
  seek(file.get(), header.header_bytes, path);
  IdxArray array;
  array.shape = header.shape;
  array.type = header.type;
  array.bytes.resize(checked_cast<std::size_t>(header.element_count * header.element_bytes, "IDX data size"));
  read_exactly(file.get(), array.bytes.data(), array.bytes.size(), path, "data");
  return array;
}

ExamplePool idx_pool(const std::string& images_path, const std::string& labels_path) {
  IdxHeader images = read_idx_header(images_path);
  const IdxArray labels = read_idx(labels_path);
  if (labels.shape.size() != 1 && !(labels.shape.size() == 2 && labels.shape[1] == 1)) {
    throw std::invalid_argument(fmt::format("{}: labels must be a 1-D IDX array, but it has {} dimensions",
                                            labels_path, labels.shape.size()));
  }
  if (labels.shape[0] != images.shape[0]) {
    throw std::invalid_argument(fmt::format("{} has {} images but {} has {} labels; they need one label per image",
                                            images_path, images.shape[0], labels_path, labels.shape[0]));
  }
  ExamplePool pool;
  pool.name = images_path;
  pool.count = images.shape[0];
  pool.dimension = images.row_elements;
  const std::int64_t label_count = labels.element_count();
  pool.labels.reserve(static_cast<std::size_t>(label_count));
  for (std::int64_t i = 0; i < label_count; ++i) {
    const double label = labels.value(i);
    if (!(label == std::trunc(label) && std::abs(label) < 1e9)) {
      throw std::invalid_argument(fmt::format("{}: label {} of row {} is not an integer", labels_path, label, i));
    }
    pool.labels.push_back(static_cast<std::int64_t>(label));
  }
  // Bytes are pixel intensities 0..255; other types are taken as stored.
  const double divisor = images.type == 0x08 ? 255.0 : 1.0;
  auto rows = std::make_shared<IdxRows>(images_path, std::move(images));
  pool.copy_row = [rows, divisor](std::int64_t row, std::span<double> out) { rows->copy(row, out, divisor); };
  return pool;
}

}  // namespace deepntk::data
