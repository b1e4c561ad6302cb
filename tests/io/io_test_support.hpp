#pragma once
// Helpers shared by the io tests.

#include <mpi.h>

#include <cstdint>
#include <exception>
#include <filesystem>
#include <string>

#include <hdf5.h>

#include <vector>

#include "deepntk/io/file.hpp"
#include "deepntk/io/hdf5_handle.hpp"
#include "deepntk/matrix/distributed_matrix.hpp"
#include "deepntk/mpi/communicator.hpp"
#include "deepntk/mpi/error.hpp"

namespace deepntk::io_test {

/// The test matrix: every entry names its own position, so a transposed or shuffled
/// read-back is visible in any single entry (and 0.5 keeps it away from integers).
inline double entry(std::int64_t i, std::int64_t j) {
  return static_cast<double>(i) * 1000.0 + static_cast<double>(j) + 0.5;
}

/// How many entries of the gathered (column-major) matrix differ from entry(i, j).
inline std::int64_t wrong_entries(const matrix::DistributedMatrix& m) {
  const auto whole = m.gather();
  std::int64_t wrong = 0;
  for (std::int64_t j = 0; j < m.cols(); ++j)
    for (std::int64_t i = 0; i < m.rows(); ++i)
      if (whole[static_cast<std::size_t>(i + j * m.rows())] != entry(i, j)) ++wrong;
  return wrong;
}

/// A fresh directory for one test program at one rank count, under the working directory
/// (the build tree), so concurrent ctest runs at 1, 2 and 4 ranks do not collide. Rank 0
/// empties it; everyone waits until it exists. Left in place afterwards for inspection.
inline std::filesystem::path scratch_directory(const std::string& name) {
  const auto world = mpi::Communicator::world();
  const auto dir = std::filesystem::current_path() / ("scratch-" + name + "-ranks" + std::to_string(world.size()));
  if (world.is_root()) {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
  }
  world.barrier();
  return dir;
}

/// The message of the exception `action` throws, or "" if it throws none.
template <class Action>
std::string thrown_message(Action&& action) {
  try {
    action();
  } catch (const std::exception& e) {
    return e.what();
  }
  return {};
}

/// Like thrown_message, but only a CollectiveError (raised on every rank together) counts;
/// any other exception comes back as "not collective: <message>".
template <class Action>
std::string collective_message(Action&& action) {
  try {
    action();
  } catch (const mpi::CollectiveError& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("not collective: ") + e.what();
  }
  return {};
}

/// Writes a dataset of any HDF5 type the way another tool might: created collectively, data
/// written by rank 0 alone (independent I/O). `memory_type` describes `data`.
inline void write_foreign_dataset(io::File& file, const std::string& path, hid_t file_type, hid_t memory_type,
                                  const std::vector<hsize_t>& dims, const void* data) {
  io::DataspaceId space(io::check(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
                                  "H5Screate_simple", path));
  io::DatasetId dataset(io::check(H5Dcreate2(file.id(), path.c_str(), file_type, space.get(), H5P_DEFAULT,
                                             H5P_DEFAULT, H5P_DEFAULT),
                                  "H5Dcreate2", path));
  if (file.communicator().is_root()) {
    io::check(H5Dwrite(dataset.get(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), "H5Dwrite", path);
  }
  dataset.close("H5Dclose", path);
}

/// True if `text` contains `part`.
inline bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace deepntk::io_test
