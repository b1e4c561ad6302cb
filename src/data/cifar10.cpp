#include "deepntk/data/cifar10.hpp"

#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>

#include <fmt/format.h>

namespace deepntk::data {

ExamplePool cifar10_pool(const std::vector<std::string>& paths) {
  auto pixels = std::make_shared<std::vector<unsigned char>>();
  ExamplePool pool;
  pool.name = paths.empty() ? std::string("(no file)") : paths.front();
  pool.dimension = cifar10_pixels;
  for (const auto& path : paths) {
    std::error_code error;
    const auto size = std::filesystem::file_size(path, error);
    if (error) throw std::invalid_argument(fmt::format("{}: cannot read the CIFAR-10 batch: {}", path, error.message()));
    if (size % cifar10_record != 0) {
      throw std::invalid_argument(fmt::format(
          "{}: size {} bytes is not a multiple of {} (1 label byte + {} pixel bytes per image); not a CIFAR-10 binary "
          "batch, or truncated",
          path, size, cifar10_record, cifar10_pixels));
    }
    const auto records = static_cast<std::int64_t>(size / cifar10_record);
    std::vector<unsigned char> bytes(size);
    std::ifstream in(path, std::ios::binary);
    if (!in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size))) {
      throw std::invalid_argument(fmt::format("{}: cannot read {} bytes", path, size));
    }
    for (std::int64_t r = 0; r < records; ++r) {
      const auto* record = bytes.data() + r * cifar10_record;
      pool.labels.push_back(record[0]);
      pixels->insert(pixels->end(), record + 1, record + cifar10_record);
    }
    pool.count += records;
  }
  pool.copy_row = [pixels](std::int64_t row, std::span<double> out) {
    const auto* p = pixels->data() + row * cifar10_pixels;
    for (std::size_t k = 0; k < static_cast<std::size_t>(cifar10_pixels); ++k) out[k] = p[k] / 255.0;
  };
  return pool;
}

}  // namespace deepntk::data
