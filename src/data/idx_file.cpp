#include "deepntk/data/idx_file.hpp"

#include <zlib.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <memory>
#include <stdexcept>

#include <fmt/format.h>

namespace deepntk::data {

namespace {

struct GzCloser {
  void operator()(gzFile_s* file) const { gzclose(file); }
};
using GzFile = std::unique_ptr<gzFile_s, GzCloser>;

std::size_t element_size(std::uint8_t type) {
  switch (type) {
    case 0x08: case 0x09: return 1;
    case 0x0B: return 2;
    case 0x0C: case 0x0D: return 4;
    case 0x0E: return 8;
    default: return 0;
  }
}

// Reads exactly `size` bytes, or says how many were there.
void read_exactly(gzFile_s* file, unsigned char* out, std::size_t size, const std::string& path, const char* what) {
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

}  // namespace

std::int64_t IdxArray::element_count() const {
  std::int64_t n = 1;
  for (auto extent : shape) n *= extent;
  return n;
}

double IdxArray::value(std::int64_t flat) const {
  const unsigned char* p = bytes.data() + static_cast<std::size_t>(flat) * element_size(type);
  switch (type) {
    case 0x08: return p[0];
    case 0x09: return static_cast<std::int8_t>(p[0]);
    case 0x0B: return static_cast<std::int16_t>(big_endian<std::uint16_t>(p));
    case 0x0C: return static_cast<std::int32_t>(big_endian<std::uint32_t>(p));
    case 0x0D: return std::bit_cast<float>(big_endian<std::uint32_t>(p));
    default: return std::bit_cast<double>(big_endian<std::uint64_t>(p));
  }
}

IdxArray read_idx(const std::string& path) {
  if (!std::filesystem::is_regular_file(path)) {
    throw std::invalid_argument(fmt::format("{}: no such IDX file", path));
  }
  GzFile file(gzopen(path.c_str(), "rb"));
  if (!file) throw std::invalid_argument(fmt::format("{}: cannot open the IDX file: {}", path, std::strerror(errno)));
  unsigned char magic[4];
  read_exactly(file.get(), magic, 4, path, "magic number");
  IdxArray array;
  array.type = magic[2];
  if (magic[0] != 0 || magic[1] != 0 || element_size(magic[2]) == 0 || magic[3] == 0) {
    throw std::invalid_argument(fmt::format(
        "{}: wrong magic number 0x{:08X}: not an IDX file (IDX files start with 00 00 TT NN, TT the element type "
        "08/09/0B/0C/0D/0E and NN >= 1 dimensions, e.g. 0x00000803 for MNIST images, 0x00000801 for labels)",
        path, big_endian<std::uint32_t>(magic)));
  }
  std::vector<unsigned char> extents(4u * magic[3]);
  read_exactly(file.get(), extents.data(), extents.size(), path, "header");
  for (std::size_t i = 0; i < magic[3]; ++i) array.shape.push_back(big_endian<std::uint32_t>(&extents[4 * i]));
  const auto size = static_cast<std::size_t>(array.element_count()) * element_size(array.type);
  array.bytes.resize(size);
  read_exactly(file.get(), array.bytes.data(), size, path, "data");
  unsigned char extra = 0;
  if (gzread(file.get(), &extra, 1) > 0) {
    throw std::invalid_argument(
        fmt::format("{}: the file is longer than its header says ({} elements); it is not a valid IDX file", path,
                    array.element_count()));
  }
  return array;
}

ExamplePool idx_pool(const std::string& images_path, const std::string& labels_path) {
  auto images = std::make_shared<const IdxArray>(read_idx(images_path));
  const IdxArray labels = read_idx(labels_path);
  if (labels.shape.size() != 1 && !(labels.shape.size() == 2 && labels.shape[1] == 1)) {
    throw std::invalid_argument(fmt::format("{}: labels must be a 1-D IDX array, but it has {} dimensions",
                                            labels_path, labels.shape.size()));
  }
  if (labels.shape[0] != images->shape[0]) {
    throw std::invalid_argument(fmt::format("{} has {} images but {} has {} labels; they need one label per image",
                                            images_path, images->shape[0], labels_path, labels.shape[0]));
  }
  ExamplePool pool;
  pool.name = images_path;
  pool.count = images->shape[0];
  pool.dimension = 1;
  for (std::size_t k = 1; k < images->shape.size(); ++k) pool.dimension *= images->shape[k];
  for (std::int64_t i = 0; i < labels.element_count(); ++i) {
    const double label = labels.value(i);
    if (!(label == std::trunc(label) && std::abs(label) < 1e9)) {
      throw std::invalid_argument(fmt::format("{}: label {} of row {} is not an integer", labels_path, label, i));
    }
    pool.labels.push_back(static_cast<std::int64_t>(label));
  }
  // Bytes are pixel intensities 0..255; other types are taken as stored.
  const double divisor = images->type == 0x08 ? 255.0 : 1.0;
  const std::int64_t dim = pool.dimension;
  pool.copy_row = [images, divisor, dim](std::int64_t row, std::span<double> out) {
    for (std::int64_t k = 0; k < dim; ++k) out[static_cast<std::size_t>(k)] = images->value(row * dim + k) / divisor;
  };
  return pool;
}

}  // namespace deepntk::data
