// IDX (plain and gzipped) and CIFAR-10 readers against small files written here, and one clear
// message for each malformed file.
#include <boost/test/unit_test.hpp>

#include <zlib.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "deepntk/data/cifar10.hpp"
#include "deepntk/data/idx_file.hpp"

#include "data_test_support.hpp"

using deepntk::data_test::failure;

namespace fs = std::filesystem;
using namespace deepntk::data;

namespace {

fs::path scratch() {
  const auto dir = fs::temp_directory_path() / ("deepntk-data-readers-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir;
}

std::vector<unsigned char> big_endian32(std::uint32_t v) {
  return {static_cast<unsigned char>(v >> 24), static_cast<unsigned char>(v >> 16), static_cast<unsigned char>(v >> 8),
          static_cast<unsigned char>(v)};
}

// An IDX file: magic 00 00 type dims, the extents, then `payload`.
std::vector<unsigned char> idx_bytes(unsigned char type, const std::vector<std::uint32_t>& shape,
                                     const std::vector<unsigned char>& payload) {
  std::vector<unsigned char> bytes{0, 0, type, static_cast<unsigned char>(shape.size())};
  for (auto extent : shape) {
    const auto e = big_endian32(extent);
    bytes.insert(bytes.end(), e.begin(), e.end());
  }
  bytes.insert(bytes.end(), payload.begin(), payload.end());
  return bytes;
}

void write_plain(const fs::path& path, const std::vector<unsigned char>& bytes) {
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                              static_cast<std::streamsize>(bytes.size()));
}

void write_gzip(const fs::path& path, const std::vector<unsigned char>& bytes) {
  gzFile file = gzopen(path.c_str(), "wb");
  BOOST_REQUIRE(file != nullptr);
  BOOST_REQUIRE(gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size())) == static_cast<int>(bytes.size()));
  gzclose(file);
}


// 5 images of 2 x 3 pixels, pixel (i, r, c) = 40 i + 10 r + c, labels i % 3.
std::vector<unsigned char> image_payload() {
  std::vector<unsigned char> pixels;
  for (int i = 0; i < 5; ++i)
    for (int r = 0; r < 2; ++r)
      for (int c = 0; c < 3; ++c) pixels.push_back(static_cast<unsigned char>(40 * i + 10 * r + c));
  return pixels;
}

}  // namespace

BOOST_AUTO_TEST_CASE(idx_images_and_labels_plain_and_gzipped_read_the_same) {
  const auto dir = scratch();
  const auto images = idx_bytes(0x08, {5, 2, 3}, image_payload());
  const auto labels = idx_bytes(0x08, {5}, {0, 1, 2, 0, 1});
  write_plain(dir / "images", images);
  write_plain(dir / "labels", labels);
  write_gzip(dir / "images.gz", images);
  write_gzip(dir / "labels.gz", labels);
  for (const std::string suffix : {"", ".gz"}) {
    BOOST_TEST_CONTEXT("suffix '" << suffix << "'") {
      const auto pool = idx_pool((dir / ("images" + suffix)).string(), (dir / ("labels" + suffix)).string());
      BOOST_TEST(pool.count == 5);
      BOOST_TEST(pool.dimension == 6);
      BOOST_TEST(pool.labels == (std::vector<std::int64_t>{0, 1, 2, 0, 1}), boost::test_tools::per_element());
      std::vector<double> row(6);
      pool.copy_row(3, row);
      for (int k = 0; k < 6; ++k) BOOST_TEST(row[static_cast<std::size_t>(k)] == (120 + 10 * (k / 3) + k % 3) / 255.0);
    }
  }
}

BOOST_AUTO_TEST_CASE(idx_wider_types_are_big_endian) {
  const auto dir = scratch();
  // int32 -2 and 70000, float32 1.5, float64 -0.25.
  write_plain(dir / "int32", idx_bytes(0x0C, {2}, {0xFF, 0xFF, 0xFF, 0xFE, 0x00, 0x01, 0x11, 0x70}));
  write_plain(dir / "float32", idx_bytes(0x0D, {1}, {0x3F, 0xC0, 0x00, 0x00}));
  write_plain(dir / "float64", idx_bytes(0x0E, {1}, {0xBF, 0xD0, 0, 0, 0, 0, 0, 0}));
  const auto ints = read_idx((dir / "int32").string());
  BOOST_TEST(ints.value(0) == -2.0);
  BOOST_TEST(ints.value(1) == 70000.0);
  BOOST_TEST(read_idx((dir / "float32").string()).value(0) == 1.5);
  BOOST_TEST(read_idx((dir / "float64").string()).value(0) == -0.25);
}

BOOST_AUTO_TEST_CASE(malformed_idx_files_are_named) {
  const auto dir = scratch();
  write_plain(dir / "magic", {0x12, 0x34, 0x56, 0x78, 0, 0, 0, 1});
  const auto magic = failure([&] { (void)read_idx((dir / "magic").string()); });
  BOOST_TEST(magic.find("wrong magic number 0x12345678") != std::string::npos, magic);
  BOOST_TEST(magic.find((dir / "magic").string()) != std::string::npos, magic);

  auto truncated = idx_bytes(0x08, {5, 2, 3}, image_payload());
  truncated.resize(truncated.size() - 7);
  write_gzip(dir / "truncated.gz", truncated);
  const auto short_file = failure([&] { (void)read_idx((dir / "truncated.gz").string()); });
  BOOST_TEST(short_file.find("truncated: its data needs 30 bytes but only 23") != std::string::npos, short_file);

  auto longer = idx_bytes(0x08, {2}, {1, 2, 3});
  write_plain(dir / "longer", longer);
  const auto long_file = failure([&] { (void)read_idx((dir / "longer").string()); });
  BOOST_TEST(long_file.find("longer than its header says") != std::string::npos, long_file);

  write_plain(dir / "images", idx_bytes(0x08, {5, 2, 3}, image_payload()));
  write_plain(dir / "four_labels", idx_bytes(0x08, {4}, {0, 1, 2, 0}));
  const auto mismatch = failure([&] { (void)idx_pool((dir / "images").string(), (dir / "four_labels").string()); });
  BOOST_TEST(mismatch.find("has 5 images but") != std::string::npos, mismatch);
  BOOST_TEST(mismatch.find("has 4 labels") != std::string::npos, mismatch);

  const auto missing = failure([&] { (void)read_idx((dir / "absent").string()); });
  BOOST_TEST(missing.find("no such IDX file") != std::string::npos, missing);
}

BOOST_AUTO_TEST_CASE(cifar10_batches_are_records_of_label_and_pixels) {
  const auto dir = scratch();
  // Two files of 2 and 1 records; record r of the whole has label r + 3 and pixel k = (r + k) % 256.
  std::vector<unsigned char> first, second;
  for (int r = 0; r < 3; ++r) {
    auto& out = r < 2 ? first : second;
    out.push_back(static_cast<unsigned char>(r + 3));
    for (int k = 0; k < 3072; ++k) out.push_back(static_cast<unsigned char>((r + k) % 256));
  }
  write_plain(dir / "a.bin", first);
  write_plain(dir / "b.bin", second);
  const auto pool = cifar10_pool({(dir / "a.bin").string(), (dir / "b.bin").string()});
  BOOST_TEST(pool.count == 3);
  BOOST_TEST(pool.dimension == 3072);
  BOOST_TEST(pool.labels == (std::vector<std::int64_t>{3, 4, 5}), boost::test_tools::per_element());
  std::vector<double> row(3072);
  pool.copy_row(2, row);
  BOOST_TEST(row[0] == 2 / 255.0);
  BOOST_TEST(row[1024] == ((2 + 1024) % 256) / 255.0);  // first green pixel
  BOOST_TEST(row[3071] == ((2 + 3071) % 256) / 255.0);

  first.push_back(0);
  write_plain(dir / "bad.bin", first);
  const auto bad = failure([&] { (void)cifar10_pool({(dir / "bad.bin").string()}); });
  BOOST_TEST(bad.find((dir / "bad.bin").string() + ": size 6147 bytes is not a multiple of 3073") != std::string::npos,
             bad);
}
